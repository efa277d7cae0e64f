//! The credentials an issuer issued, newest first, and their revocation behind a confirmation
//! page (the same issuance service functions as `GET /issuer/credentials` and
//! `POST /issuer/credentials/{id}/revoke`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use honestly_core::credentials::CalendarDate;
use honestly_core::ids::CredentialId;
use maud::html;

use super::console::{Admitted, AdmittedForm, Issuers};
use super::html::{app_document, from_api, page, see_other};
use super::sign_in::{button_form, TokenOnly};
use crate::error::ApiError;
use crate::extract::Path;
use crate::pages::format::date_time;
use crate::state::AppState;

/// Credentials listed at most.
const LISTED: u32 = 100;

/// `GET /app/issuer/credentials`.
pub async fn list(State(state): State<AppState>, Admitted(signed, _): Admitted<Issuers>) -> Response {
    let nav = signed.nav();
    let issued = match state.issuance.issued(&signed.session.user_id, None, LISTED).await {
        Ok(issued) => issued,
        Err(e) => return from_api(ApiError::from(e), Some(&nav)),
    };
    let markup = app_document(
        "Credentials issued",
        Some(&nav),
        html! {
            h1 { "Credentials issued" }
            @if issued.is_empty() { p id="no-issued" { "No credential issued yet." } }
            ul id="issued-list" {
                @for c in &issued {
                    li class="card issued" data-credential=(c.id.as_str()) {
                        strong { (c.id.as_str()) }
                        p class="hint" {
                            "Issued " (date_time(c.issued_at)) " · valid until "
                            (CalendarDate::from_yyyymmdd(c.valid_until).map(|d| d.to_string()).unwrap_or_default())
                        }
                        @if let Some(at) = c.revoked_at {
                            p { strong { "Revoked " (date_time(at)) } }
                        } @else {
                            p { a id={ "revoke-" (c.id.as_str()) } href={ "/app/issuer/credentials/" (c.id.as_str()) "/revoke" } { "Revoke" } }
                        }
                    }
                }
            }
            p { a href="/app/issuer" { "Back to the queue" } }
        },
    );
    page(StatusCode::OK, markup)
}

/// `GET /app/issuer/credentials/{id}/revoke`: the confirmation step.
pub async fn confirm_revoke(
    Admitted(signed, _): Admitted<Issuers>,
    Path(id): Path<CredentialId>,
) -> Response {
    let action = format!("/app/issuer/credentials/{}/revoke", id.as_str());
    let markup = app_document(
        "Revoke a credential",
        Some(&signed.nav()),
        html! {
            h1 { "Revoke " (id.as_str()) "?" }
            p { "Its holder can no longer prove anything with it once verifiers read the next revocation state. This cannot be undone." }
            (button_form("revoke-form", &action, &signed.csrf, "Revoke for good", "danger"))
            p { a href="/app/issuer/credentials" { "No, keep it" } }
        },
    );
    page(StatusCode::OK, markup)
}

/// `POST /app/issuer/credentials/{id}/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<CredentialId>,
    AdmittedForm(signed, _form, _): AdmittedForm<Issuers, TokenOnly>,
) -> Response {
    match state.issuance.revoke(&signed.session.user_id, &id).await {
        Ok(()) => {
            tracing::info!(credential_id = %id, "credential revoked");
            see_other("/app/issuer/credentials")
        }
        Err(e) => from_api(ApiError::from(e), Some(&signed.nav())),
    }
}
