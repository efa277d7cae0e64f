//! Every answered request becomes an audit event: `http <METHOD> <route template>` (never the
//! raw path: share URLs hold tokens), the status as outcome, the client address, the request
//! id and the actor. The actor starts `anonymous`; extractors that authenticate the caller
//! ([`crate::access::AuthUser`]) fill the [`ActorSlot`] this layer puts in the request's
//! extensions. The request id and client address are also made current
//! ([`RequestContext`]) so services can stamp their own events (`auth.login.failed`, …).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use honestly_core::audit::{AuditEvent, Outcome, RequestContext, ANONYMOUS};

use super::request_id::RequestId;
use crate::ai::AuditNote;
use crate::client_ip;
use crate::metrics::UNMATCHED_ROUTE;
use crate::state::AppState;

/// Who the request turned out to be, once an extractor authenticated it (`user:usr_…`,
/// `agent:…`). Shared between this layer and the handler's extractors.
#[derive(Debug, Clone, Default)]
pub struct ActorSlot(Arc<Mutex<Option<String>>>);

impl ActorSlot {
    /// Records the authenticated actor.
    pub fn set(&self, actor: impl Into<String>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(actor.into());
    }

    /// The actor, if one was recorded.
    pub fn get(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

/// The outcome of a status: 1xx–3xx success, 5xx error, other 4xx denied.
fn outcome(status: u16) -> Outcome {
    match status {
        500.. => Outcome::Error,
        400.. => Outcome::Denied,
        _ => Outcome::Success,
    }
}

/// Orchestrator probes, called every few seconds by every replica's kubelet and load
/// balancer: not audited (they touch no data and would drown the trail).
const PROBES: &[&str] = &["/monitoring/live", "/monitoring/ready", "/monitoring/health"];

/// Records the request after the inner service answered.
pub async fn layer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let route =
        req.extensions().get::<MatchedPath>().map_or(UNMATCHED_ROUTE, MatchedPath::as_str).to_string();
    if PROBES.contains(&route.as_str()) {
        return next.run(req).await;
    }
    let action = format!("http {} {}", req.method(), route);
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let ip = client_ip::resolve(peer, req.headers(), &state.config.trusted_proxies).to_string();
    let slot = ActorSlot::default();
    req.extensions_mut().insert(slot.clone());
    let context = RequestContext { request_id: request_id.clone(), client_ip: Some(ip.clone()) };
    let response = context.scope(next.run(req)).await;
    let status = response.status().as_u16();
    let actor = slot.get().unwrap_or_else(|| ANONYMOUS.to_string());
    let mut event = AuditEvent::new(actor, action, outcome(status)).client_ip(ip);
    if let Some(id) = request_id {
        event = event.request_id(id);
    }
    if let Some(note) = response.extensions().get::<AuditNote>() {
        event = event.reason(note.0.clone());
    } else if status >= 400 {
        event = event.reason(format!("status {status}"));
    }
    // Waits for room in the audit queue: a flood slows down instead of growing memory.
    state.audit.record_waiting(event).await;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_outcomes() {
        assert_eq!(outcome(200), Outcome::Success);
        assert_eq!(outcome(204), Outcome::Success);
        assert_eq!(outcome(304), Outcome::Success);
        assert_eq!(outcome(401), Outcome::Denied);
        assert_eq!(outcome(404), Outcome::Denied);
        assert_eq!(outcome(429), Outcome::Denied);
        assert_eq!(outcome(500), Outcome::Error);
        assert_eq!(outcome(503), Outcome::Error);
    }
}
