//! The one error type of the HTTP layer, rendered in the contract's single error shape:
//! `{"error": {"code", "message", "error_id", "fields"?, "detail"?}}`.
//!
//! The client sees a stable `code` and a safe message; the cause is logged with the same
//! `error_id`. 5xx messages never carry internal detail; in development a middleware adds the
//! cause as `detail` (see `middleware::error_detail`).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use honestly_core::agents::{AgentAuthError, AgentError, AgentVerifyError};
use honestly_core::auth::AuthError;
use honestly_core::documents::DocumentError;
use honestly_core::ids::{new_id, IdKind};
use honestly_core::links::LinkError;
use honestly_core::ratelimit::Decision;
use honestly_core::store::StoreError;
use honestly_core::zk::ProofError;
use serde::Serialize;

/// An error answer: status, stable code, safe message, and an optional logged cause.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: Cow<'static, str>,
    fields: Option<BTreeMap<String, String>>,
    cause: Option<String>,
    rate_limit: Option<Decision>,
}

/// The cause of a 5xx, carried in response extensions so the development-only middleware can
/// show it; it never reaches a production body.
#[derive(Debug, Clone)]
pub struct ErrorDetail(pub String);

/// The JSON body of every error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error itself.
    pub error: ErrorContent,
}

/// What went wrong, safely worded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
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
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self { status, code, message: message.into(), fields: None, cause: None, rate_limit: None }
    }

    /// 400: the request is malformed or breaks a rule.
    pub fn validation(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "VALIDATION_FAILED", message)
    }

    /// 400 with per-field reasons.
    pub fn validation_fields(fields: BTreeMap<String, String>) -> Self {
        let mut e = Self::validation("Validation failed");
        e.fields = Some(fields);
        e
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
        e.rate_limit = Some(decision);
        e
    }

    /// 503: a dependency is down or the server is overloaded.
    pub fn unavailable(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE", message)
    }

    /// 500 with a cause that is logged, never shown in production.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let mut e = Self::new(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "Internal server error");
        e.cause = Some(cause.to_string());
        e
    }

    /// Attaches a cause for the log (any status).
    pub fn with_cause(mut self, cause: impl std::fmt::Display) -> Self {
        self.cause = Some(cause.to_string());
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.code
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(cause) => {
                ApiError::unavailable("Storage temporarily unavailable").with_cause(cause)
            }
            StoreError::Conflict(cause) => ApiError::conflict("Conflict").with_cause(cause),
            StoreError::Internal(cause) => ApiError::internal(cause),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Validation(fields) => ApiError::validation_fields(fields),
            AuthError::RegistrationClosed => {
                let mut e = ApiError::forbidden();
                e.message = "Registration is closed".into();
                e
            }
            AuthError::UsernameTaken => ApiError::conflict("Username is already taken"),
            AuthError::InvalidCredentials => ApiError::unauthorized("Invalid username or password"),
            AuthError::LockedOut { retry_after } => ApiError::rate_limited(Decision {
                allowed: false,
                limit: honestly_core::auth::service::MAX_LOGIN_FAILURES,
                remaining: 0,
                retry_after,
            }),
            AuthError::InvalidToken => ApiError::unauthorized("Invalid or expired token"),
            AuthError::Busy => ApiError::unavailable("Server busy, retry shortly"),
            AuthError::Store(e) => e.into(),
        }
    }
}

impl From<ProofError> for ApiError {
    fn from(e: ProofError) -> Self {
        match e {
            ProofError::Validation(fields) => ApiError::validation_fields(fields),
            ProofError::FalseStatement(reason) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "STATEMENT_FALSE",
                "The statement is false: no proof exists for it",
            )
            .with_cause(reason),
            ProofError::NotFound => ApiError::not_found(),
            ProofError::Unavailable(cause) => {
                ApiError::unavailable("Temporarily unavailable, retry shortly").with_cause(cause)
            }
            ProofError::Internal(cause) => ApiError::internal(cause),
        }
    }
}

