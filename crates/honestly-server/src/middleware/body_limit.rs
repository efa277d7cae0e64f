//! Refuses a declared body larger than the route's limit before reading it (413 in the error
//! shape). Bodies without a declared length are bounded by the extractors' own limit
//! (`DefaultBodyLimit`), set to the same figure.

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::header::CONTENT_LENGTH;
use axum::middleware::{from_fn, Next};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;

use crate::error::ApiError;
use crate::state::AppState;

/// Largest JSON request body: 1 MiB.
pub const JSON_BODY_LIMIT: usize = 1024 * 1024;

async fn check(limit: usize, req: Request, next: Next) -> Response {
    let declared =
        req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return ApiError::payload_too_large().into_response();
    }
    next.run(req).await
}

/// Applies a body limit of `limit` bytes to every route of `router`.
pub fn limit(router: OpenApiRouter<AppState>, limit: usize) -> OpenApiRouter<AppState> {
    router
        .route_layer(from_fn(move |req: Request, next: Next| check(limit, req, next)))
        .route_layer(DefaultBodyLimit::max(limit))
}
