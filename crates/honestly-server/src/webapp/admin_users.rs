//! Accounts in the admin console: the list, one account with its role form, disabling (behind
//! a confirmation: its sessions end at once), enabling, and erasing (confirmed by typing the
//! username). The same service calls as `GET`, `PATCH` and `DELETE /admin/users…`, so the
//! same rules hold: every change ends the account's sessions, and the last enabled
//! administrator cannot be demoted, disabled or erased.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use honestly_core::audit::Actor;
use honestly_core::auth::accounts::parse_role;
use honestly_core::auth::{Role, User};
use honestly_core::ids::UserId;
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

/// The roles the role form offers (membership of an issuer is given on the issuer's page).
const OFFERED_ROLES: [Role; 3] = [Role::User, Role::Verifier, Role::Admin];

fn state_in_words(user: &User) -> &'static str {
    if user.disabled {
        "disabled"
    } else {
        "enabled"
    }
}

fn user_path(id: &UserId) -> String {
    format!("/app/admin/users/{}", id.as_str())
}

/// `GET /app/admin/users`.
pub async fn list(State(state): State<AppState>, Admitted(signed, _): Admitted<Admins>) -> Response {
    let users = match state.accounts.list().await {
        Ok(users) => users,
        Err(e) => return from_api(ApiError::from(e), Some(&signed.nav())),
    };
    let markup = app_document(
        "Accounts",
        Some(&signed.nav()),
        html! {
            h1 { "Accounts" }
            (console_links())
            ul id="admin-users" {
                @for user in &users {
                    li class="card user" data-user=(user.id.as_str()) {
                        a href=(user_path(&user.id)) { (user.username) }
                        p class="hint" {
                            "Role " strong { (user.role.as_str()) } " · " (state_in_words(user))
                            " · created " (date_time(user.created_at))
                        }
                    }
                }
            }
        },
    );
    page(StatusCode::OK, markup)
}

/// The account `id`, or the page that says there is none (the list is the service's own).
async fn account(state: &AppState, signed: &Signed, id: &UserId) -> Result<User, Response> {
    let users = state.accounts.list().await.map_err(|e| from_api(e.into(), Some(&signed.nav())))?;
    users
        .into_iter()
        .find(|u| &u.id == id)
        .ok_or_else(|| from_api(ApiError::not_found(), Some(&signed.nav())))
}

fn user_page(signed: &Signed, user: &User, problem: Option<&str>) -> Markup {
    let base = user_path(&user.id);
    app_document(
        &user.username,
        Some(&signed.nav()),
        html! {
            h1 { "Account " (user.username) }
            (console_links())
            dl {
                dt { "Id" } dd { code { (user.id.as_str()) } }
                dt { "Role" } dd id="user-role" { (user.role.as_str()) }
                dt { "State" } dd id="user-state" { (state_in_words(user)) }
                dt { "Created" } dd { (date_time(user.created_at)) }
            }
            h2 { "Role" }
            form id="user-role-form" method="post" action={ (base) "/role" } {
                (csrf_input(&signed.csrf))
                div class="field" {
                    label for="user-role-select" { "New role" }
                    select id="user-role-select" name="role" {
                        @if !OFFERED_ROLES.contains(&user.role) {
                            option value=(user.role.as_str()) selected { (user.role.as_str()) " (now)" }
                        }
                        @for role in OFFERED_ROLES {
                            option value=(role.as_str()) selected[role == user.role] { (role.as_str()) }
                        }
                    }
                    @if let Some(problem) = problem {
                        p class="status bad" id="user-role-error" role="alert" { (problem) }
                    }
                }
                p class="hint" { "The account's sessions end at once. To make someone an issuer's member, add them on the issuer's page." }
                button type="submit" { "Change the role" }
            }
            h2 { "Access" }
            @if user.disabled {
                p { "This account is disabled: it cannot sign in." }
                (button_form("user-enable-form", &format!("{base}/enable"), &signed.csrf, "Enable the account", "secondary"))
            } @else {
                p { a id="user-disable-link" href={ (base) "/disable" } { "Disable this account" } }
            }
            p { a id="user-delete-link" href={ (base) "/delete" } { "Erase this account and everything it owns" } }
            p { a href="/app/admin/users" { "Back to the accounts" } }
        },
    )
}

/// `GET /app/admin/users/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    Admitted(signed, _): Admitted<Admins>,
    Path(id): Path<UserId>,
) -> Response {
    match account(&state, &signed, &id).await {
        Ok(user) => page(StatusCode::OK, user_page(&signed, &user, None)),
        Err(page) => page,
    }
}

/// Applies `change` to `id` as the signed-in administrator: back to the account's page, or
/// the refusal in words (beside the role field for a bad role or the last administrator).
async fn apply(state: &AppState, signed: &Signed, id: &UserId, change: AccountChange) -> Response {
    let actor = Actor::User(signed.session.user_id.clone());
    match state.accounts.change(actor, id, change).await {
        Ok(user) => {
            tracing::info!(user_id = %user.id, role = user.role.as_str(), disabled = user.disabled, "account changed");
            see_other(&user_path(id))
        }
        Err(e) => refusal(state, signed, id, ApiError::from(e)).await,
    }
}

