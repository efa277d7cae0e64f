//! Extractors shared by the handlers: the request's context and client address, and `Query` and
//! `Path` whose rejections are [`ApiError`]s (axum's own answer is `text/plain`), plus the
//! mapping of multipart rejections, so a malformed query string, path or upload gets the same
//! error shape as everything else (see also [`crate::json`]).

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use honestly_core::request::RequestContext;

use crate::error::ApiError;

/// The query string as `T`; a query `T` cannot hold is a 400 `VALIDATION_FAILED`.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// Path parameters as `T`; a parameter `T` cannot hold (not UTF-8, not an id of the right
/// kind) names nothing: 404.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// The request's context, made by the context middleware for every request.
#[derive(Debug, Clone)]
pub struct Ctx(pub Arc<RequestContext>);

impl Ctx {
    /// The context of the request in `parts`.
    pub fn of(parts: &Parts) -> Result<Self, ApiError> {
        parts.extensions.get::<Arc<RequestContext>>().cloned().map(Ctx).ok_or_else(|| {
            ApiError::internal("the request context is missing: is the context layer installed?")
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ctx::of(parts)
    }
}

/// The client's address, as the context middleware resolved it.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(Ctx::of(parts)?.0.client_ip()))
    }
}

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
