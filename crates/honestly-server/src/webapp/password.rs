//! Changing the password: the current one confirms it, the new one follows the registration
//! rules (errors in words next to their field), and every other session ends.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;

use super::guard::{csrf_form, CheckedForm};
use super::html::{app_document, content_of, csrf_input, keep_limit_headers, page, see_other};
use super::session::{Signed, SignedIn};
use crate::error::{ApiError, ErrorContent};
use crate::extract::ClientIp;
use crate::state::AppState;

/// The form's body.
#[derive(Deserialize)]
pub struct PasswordForm {
    /// The session's CSRF token.
    pub csrf_token: Option<String>,
    /// The password now.
    pub current_password: String,
    /// The password to be.
    pub new_password: String,
}

csrf_form!(PasswordForm);

fn field(problem: Option<&ErrorContent>, name: &str) -> Option<String> {
    problem.and_then(|p| p.fields.as_ref()).and_then(|f| f.get(name)).cloned()
}

fn form_page(signed: &Signed, problem: Option<&ErrorContent>) -> Markup {
    let current_error = field(problem, "current_password");
    let new_error = field(problem, "new_password");
    app_document(
        "Change your password",
        Some(&signed.nav()),
        html! {
            h1 { "Change your password" }
            @if let Some(problem) = problem {
                div class="status bad" role="alert" id="change-password-error" {
                    strong { (problem.message) }
                    "Error id: " code { (problem.error_id) }
                }
            }
            form id="change-password-form" method="post" action="/app/account/password" {
                (csrf_input(&signed.csrf))
                // Whose password this is, for password managers (and browsers, which warn of a
                // password form without it); hidden, and not sent.
                input type="text" hidden autocomplete="username" value=(signed.username) aria-hidden="true";
                div class="field" {
                    label for="current-password" { "Current password" }
                    input id="current-password" name="current_password" type="password" required
                        autocomplete="current-password" maxlength="128"
                        aria-describedby=[current_error.as_ref().map(|_| "current-password-error")];
                    @if let Some(reason) = &current_error {
                        p class="error" id="current-password-error" { "Current password " (reason) }
                    }
                }
                div class="field" {
                    label for="new-password" { "New password" }
                    input id="new-password" name="new_password" type="password" required autocomplete="new-password"
                        minlength="12" maxlength="128"
                        aria-describedby=(if new_error.is_some() { "new-password-error" } else { "new-password-hint" });
                    p class="hint" id="new-password-hint" { "At least 12 characters, hard to guess." }
                    @if let Some(reason) = &new_error {
                        p class="error" id="new-password-error" { "New password " (reason) }
                    }
                }
                p class="hint" { "Every other session of your account ends; this one stays signed in." }
                button type="submit" { "Change password" }
            }
        },
    )
}

/// `GET /app/account/password`.
pub async fn form(SignedIn(signed): SignedIn) -> Response {
    page(StatusCode::OK, form_page(&signed, None))
}

/// `POST /app/account/password`.
pub async fn change(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    _headers: HeaderMap,
    CheckedForm(signed, form): CheckedForm<PasswordForm>,
) -> Response {
    let session = &signed.session;
    let changed = state
        .auth
        .change_password(
            &session.user_id,
            &session.session_id,
            &form.current_password,
            &form.new_password,
            &ip.to_string(),
        )
        .await;
    match changed {
        Ok(()) => see_other("/app/account?password=changed"),
        Err(e) => {
            let (status, content, headers) = content_of(ApiError::from(e));
            let mut response = page(status, form_page(&signed, Some(&content)));
            keep_limit_headers(&headers, &mut response);
            response
        }
    }
}