/// The account's page with the refusal beside the role field (a 4xx), or the error page.
async fn refusal(state: &AppState, signed: &Signed, id: &UserId, error: ApiError) -> Response {
    let (status, content, _) = content_of(error);
    if matches!(status, StatusCode::BAD_REQUEST | StatusCode::CONFLICT) {
        if let Ok(user) = account(state, signed, id).await {
            let reason = content.fields.as_ref().and_then(|f| f.get("role")).cloned();
            let said = reason.map_or(content.message.clone(), |r| format!("The role {r}."));
            return page(status, user_page(signed, &user, Some(&said)));
        }
    }
    error_page(status, "That did not work", &content, Some(&signed.nav()))
}

/// The role form's body.
#[derive(Deserialize)]
pub struct RoleForm {
    /// The session's CSRF token.
    pub csrf_token: Option<String>,
    /// `admin`, `verifier` or `user`.
    pub role: Option<String>,
}

csrf_form!(RoleForm);

/// `POST /app/admin/users/{id}/role`.
pub async fn change_role(
    State(state): State<AppState>,
    Path(id): Path<UserId>,
    AdmittedForm(signed, form, _): AdmittedForm<Admins, RoleForm>,
) -> Response {
    let role = match parse_role(form.role.as_deref().unwrap_or_default()) {
        Ok(role) => role,
        Err(e) => return refusal(&state, &signed, &id, e.into()).await,
    };
    apply(&state, &signed, &id, AccountChange { role: Some(role), disabled: None }).await
}

/// `GET /app/admin/users/{id}/disable`: the confirmation step.
pub async fn confirm_disable(
    State(state): State<AppState>,
    Admitted(signed, _): Admitted<Admins>,
    Path(id): Path<UserId>,
) -> Response {
    let user = match account(&state, &signed, &id).await {
        Ok(user) => user,
        Err(page) => return page,
    };
    let base = user_path(&id);
    let markup = app_document(
        "Disable an account",
        Some(&signed.nav()),
        html! {
            h1 { "Disable " (user.username) "?" }
            p { "Their sessions end at once, in every browser and every API login, and they cannot sign in until the account is enabled again. Nothing of theirs is erased." }
            (button_form("user-disable-form", &format!("{base}/disable"), &signed.csrf, "Disable the account", "danger"))
            p { a href=(base) { "No, leave it enabled" } }
        },
    );
    page(StatusCode::OK, markup)
}

/// `POST /app/admin/users/{id}/disable`.
pub async fn disable(
    State(state): State<AppState>,
    Path(id): Path<UserId>,
    AdmittedForm(signed, _form, _): AdmittedForm<Admins, TokenOnly>,
) -> Response {
    apply(&state, &signed, &id, AccountChange { role: None, disabled: Some(true) }).await
}

/// `POST /app/admin/users/{id}/enable`.
pub async fn enable(
    State(state): State<AppState>,
    Path(id): Path<UserId>,
    AdmittedForm(signed, _form, _): AdmittedForm<Admins, TokenOnly>,
) -> Response {
    apply(&state, &signed, &id, AccountChange { role: None, disabled: Some(false) }).await
}

fn delete_page(signed: &Signed, user: &User, problem: Option<&str>) -> Markup {
    let base = user_path(&user.id);
    app_document(
        "Erase an account",
        Some(&signed.nav()),
        html! {
            h1 { "Erase " (user.username) "?" }
            p { "The account and everything it owns — documents, proofs, share links, credentials, agents — are erased at once. This cannot be undone." }
            form id="user-delete-form" method="post" action={ (base) "/delete" } {
                (csrf_input(&signed.csrf))
                div class="field" {
                    label for="user-delete-username" { "Type the username, " strong { (user.username) } ", to confirm" }
                    input id="user-delete-username" name="username" type="text" required maxlength="64" autocomplete="off";
                    @if let Some(problem) = problem {
                        p class="status bad" id="user-delete-username-error" role="alert" { (problem) }
                    }
                }
                button type="submit" class="danger" { "Erase for good" }
            }
            p { a href=(base) { "No, keep it" } }
        },
    )
}

/// `GET /app/admin/users/{id}/delete`: the confirmation step.
pub async fn confirm_delete(
    State(state): State<AppState>,
    Admitted(signed, _): Admitted<Admins>,
    Path(id): Path<UserId>,
) -> Response {
    match account(&state, &signed, &id).await {
        Ok(user) => page(StatusCode::OK, delete_page(&signed, &user, None)),
        Err(page) => page,
    }
}

/// The erase form's body.
#[derive(Deserialize)]
pub struct DeleteForm {
    /// The session's CSRF token.
    pub csrf_token: Option<String>,
    /// The account's username, typed to confirm.
    pub username: Option<String>,
}

csrf_form!(DeleteForm);

/// `POST /app/admin/users/{id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<UserId>,
    AdmittedForm(signed, form, _): AdmittedForm<Admins, DeleteForm>,
) -> Response {
    let user = match account(&state, &signed, &id).await {
        Ok(user) => user,
        Err(page) => return page,
    };
    let typed = form.username.unwrap_or_default();
    if !typed.trim().eq_ignore_ascii_case(&user.username) {
        let said = "That is not this account's username: nothing was erased.";
        return page(StatusCode::BAD_REQUEST, delete_page(&signed, &user, Some(said)));
    }
    match state.accounts.erase(Actor::User(signed.session.user_id.clone()), &id).await {
        Ok(_) => {
            state.forget_cached_content();
            tracing::info!(user_id = %id, "account erased by an administrator");
            see_other("/app/admin/users")
        }
        Err(e) => from_api(ApiError::from(e), Some(&signed.nav())),
    }
}
