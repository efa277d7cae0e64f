//! The share link as an HTML page for people (`GET /vault/share/{token}` with `Accept:
//! text/html`, and the passphrase form's `POST`). Same access rules as the JSON view: the same
//! service call, one access consumed per page shown, nothing consumed by a wrong passphrase
//! (which is rate limited per link), one identical 404 page for every unavailable link.

use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use honestly_core::links::{AccessLevel, LinkError};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::pages::layout::respond;
use crate::pages::{share_gate, share_page};
use crate::state::AppState;

/// A share link's page: the view (`GET`, JSON or HTML, in `routes::share`) and the
/// passphrase form (`POST`, here).
pub const SHARE: &str = "/vault/share/{token}";

/// The passphrase form's route (a URL-encoded body of a few KiB at most).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(submit))
}

/// Largest form body accepted by the passphrase form's `POST`.
pub const FORM_BODY_LIMIT: usize = 4 * 1024;

/// The passphrase form's body.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct PassphraseForm {
    /// The link's passphrase.
    pub passphrase: String,
}

/// Whether a passphrase was offered with the request (a wrong one is then reported as wrong).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Offered {
    /// None given: show the form.
    Nothing,
    /// One given: a refusal means it was wrong.
    Passphrase,
}

/// Opens the link with the link service and renders the page, or what stands in its place.
pub async fn page(state: &AppState, token: &str, passphrase: Option<&str>) -> Response {
    let offered = if passphrase.is_some() { Offered::Passphrase } else { Offered::Nothing };
    match state.links.open(token, passphrase).await {
        Ok(access) => {
            let content_url = (access.link.access_level == AccessLevel::Full)
                .then(|| state.links.content_url(token, &access.link));
            let issuer = attesting_issuer(state, &access).await;
            respond(
                StatusCode::OK,
                share_page::render(&access, token, content_url.as_deref(), issuer.as_deref()),
            )
        }
        Err(e) => refusal(token, e, offered),
    }
}

/// The name of the hosted issuer whose key a shared credential proof names.
async fn attesting_issuer(state: &AppState, access: &honestly_core::links::Access) -> Option<String> {
    let proof = access.shared.proof.as_ref().filter(|p| p.proof_type == "credential_query")?;
    let inputs = proof.public_inputs();
    let coordinate = |name: &str| inputs.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    let key = honestly_core::credentials::IssuerPublicKey::from_decimal(
        &coordinate("issuerAx")?,
        &coordinate("issuerAy")?,
    )?;
    state.issuance.issuer_with_key((key.x, key.y)).await.map(|issuer| issuer.name)
}

fn refusal(token: &str, error: LinkError, offered: Offered) -> Response {
    match error {
        LinkError::NotFound => respond(StatusCode::NOT_FOUND, share_gate::unavailable()),
        LinkError::Passphrase if offered == Offered::Nothing => {
            respond(StatusCode::OK, share_gate::passphrase_form(token, false))
        }
        LinkError::Passphrase => respond(StatusCode::UNAUTHORIZED, share_gate::passphrase_form(token, true)),
        other => {
            let rate_limited = matches!(other, LinkError::TooManyAttempts(_));
            // The error's own response logs it and carries Retry-After; only its body changes.
            let (parts, _) = ApiError::from(other).into_response().into_parts();
            let page = if rate_limited {
                share_gate::notice(
                    "Too many attempts",
                    "Too many wrong passphrases. Please wait a minute and try again.",
                )
            } else {
                share_gate::notice(
                    "Please try again shortly",
                    "The server could not show this link just now.",
                )
            };
            let mut response = respond(parts.status, page);
            if let Some(value) = parts.headers.get(header::RETRY_AFTER) {
                response.headers_mut().insert(header::RETRY_AFTER, value.clone());
            }
            response
        }
    }
}

/// The verifier page after the passphrase form was sent; consumes one access when it is right.
#[utoipa::path(post, operation_id = "submitSharePassphrase", path = SHARE, tag = "share",
    params(("token" = String, Path, description = "The link's token")),
    request_body(content = PassphraseForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "The verifier page", content_type = "text/html", body = String),
              (status = 400, description = "Not a passphrase form: the form again", content_type = "text/html", body = String),
              (status = 401, description = "Wrong passphrase: the form again, nothing consumed", content_type = "text/html", body = String),
              (status = 404, description = "Not available (one page for every reason)", content_type = "text/html", body = String),
              (status = 413, description = "Form larger than 4 KiB", body = ErrorBody),
              (status = 429, description = "Too many wrong passphrases", content_type = "text/html", body = String)))]
pub async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    form: Result<Form<PassphraseForm>, FormRejection>,
) -> Response {
    match form {
        Ok(Form(form)) => page(&state, &token, Some(&form.passphrase)).await,
        Err(rejection) => {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                return ApiError::payload_too_large().into_response();
            }
            // Only a link that exists and has a passphrase gets its form back.
            match state.links.peek(&token).await {
                Ok(link) if link.passphrase_hash.is_some() => {
                    respond(StatusCode::BAD_REQUEST, share_gate::passphrase_form(&token, false))
                }
                _ => respond(StatusCode::NOT_FOUND, share_gate::unavailable()),
            }
        }
    }
}

/// Adds `Vary: Accept` to a response whose form depends on the `Accept` header.
pub fn vary_accept(mut response: Response) -> Response {
    response.headers_mut().append(header::VARY, HeaderValue::from_static("accept"));
    response
}
