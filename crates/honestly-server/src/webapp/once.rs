//! Forms sent once. A form that makes something (a document, a proof, a share link, a
//! credential request, a proof request, an agent) carries a hidden one-time value, `once`,
//! fresh on every page that shows the form. The first `POST` with that value claims it in the
//! replay memory (the store or Redis, shared by every replica) for a day; a second one — a
//! double click, a resent page — is answered 409 in words and makes nothing twice.

use std::time::Duration;

use axum::http::StatusCode;
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use maud::{html, Markup};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::html::from_api;
use super::session::Signed;
use crate::error::ApiError;
use crate::state::AppState;

/// The form field.
pub const ONCE_FIELD: &str = "once";

/// How long a sent form's value is remembered.
const REMEMBERED: Duration = Duration::from_secs(24 * 3600);

/// The longest value accepted (a fresh one is 22 characters).
const MAX_LEN: usize = 64;

/// The hidden field with a fresh value, for a form that makes something.
pub fn once_input() -> Markup {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    html! { input type="hidden" name=(ONCE_FIELD) value=(URL_SAFE_NO_PAD.encode(bytes)); }
}

/// Claims `once` for the signed-in session: `Ok` the first time (or when the form carried no
/// value), the 409 page when it was sent before, a 400 page for a malformed value, a 503 page
/// when the replay memory cannot answer (nothing is made then either).
pub async fn first_send(state: &AppState, signed: &Signed, once: Option<&str>) -> Result<(), Response> {
    let Some(once) = once else { return Ok(()) };
    let nav = Some(signed.nav());
    let well_formed = !once.is_empty()
        && once.len() <= MAX_LEN
        && once.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !well_formed {
        return Err(from_api(ApiError::validation("The form could not be read."), nav.as_ref()));
    }
    let mut digest = Sha256::new();
    digest.update(b"honestly web form sent once\0");
    digest.update(signed.session.session_id.as_str().as_bytes());
    digest.update(b"\0");
    digest.update(once.as_bytes());
    match state.replay.first_use(digest.finalize().into(), REMEMBERED).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(from_api(
            ApiError::new(
                StatusCode::CONFLICT,
                "CONFLICT",
                "This form was already sent, so nothing was made a second time. If the first \
                 sending worked, what it made is in your lists; to send the form again, reload \
                 its page.",
            ),
            nav.as_ref(),
        )),
        Err(e) => {
            tracing::warn!(error = %e, "a form's one-time value could not be checked");
            Err(from_api(
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "SERVICE_UNAVAILABLE",
                    "The server cannot accept this form right now. Nothing was changed; try again shortly.",
                ),
                nav.as_ref(),
            ))
        }
    }
}
