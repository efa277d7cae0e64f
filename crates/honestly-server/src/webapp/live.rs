//! Live status without reloading: the small script served by the binary
//! (`/app/static/live.js`), the cookie-authenticated twin of a request's status stream
//! (`/app/verifier/requests/{id}/events`) and the policy of the pages that load the script
//! (`script-src 'self'`, `connect-src 'self'`; still no inline script).

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use honestly_core::ids::ProofRequestId;

use super::app_script::Script;
use super::console::{Admitted, Verifiers};
use crate::extract::Path;
use crate::pages::layout::csp;
use crate::state::AppState;

/// The script.
pub static LIVE: Script = Script::new(include_str!("static/live.js"));

/// Where the script is served.
pub const LIVE_JS_PATH: &str = "/app/static/live.js";

/// `GET /app/static/live.js` (the live pages name it without a version: kept five minutes).
pub async fn script(headers: HeaderMap) -> Response {
    LIVE.serve(&headers, None)
}

/// The pages' policy with this site's scripts and event streams allowed.
pub fn csp_with_script() -> String {
    format!("{}; script-src 'self'; connect-src 'self'", csp())
}

/// `response` (a page) allowed to run the live script.
pub fn allow_script(mut response: Response) -> Response {
    if let Ok(value) = HeaderValue::from_str(&csp_with_script()) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// `GET /app/verifier/requests/{id}/events`: the same stream as
/// `GET /verifier/requests/{id}/events`, for the signed-in verifier's browser.
pub async fn events(
    State(state): State<AppState>,
    Admitted(signed, _): Admitted<Verifiers>,
    Path(id): Path<ProofRequestId>,
) -> Response {
    match crate::routes::proof_requests::status_stream(state, signed.session.user_id.clone(), id).await {
        Ok(stream) => stream.into_response(),
        Err(e) => super::html::from_api(e, Some(&signed.nav())),
    }
}
