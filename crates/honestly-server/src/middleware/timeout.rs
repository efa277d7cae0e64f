//! `REQUEST_TIMEOUT`: a request still running after it is answered with 503 in the error
//! shape (its work is dropped).

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::AppState;

/// Bounds the inner service's time.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(state.config.request_timeout, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError::unavailable("Request timed out").into_response(),
    }
}
