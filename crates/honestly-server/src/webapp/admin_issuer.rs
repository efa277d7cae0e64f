//! One issuer in the admin console: its key, its members, adding a member by username (the
//! same service call as `POST /issuers/{id}/members`: the account gets role `issuer` and its
//! sessions end) and removing one behind a confirmation (the same call as
//! `PATCH /admin/users/{id}` with role `user`: membership lasts while the role is `issuer`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use honestly_core::audit::Actor;
use honestly_core::auth::{Role, User};
use honestly_core::ids::{IssuerId, UserId};
use honestly_core::issuance::IssuerRecord;
use honestly_core::store::AccountChange;
use maud::{html, Markup};
use serde::Deserialize;

use super::admin::console_links;
use super::console::{Admins, Admitted, AdmittedForm};
use super::guard::csrf_form;
use super::html::{app_document, content_of, csrf_input, error_page, from_api, page, see_other};
use super::session::Signed;
use super::sign_in::{button_form, TokenOnly};
use crate::error::ApiError;
use crate::extract::Path;
use crate::pages::format::date_time;
use crate::state::AppState;

fn issuer_page(signed: &Signed, issuer: &IssuerRecord, members: &[User], problem: Option<&str>) -> Markup {
    let base = format!("/app/admin/issuers/{}", issuer.id.as_str());
    app_document(
        &issuer.name,
        Some(&signed.nav()),
        html! {
            h1 { "Issuer " (issuer.name) }
            (console_links())
            dl {
                dt { "Id" } dd { code id="issuer-id" { (issuer.id.as_str()) } }
                dt { "Created" } dd { (date_time(issuer.created_at)) }
                dt { "Public key x" } dd { code { (issuer.public_key.x_decimal()) } }
                dt { "Public key y" } dd { code { (issuer.public_key.y_decimal()) } }
                dt { "Revocations" } dd { "The revoked set changed " (issuer.revocation_version) " time(s)." }
            }
            section id="issuer-members" {
                h2 { "Members" }
                @if members.is_empty() { p id="no-members" { "Nobody acts for this issuer yet." } }
                ul {
                    @for member in members {
                        li class="card member" data-user=(member.id.as_str()) {
                            strong { (member.username) }
                            " · " a id={ "remove-member-" (member.id.as_str()) }
                                href={ (base) "/members/" (member.id.as_str()) "/remove" } { "Remove from this issuer" }
                        }
                    }
                }
            }
            h2 { "Add a member" }
            form id="member-form" method="post" action={ (base) "/members" } {
                (csrf_input(&signed.csrf))
                p class="hint" { "The account's role becomes issuer (acting for this issuer only) and its sessions end at once." }
                div class="field" {
                    label for="member-username" { "Username" }
                    input id="member-username" name="username" type="text" required maxlength="64" autocomplete="off";
                    @if let Some(problem) = problem {
                        p class="status bad" id="member-username-error" role="alert" { (problem) }
                    }
                }
                button type="submit" { "Add the member" }
            }
            p { a href="/app/admin" { "Back to the issuers" } }
        },
    )
}

/// The issuer's page with `status` and `problem` beside the username field.
async fn show(
    state: &AppState,
    signed: &Signed,
    id: &IssuerId,
    status: StatusCode,
    problem: Option<&str>,
) -> Response {
    let found =
        async { Ok::<_, ApiError>((state.issuance.issuer(id).await?, state.issuance.members(id).await?)) };
    match found.await {
        Ok((issuer, members)) => page(status, issuer_page(signed, &issuer, &members, problem)),
        Err(e) => from_api(e, Some(&signed.nav())),
    }
}

/// `GET /app/admin/issuers/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    Admitted(signed, _): Admitted<Admins>,
    Path(id): Path<IssuerId>,
) -> Response {
    show(&state, &signed, &id, StatusCode::OK, None).await
}

