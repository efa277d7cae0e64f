//! Unknown routes and wrong methods, answered in the error shape.

use crate::error::ApiError;

/// 404 for a path no route matches.
pub async fn not_found() -> ApiError {
    ApiError::not_found()
}

/// 405 for a known path with another method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}
