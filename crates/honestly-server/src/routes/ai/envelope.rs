//! Every `/ai/*` answer — success, refusal, or an error raised by any layer (body limit, rate
//! limit, timeout, unknown route) — leaves in one envelope:
//! `{"success", "data", "error", "metadata": {"request_id", "timestamp", "agent_id"}}`.
//!
//! Handlers answer with an [`AiReply`], whose data they serialise once; errors carry their
//! [`ErrorContent`] in the response. This layer builds the envelope from those two (it never
//! parses a body), takes the request id and the agent from the request context, records the
//! interaction for monitoring and gives the audit trail its reason.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use honestly_core::clock::Timestamp;
use honestly_core::request::RequestContext;
use serde::Serialize;
use serde_json::value::RawValue;
use utoipa::ToSchema;

use super::actions::Actions;
use crate::error::{ApiError, ErrorContent};
use crate::interactions::{AiInteractions, Interaction};

/// The path every route of the agent API starts with; answers under it are enveloped (even
/// for paths no route matches).
pub const AI_PREFIX: &str = "/ai";

/// Whether `path` is under [`AI_PREFIX`].
pub fn is_ai_path(path: &str) -> bool {
    path.strip_prefix(AI_PREFIX).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The envelope every `/ai/*` answer is wrapped in.
#[derive(ToSchema)]
#[allow(dead_code)] // Documentation only: [`layer`] writes the envelope.
pub struct AiEnvelope {
    /// Whether the call succeeded (2xx).
    success: bool,
    /// The answer's data on success (its members depend on the route, see its description).
    #[schema(value_type = Option<crate::openapi::JsonObject>)]
    data: Option<serde_json::Value>,
    /// The error otherwise.
    error: Option<ErrorContent>,
    /// About the call.
    metadata: EnvelopeMetadata,
}

/// The `metadata` of an `/ai` envelope.
#[derive(ToSchema)]
#[allow(dead_code)] // Documentation only.
pub struct EnvelopeMetadata {
    /// The request's `X-Request-ID`.
    request_id: String,
    /// RFC 3339, when the answer was made.
    timestamp: String,
    /// The agent the request named (as authenticated, or as claimed when refused).
    agent_id: Option<String>,
}

/// What the envelope layer needs: where interactions are recorded, and each route's action.
#[derive(Clone)]
pub struct EnvelopeLayer {
    /// The latest agent calls.
    pub interactions: Arc<AiInteractions>,
    /// The action of each `/ai` route.
    pub actions: Arc<Actions>,
}

/// A successful `/ai` answer: a status and the data, serialised once.
pub struct AiReply {
    status: StatusCode,
    data: Box<RawValue>,
}

/// The data of an [`AiReply`], carried to the envelope layer in the response's extensions.
#[derive(Clone)]
struct Payload(Box<RawValue>);

impl AiReply {
    /// `200` with `data`.
    pub fn ok(data: &impl Serialize) -> Result<Self, ApiError> {
        Self::with_status(StatusCode::OK, data)
    }

    /// `201` with `data`.
    pub fn created(data: &impl Serialize) -> Result<Self, ApiError> {
        Self::with_status(StatusCode::CREATED, data)
    }

    fn with_status(status: StatusCode, data: &impl Serialize) -> Result<Self, ApiError> {
        let data = serde_json::value::to_raw_value(data).map_err(ApiError::internal)?;
        Ok(Self { status, data })
    }
}

impl IntoResponse for AiReply {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(Payload(self.data));
        response
    }
}

/// The error member of the envelope.
#[derive(Serialize)]
#[serde(untagged)]
enum ErrorPart {
    /// The error the answer carries.
    Known(ErrorContent),
    /// A failure that carries no error (never expected).
    Unknown { code: &'static str, message: &'static str },
}

#[derive(Serialize)]
struct Metadata<'a> {
    agent_id: Option<&'a str>,
    request_id: Option<&'a str>,
    timestamp: &'a Timestamp,
}

#[derive(Serialize)]
struct Envelope<'a> {
    data: Option<&'a RawValue>,
    error: Option<&'a ErrorPart>,
    metadata: Metadata<'a>,
    success: bool,
}

/// Wraps `/ai/*` answers in the envelope; other paths pass untouched.
pub async fn layer(State(layer): State<EnvelopeLayer>, req: Request, next: Next) -> Response {
    if !is_ai_path(req.uri().path()) {
        return next.run(req).await;
    }
    let template = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string());
    let action = template.and_then(|t| layer.actions.of(req.method(), &t)).unwrap_or("unknown");
    let ctx = req.extensions().get::<Arc<RequestContext>>().cloned();
    let started = Instant::now();
    let response = next.run(req).await;
    let (mut parts, _body) = response.into_parts();
    let success = parts.status.is_success();
    let payload = parts.extensions.remove::<Payload>();
    let error = (!success).then(|| match parts.extensions.get::<ErrorContent>() {
        Some(content) => ErrorPart::Known(content.clone()),
        None => ErrorPart::Unknown { code: "INTERNAL", message: "Internal server error" },
    });
    let error_code = error.as_ref().map(|e| match e {
        ErrorPart::Known(content) => content.code.clone(),
        ErrorPart::Unknown { code, .. } => (*code).to_string(),
    });
    let agent_id = ctx.as_ref().and_then(|c| c.agent());
    let timestamp = Timestamp::now();
    let envelope = Envelope {
        data: payload.as_ref().filter(|_| success).map(|p| &*p.0),
        error: error.as_ref(),
        metadata: Metadata {
            agent_id: agent_id.as_deref(),
            request_id: ctx.as_ref().map(|c| c.request_id()),
            timestamp: &timestamp,
        },
        success,
    };
    let body = serde_json::to_vec(&envelope).unwrap_or_default();
    if let (Some(code), Some(ctx)) = (&error_code, &ctx) {
        if ctx.audit_note().is_none() {
            ctx.note(match &agent_id {
                Some(agent) => format!("{code} (agent {agent})"),
                None => code.clone(),
            });
        }
    }
    layer.interactions.record(Interaction {
        agent_id,
        action: action.to_string(),
        success,
        timestamp: timestamp.rfc3339(),
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        error: error_code,
    });
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_is_a_whole_segment() {
        assert!(is_ai_path("/ai"));
        assert!(is_ai_path("/ai/verify-proof"));
        assert!(!is_ai_path("/aim"));
        assert!(!is_ai_path("/vault/ai"));
    }
}
