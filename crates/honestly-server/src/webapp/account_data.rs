//! The account's data: "Export my data" (the same ZIP as `GET /vault/export`) and "Delete my
//! account" (the same erasure as `DELETE /auth/me`, confirmed by the password).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use honestly_core::auth::Session;
use honestly_core::clock::Timestamp;
use honestly_core::ids::TokenId;
use maud::{html, Markup};
use serde::Deserialize;

use super::cookie;
use super::guard::{csrf_form, CheckedForm};
use super::html::{app_document, content_of, csrf_input, from_api, keep_limit_headers, page, see_other};
use super::session::{Signed, SignedIn};
use super::sign_in::TokenOnly;
use crate::extract::ClientIp;
use crate::state::AppState;

/// Where a person lands after erasing their account.
pub const ERASED_LANDING: &str = "/app/sign-in?account=deleted";

/// The delete-account form's body.
#[derive(Deserialize)]
pub struct DeleteAccountForm {
    /// The session's CSRF token.
    pub csrf_token: Option<String>,
    /// The account's current password.
    pub password: Option<String>,
}

csrf_form!(DeleteAccountForm);

/// The account page's section with the export and delete-account entries.
pub fn section(signed: &Signed) -> Markup {
    html! {
        h2 { "Your data" }
        p { "Everything of yours in one ZIP file: documents, proofs, share links, agents and the timeline." }
        form id="export-form" method="post" action="/app/account/export" {
            (csrf_input(&signed.csrf))
            button type="submit" class="secondary" { "Export my data" }
        }
        h2 { "AI agents" }
        p { a id="agents-link" href="/app/account/agents" { "Your AI agents" } " — programs that act for you through the signed AI API." }
        h2 { "Delete my account" }
        p { a id="delete-account-link" href="/app/account/delete" { "Delete my account" } }
    }
}

/// `POST /app/account/export`: the ZIP of everything of the account's.
pub async fn export(
    State(state): State<AppState>,
    CheckedForm(signed, _form): CheckedForm<TokenOnly>,
) -> Response {
    match crate::routes::export::zip_of(&state, &signed.session.user_id).await {
        Ok(response) => response,
        Err(e) => from_api(e, Some(&signed.nav())),
    }
}

fn delete_page(signed: &Signed, problem: Option<&str>) -> Markup {
    app_document(
        "Delete your account",
        Some(&signed.nav()),
        html! {
            h1 { "Delete your account?" }
            p { "Your documents, proofs, share links, agents, sessions and timeline are erased at once and for good. Share links stop working. This cannot be undone." }
            form id="delete-account-form" method="post" action="/app/account/delete" {
                (csrf_input(&signed.csrf))
                // For password managers: which account the password belongs to.
                input type="text" name="username" autocomplete="username" value=(signed.username) hidden readonly;
                div class="field" {
                    label for="delete-account-password" { "Your password, to confirm" }
                    input id="delete-account-password" name="password" type="password" required
                        autocomplete="current-password" maxlength="128";
                    @if let Some(problem) = problem {
                        p class="status bad" id="delete-account-password-error" role="alert" { (problem) }
                    }
                }
                button type="submit" class="danger" { "Delete my account for good" }
            }
            p { a href="/app/account" { "No, keep it" } }
        },
    )
}

/// `GET /app/account/delete`: the confirmation with the password.
pub async fn confirm_delete(SignedIn(signed): SignedIn) -> Response {
    page(StatusCode::OK, delete_page(&signed, None))
}

/// `POST /app/account/delete`: erases the account when the password is right; the cookie is
/// cleared and the browser goes to the sign-in page, which says so.
pub async fn delete(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    _headers: HeaderMap,
    CheckedForm(signed, form): CheckedForm<DeleteAccountForm>,
) -> Response {
    let password = form.password.unwrap_or_default();
    if password.is_empty() {
        return page(StatusCode::BAD_REQUEST, delete_page(&signed, Some("Enter your password to confirm.")));
    }
    // The erasure reads only the account from the session; the browser holds no access token.
    let session = Session {
        user_id: signed.session.user_id.clone(),
        role: signed.session.role,
        jti: TokenId::generate(),
        session_id: signed.session.session_id.clone(),
        expires_at: Timestamp::now(),
    };
    match state.accounts.erase_own(&session, &password, &ip.to_string()).await {
        Ok(_) => {
            state.forget_cached_content();
            tracing::info!("account erased");
            let mut response = see_other(ERASED_LANDING);
            cookie::clear(&state.config, &mut response);
            response
        }
        Err(e) => {
            let (status, content, headers) = content_of(e.into());
            if status == StatusCode::UNAUTHORIZED {
                let message = "That is not your password. Nothing was deleted.";
                let mut response = page(status, delete_page(&signed, Some(message)));
                keep_limit_headers(&headers, &mut response);
                return response;
            }
            let mut response =
                super::html::error_page(status, "That did not work", &content, Some(&signed.nav()));
            keep_limit_headers(&headers, &mut response);
            response
        }
    }
}