impl From<LinkError> for ApiError {
    fn from(e: LinkError) -> Self {
        match e {
            LinkError::Validation(fields) => ApiError::validation_fields(fields),
            LinkError::NotFound => ApiError::not_found(),
            LinkError::Passphrase => ApiError::unauthorized("Passphrase required or wrong"),
            LinkError::TooManyAttempts(decision) => ApiError::rate_limited(decision),
            LinkError::Busy => ApiError::unavailable("Server busy, retry shortly"),
            LinkError::Internal(cause) => ApiError::internal(cause),
        }
    }
}

impl From<DocumentError> for ApiError {
    fn from(e: DocumentError) -> Self {
        match e {
            DocumentError::Validation(fields) => ApiError::validation_fields(fields),
            DocumentError::NotFound => ApiError::not_found(),
            DocumentError::Busy => ApiError::unavailable("Server busy, retry shortly"),
            DocumentError::Vault(e) => ApiError::internal(format!("vault: {e}")),
            DocumentError::Store(e) => e.into(),
        }
    }
}

impl From<AgentAuthError> for ApiError {
    fn from(e: AgentAuthError) -> Self {
        match e {
            AgentAuthError::Malformed(err) => {
                ApiError::validation_fields(BTreeMap::from([(err.field, err.reason)]))
            }
            AgentAuthError::InvalidSignature { .. } => {
                ApiError::new(StatusCode::UNAUTHORIZED, "INVALID_SIGNATURE", "Missing or invalid signature")
            }
            AgentAuthError::Stale { .. } => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "STALE_REQUEST",
                "Request timestamp is outside the accepted window",
            ),
            AgentAuthError::WrongAction { .. } => ApiError::validation_fields(BTreeMap::from([(
                "action".to_string(),
                "does not match this route".to_string(),
            )])),
            AgentAuthError::RateLimited { decision, .. } => ApiError::rate_limited(decision),
            AgentAuthError::Replayed { .. } => ApiError::new(
                StatusCode::CONFLICT,
                "REPLAYED_REQUEST",
                "This signed request was already used",
            ),
            AgentAuthError::Unavailable(cause) => {
                ApiError::unavailable("Temporarily unavailable, retry shortly").with_cause(cause)
            }
        }
    }
}

impl From<AgentError> for ApiError {
    fn from(e: AgentError) -> Self {
        match e {
            AgentError::Validation(fields) => ApiError::validation_fields(fields),
            AgentError::NotFound => ApiError::not_found(),
            AgentError::TooMany => ApiError::conflict("Too many agents: delete one first"),
            AgentError::Store(e) => e.into(),
        }
    }
}

impl From<AgentVerifyError> for ApiError {
    fn from(e: AgentVerifyError) -> Self {
        match e {
            AgentVerifyError::Validation(fields) => ApiError::validation_fields(fields),
            AgentVerifyError::Busy => ApiError::unavailable("Server busy, retry shortly"),
            AgentVerifyError::Store(e) => e.into(),
        }
    }
}

fn header_secs(d: Duration) -> HeaderValue {
    let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    HeaderValue::from(secs.max(1))
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let error_id = new_id(IdKind::Error);
        if self.status.is_server_error() {
            tracing::error!(%error_id, code = self.code, cause = self.cause.as_deref().unwrap_or(""), "request failed");
        } else {
            tracing::debug!(%error_id, code = self.code, cause = self.cause.as_deref().unwrap_or(""), "request refused");
        }
        let body = ErrorBody {
            error: ErrorContent {
                code: self.code.into(),
                message: self.message.into_owned(),
                error_id,
                fields: self.fields,
            },
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(decision) = self.rate_limit {
            let headers = response.headers_mut();
            headers.insert(header::RETRY_AFTER, header_secs(decision.retry_after));
            headers.insert("x-ratelimit-limit", HeaderValue::from(decision.limit));
            headers.insert("x-ratelimit-remaining", HeaderValue::from(decision.remaining));
        }
        if self.status.is_server_error() {
            if let Some(cause) = self.cause {
                response.extensions_mut().insert(ErrorDetail(cause));
            }
        }
        response
    }
}
