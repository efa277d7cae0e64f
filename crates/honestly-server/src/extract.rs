//! `Query` and `Path` extractors whose rejections are [`ApiError`]s (axum's own answer in
//! `text/plain`), and the mapping of multipart rejections, so a malformed query string, path
//! or upload gets the same error shape as everything else (see also [`crate::json`]).

use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::FromRequestParts;

use crate::error::ApiError;

/// The query string as `T`; a query `T` cannot hold is a 400 `VALIDATION_FAILED`.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// Path parameters as `T`; a parameter `T` cannot hold (not UTF-8, say) names nothing: 404.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        let reason = rejection.body_text();
        let reason = reason.strip_prefix("Failed to deserialize query string: ").unwrap_or(&reason);
        let reason: String = reason.chars().take(300).collect();
        ApiError::validation(format!("Invalid query string: {reason}"))
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        match rejection {
            PathRejection::FailedToDeserializePathParams(e) => {
                ApiError::not_found().with_cause(e.body_text())
            }
            other => ApiError::internal(other.body_text()),
        }
    }
}

impl From<MultipartRejection> for ApiError {
    fn from(rejection: MultipartRejection) -> Self {
        ApiError::validation("Expected a multipart/form-data body").with_cause(rejection.body_text())
    }
}