/// The add-member form's body.
#[derive(Deserialize)]
pub struct MemberForm {
    /// The session's CSRF token.
    pub csrf_token: Option<String>,
    /// The account's username.
    pub username: Option<String>,
}

csrf_form!(MemberForm);

/// `POST /app/admin/issuers/{id}/members`.
pub async fn add_member(
    State(state): State<AppState>,
    Path(id): Path<IssuerId>,
    AdmittedForm(signed, form, _): AdmittedForm<Admins, MemberForm>,
) -> Response {
    if let Err(e) = state.issuance.issuer(&id).await {
        return from_api(ApiError::from(e), Some(&signed.nav()));
    }
    let username = form.username.unwrap_or_default();
    let user = match state.accounts.find(username.trim()).await {
        Ok(user) => user,
        Err(honestly_core::auth::AccountError::NotFound) => {
            let said = "No account has this username.";
            return show(&state, &signed, &id, StatusCode::BAD_REQUEST, Some(said)).await;
        }
        Err(e) => return from_api(ApiError::from(e), Some(&signed.nav())),
    };
    match state.issuance.add_member(&id, &user.id).await {
        Ok(()) => {
            tracing::info!(issuer_id = %id, user_id = %user.id, "issuer member added");
            see_other(&format!("/app/admin/issuers/{}", id.as_str()))
        }
        Err(e) => {
            let (status, content, _) = content_of(ApiError::from(e));
            if status == StatusCode::CONFLICT {
                return show(&state, &signed, &id, status, Some(&content.message)).await;
            }
            error_page(status, "That did not work", &content, Some(&signed.nav()))
        }
    }
}

/// The member `user` of the issuer `id`, or the page that says there is none.
async fn member_of(
    state: &AppState,
    signed: &Signed,
    id: &IssuerId,
    user: &UserId,
) -> Result<User, Response> {
    let members = state.issuance.members(id).await.map_err(|e| from_api(e.into(), Some(&signed.nav())))?;
    members
        .into_iter()
        .find(|m| &m.id == user)
        .ok_or_else(|| from_api(ApiError::not_found(), Some(&signed.nav())))
}

/// `GET /app/admin/issuers/{id}/members/{user}/remove`: the confirmation step.
pub async fn confirm_remove(
    State(state): State<AppState>,
    Admitted(signed, _): Admitted<Admins>,
    Path((id, user)): Path<(IssuerId, UserId)>,
) -> Response {
    let member = match member_of(&state, &signed, &id, &user).await {
        Ok(member) => member,
        Err(page) => return page,
    };
    let base = format!("/app/admin/issuers/{}", id.as_str());
    let action = format!("{base}/members/{}/remove", user.as_str());
    let markup = app_document(
        "Remove a member",
        Some(&signed.nav()),
        html! {
            h1 { "Remove " (member.username) " from this issuer?" }
            p { "Their role becomes user: they no longer review requests or revoke credentials, and their sessions end at once." }
            (button_form("remove-member-form", &action, &signed.csrf, "Remove the member", "danger"))
            p { a href=(base) { "No, keep them" } }
        },
    );
    page(StatusCode::OK, markup)
}

/// `POST /app/admin/issuers/{id}/members/{user}/remove`.
pub async fn remove(
    State(state): State<AppState>,
    Path((id, user)): Path<(IssuerId, UserId)>,
    AdmittedForm(signed, _form, _): AdmittedForm<Admins, TokenOnly>,
) -> Response {
    if let Err(page) = member_of(&state, &signed, &id, &user).await {
        return page;
    }
    let change = AccountChange { role: Some(Role::User), disabled: None };
    match state.accounts.change(Actor::User(signed.session.user_id.clone()), &user, change).await {
        Ok(_) => {
            tracing::info!(issuer_id = %id, user_id = %user, "issuer member removed");
            see_other(&format!("/app/admin/issuers/{}", id.as_str()))
        }
        Err(e) => from_api(ApiError::from(e), Some(&signed.nav())),
    }
}
