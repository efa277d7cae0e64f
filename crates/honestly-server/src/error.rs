//! The one error type of the HTTP layer, rendered in the contract's single error shape:
//! `{"error": {"code", "message", "error_id", "fields"?, "detail"?}}`.
//!
//! The client sees a stable `code` and a safe message; the cause is logged under the same
//! `error_id` with its whole chain of sources. 5xx messages never carry internal detail; in
//! development a middleware adds the cause as `detail` (see `middleware::error_detail`).
//! The domain's errors become `ApiError`s in [`crate::error_map`].

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use honestly_core::error::{chain, FieldErrors};
use honestly_core::ids::ErrorId;
use honestly_core::ratelimit::Decision;
use serde::Serialize;

/// What went wrong behind an error, kept for the log.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

/// An error answer: status, stable code, safe message, and an optional logged cause (boxed:
/// errors travel in `Result`s on every path and are rare).
#[derive(Debug)]
pub struct ApiError(Box<Inner>);

#[derive(Debug)]
struct Inner {
    status: StatusCode,
    code: &'static str,
    message: Cow<'static, str>,
    fields: Option<BTreeMap<String, String>>,
    cause: Option<Cause>,
    rate_limit: Option<Decision>,
    retry_after: Option<Duration>,
}

/// The cause of a 5xx, carried in response extensions so the development-only middleware can
/// show it; it never reaches a production body.
#[derive(Debug, Clone)]
pub struct ErrorDetail(pub String);

/// The JSON body of every error.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error itself.
    pub error: ErrorContent,
}

// Also carried in the response's extensions, so layers that re-shape error answers (the `/ai`
// envelope, development detail) never parse a body.
/// What went wrong, safely worded.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorContent {
    /// Stable machine-readable code (`NOT_FOUND`, `VALIDATION_FAILED`, …).
    pub code: String,
    /// Human-readable message without internal detail.
    pub message: String,
    /// Identifier of this occurrence, also written to the server log.
    pub error_id: String,
    /// Per-field reasons for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
    /// The logged cause of a 5xx, in development only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(ignore)]
    pub detail: Option<String>,
}

impl ErrorContent {
    /// The body that carries this error.
    pub fn into_response(self, status: StatusCode) -> Response {
        let mut response = (status, axum::Json(ErrorBody { error: self.clone() })).into_response();
        response.extensions_mut().insert(self);
        response
    }
}

impl ApiError {
    /// An error of any status and code.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self(Box::new(Inner {
            status,
            code,
            message: message.into(),
            fields: None,
            cause: None,
            rate_limit: None,
            retry_after: None,
        }))
    }

    /// 400: the request is malformed or breaks a rule.
    pub fn validation(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "VALIDATION_FAILED", message)
    }

    /// 400 with per-field reasons.
    pub fn validation_fields(fields: FieldErrors) -> Self {
        let mut e = Self::validation("Validation failed");
        e.0.fields = Some(fields.into_map());
        e
    }

    /// This error with per-field reasons.
    pub fn with_fields(mut self, fields: FieldErrors) -> Self {
        self.0.fields = Some(fields.into_map());
        self
    }

    /// 401: missing or bad credentials.
    pub fn unauthorized(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", message)
    }

    /// 403: authenticated but not allowed.
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "FORBIDDEN", "Forbidden")
    }

    /// 404: does not exist, or is not yours (the two are indistinguishable).
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "NOT_FOUND", "Not found")
    }

    /// 405: the route exists but not with this method.
    pub fn method_not_allowed() -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "Method not allowed")
    }

    /// 409: conflicts with existing state.
    pub fn conflict(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::CONFLICT, "CONFLICT", message)
    }

    /// 413: the body is larger than allowed.
    pub fn payload_too_large() -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE", "Request body too large")
    }

    /// 415: the body is not JSON.
    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "Expected Content-Type: application/json",
        )
    }

    /// 429 with `Retry-After` and `X-RateLimit-*` taken from the limiter's decision.
    pub fn rate_limited(decision: Decision) -> Self {
        let mut e = Self::new(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED", "Too many requests");
        e.0.rate_limit = Some(decision);
        e
    }

    /// 503: a dependency is down or the server is overloaded.
    pub fn unavailable(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE", message)
    }

    /// This error with `Retry-After` (whole seconds, at least 1): when to try again.
    pub fn with_retry_after(mut self, after: Duration) -> Self {
        self.0.retry_after = Some(after);
        self
    }

    /// 500 with a cause that is logged, never shown in production.
    pub fn internal(cause: impl Into<Cause>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "Internal server error").with_cause(cause)
    }

    /// Attaches a cause for the log (any status): an error, whose sources are logged too, or
    /// words.
    pub fn with_cause(mut self, cause: impl Into<Cause>) -> Self {
        self.0.cause = Some(cause.into());
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.0.code
    }
}

impl From<FieldErrors> for ApiError {
    fn from(fields: FieldErrors) -> Self {
        ApiError::validation_fields(fields)
    }
}

fn header_secs(d: Duration) -> HeaderValue {
    let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    HeaderValue::from(secs.max(1))
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let Inner { status, code, message, fields, cause, rate_limit, retry_after } = *self.0;
        let error_id = ErrorId::generate();
        let cause = cause.as_deref().map(|c| chain(c)).unwrap_or_default();
        if status.is_server_error() {
            tracing::error!(%error_id, code, %cause, "request failed");
        } else {
            tracing::debug!(%error_id, code, %cause, "request refused");
        }
        let content = ErrorContent {
            code: code.into(),
            message: message.into_owned(),
            error_id: error_id.into_string(),
            fields,
            detail: None,
        };
        let mut response = content.into_response(status);
        if let Some(decision) = rate_limit {
            let headers = response.headers_mut();
            headers.insert(header::RETRY_AFTER, header_secs(decision.retry_after));
            headers.insert("x-ratelimit-limit", HeaderValue::from(decision.limit));
            headers.insert("x-ratelimit-remaining", HeaderValue::from(decision.remaining));
        }
        if let Some(after) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, header_secs(after));
        }
        if status.is_server_error() && !cause.is_empty() {
            response.extensions_mut().insert(ErrorDetail(cause));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("the vault cannot open a document")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn the_logged_cause_is_the_whole_chain_and_the_body_never_shows_it() {
        let cause = Outer(std::io::Error::other("disk on fire"));
        let response = ApiError::internal(cause).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let detail = response.extensions().get::<ErrorDetail>().expect("detail for the log").0.clone();
        assert_eq!(detail, "the vault cannot open a document: disk on fire");
        let content = response.extensions().get::<ErrorContent>().expect("content for the layers");
        assert_eq!((content.code.as_str(), content.message.as_str()), ("INTERNAL", "Internal server error"));
        assert_eq!(content.detail, None);
    }
}
