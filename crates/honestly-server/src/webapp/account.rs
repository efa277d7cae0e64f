//! The account page: the account's live sessions (browser sign-ins and API logins alike),
//! ending one, and signing out everywhere (every session, API tokens included).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use honestly_core::ids::SessionId;
use maud::html;

use super::cookie;
use super::guard::CheckedForm;
use super::html::{app_document, from_api, page, see_other};
use super::session::SignedIn;
use super::sign_in::{button_form, TokenOnly};
use crate::extract::{Path, Query};
use crate::pages::format::date_time;
use crate::state::AppState;

/// `?password=changed` after a password change.
#[derive(serde::Deserialize)]
pub struct AccountQuery {
    /// `changed` after a change.
    pub password: Option<String>,
}

/// `GET /app/account`.
pub async fn show(
    State(state): State<AppState>,
    SignedIn(signed): SignedIn,
    Query(q): Query<AccountQuery>,
) -> Response {
    let nav = signed.nav();
    let sessions = match state.auth.live_sessions(&signed.session.user_id).await {
        Ok(sessions) => sessions,
        Err(e) => return from_api(e.into(), Some(&nav)),
    };
    let markup = app_document(
        "Your account",
        Some(&nav),
        html! {
            h1 { "Your account" }
            @if q.password.as_deref() == Some("changed") {
                div class="status ok" id="password-changed" role="status" {
                    strong { "Your password was changed." } "Every other session of your account has ended."
                }
            }
            p { "Username: " strong { (signed.username) } " · role: " (signed.session.role.as_str()) }
            p { a id="change-password-link" href="/app/account/password" { "Change your password" } }
            h2 { "Where you are signed in" }
            p { "Each sign-in, here or through the API, is one session until it ends or expires." }
            ul id="session-list" {
                @for s in &sessions {
                    li class="card" data-session=(s.id.as_str()) {
                        "Started " (date_time(s.created_at))
                        @if s.id == signed.session.session_id {
                            " · " strong { "this browser" }
                        } @else {
                            (button_form(&format!("end-session-{}", s.id.as_str()),
                                &format!("/app/account/sessions/{}/end", s.id.as_str()),
                                &signed.csrf, "End this session", "secondary"))
                        }
                    }
                }
            }
            h2 { "Sign out everywhere" }
            p { "Ends every session of your account, this one and API tokens included." }
            (button_form("sign-out-everywhere-form", "/app/account/sign-out-everywhere", &signed.csrf, "Sign out everywhere", "danger"))
            (super::account_data::section(&signed))
        },
    );
    page(StatusCode::OK, markup)
}

/// `POST /app/account/sessions/{id}/end`: ends one of the account's sessions.
pub async fn end_one(
    State(state): State<AppState>,
    Path(id): Path<SessionId>,
    CheckedForm(signed, _form): CheckedForm<TokenOnly>,
) -> Response {
    match state.auth.end_session(&signed.session.user_id, &id).await {
        Ok(true) => see_other("/app/account"),
        Ok(false) => from_api(crate::error::ApiError::not_found(), Some(&signed.nav())),
        Err(e) => from_api(e.into(), Some(&signed.nav())),
    }
}

/// `POST /app/account/sign-out-everywhere`.
pub async fn end_all(
    State(state): State<AppState>,
    CheckedForm(signed, _form): CheckedForm<TokenOnly>,
) -> Response {
    if let Err(e) = state.auth.end_all_sessions(&signed.session.user_id).await {
        return from_api(e.into(), Some(&signed.nav()));
    }
    let mut response = see_other("/app/sign-in");
    cookie::clear(&state.config, &mut response);
    response
}
