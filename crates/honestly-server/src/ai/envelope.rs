//! Every `/ai/*` answer — success, refusal, or an error raised by any layer (body limit, rate
//! limit, timeout, unknown route) — leaves in one envelope:
//! `{"success", "data", "error", "metadata": {"request_id", "timestamp", "agent_id"}}`.
//! Handlers answer plain JSON and tag the response with the agent ([`AgentTag`]); this layer
//! wraps it, records the interaction for monitoring and gives the audit trail its reason
//! ([`AuditNote`]).

use std::time::Instant;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use honestly_core::clock::now_rfc3339;
use serde_json::{json, Value};

use super::interactions::Interaction;
use crate::middleware::request_id::RequestId;
use crate::state::AppState;

/// The agent a response is about (as authenticated, or as claimed when refused).
#[derive(Debug, Clone, Default)]
pub struct AgentTag(pub Option<String>);

/// `response` tagged with the agent it concerns (read by this layer for `metadata.agent_id`).
pub fn tag_agent(agent_id: Option<&str>, response: impl axum::response::IntoResponse) -> Response {
    let mut response = response.into_response();
    response.extensions_mut().insert(AgentTag(agent_id.map(str::to_string)));
    response
}

/// The reason the audit trail records for a request (instead of the bare status).
#[derive(Debug, Clone)]
pub struct AuditNote(pub String);

/// Largest handler answer the layer wraps (every `/ai/*` answer is far smaller).
const MAX_WRAPPED: usize = 4 * 1024 * 1024;

/// The interaction name of an `/ai/*` request.
fn action_of(method: &Method, path: &str) -> &'static str {
    match (method.as_str(), path.trim_end_matches('/')) {
        (_, "/ai/verify-proof") => "verify_proof",
        (_, "/ai/verify-proofs-batch") => "verify_proofs_batch",
        (_, "/ai/get-document-hash") => "get_document_hash",
        (_, "/ai/create-share-link") => "create_share_link",
        (_, "/ai/health") => "health",
        ("POST", "/ai/agents") => "create_agent",
        ("GET", "/ai/agents") => "list_agents",
        ("GET", p) if p.starts_with("/ai/agents/") => "get_agent",
        ("DELETE", p) if p.starts_with("/ai/agents/") => "delete_agent",
        _ => "unknown",
    }
}

/// Wraps `/ai/*` answers in the envelope; other paths pass untouched.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path != "/ai" && !path.starts_with("/ai/") {
        return next.run(req).await;
    }
    let action = action_of(req.method(), path);
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let started = Instant::now();
    let response = next.run(req).await;
    let (mut parts, body) = response.into_parts();
    let agent_id = parts.extensions.get::<AgentTag>().and_then(|t| t.0.clone());
    let payload = match to_bytes(body, MAX_WRAPPED).await {
        Ok(bytes) if bytes.is_empty() => Value::Null,
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        Err(e) => {
            tracing::error!(error = %e, "cannot read an /ai answer to wrap it");
            Value::Null
        }
    };
    let success = parts.status.is_success();
    let (data, error) = if success {
        (payload, Value::Null)
    } else {
        let error = payload
            .get("error")
            .cloned()
            .unwrap_or_else(|| json!({"code": "INTERNAL", "message": "Internal server error"}));
        (Value::Null, error)
    };
    let error_code = error.get("code").and_then(Value::as_str).map(str::to_string);
    let timestamp = now_rfc3339();
    let envelope = json!({
        "success": success,
        "data": data,
        "error": error,
        "metadata": {"request_id": request_id, "timestamp": timestamp, "agent_id": agent_id},
    });
    if let (Some(code), None) = (&error_code, parts.extensions.get::<AuditNote>()) {
        let note = match &agent_id {
            Some(agent) => format!("{code} (agent {agent})"),
            None => code.clone(),
        };
        parts.extensions.insert(AuditNote(note));
    }
    state.ai_interactions.record(Interaction {
        agent_id,
        action: action.to_string(),
        success,
        timestamp,
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        error: error_code,
    });
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(envelope.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_their_actions() {
        assert_eq!(action_of(&Method::POST, "/ai/verify-proof"), "verify_proof");
        assert_eq!(action_of(&Method::POST, "/ai/verify-proofs-batch"), "verify_proofs_batch");
        assert_eq!(action_of(&Method::GET, "/ai/health"), "health");
        assert_eq!(action_of(&Method::POST, "/ai/agents"), "create_agent");
        assert_eq!(action_of(&Method::DELETE, "/ai/agents/agt_1"), "delete_agent");
        assert_eq!(action_of(&Method::GET, "/ai/nothing"), "unknown");
    }
}
