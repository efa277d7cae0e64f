//! Refuses a declared body larger than the JSON limit before reading it (413 in the error
//! shape). Bodies without a declared length are bounded by the extractors' own limit.

use axum::extract::Request;
use axum::http::header::CONTENT_LENGTH;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// Largest JSON request body: 1 MiB.
pub const JSON_BODY_LIMIT: usize = 1024 * 1024;

/// Checks `Content-Length` against [`JSON_BODY_LIMIT`].
pub async fn layer(req: Request, next: Next) -> Response {
    let declared =
        req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > JSON_BODY_LIMIT as u64) {
        return ApiError::payload_too_large().into_response();
    }
    next.run(req).await
}
