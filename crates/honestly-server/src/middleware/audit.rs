//! Every answered request becomes an audit event: `http <METHOD> <route template>` (never the
//! raw path: share URLs hold tokens), the status as outcome, and from the request context the
//! client address, the request id, the actor (`anonymous` until an extractor authenticated the
//! caller) and the reason a handler or layer noted.

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use honestly_core::audit::{Actor, AuditEvent, AuditLog, Outcome};
use honestly_core::request::RequestContext;

use crate::metrics::UNMATCHED_ROUTE;

/// What the audit layer needs: the trail, and the route templates it leaves out.
#[derive(Clone)]
pub struct AuditLayer {
    /// The trail's batching writer.
    pub log: AuditLog,
    /// Orchestrator probes, called every few seconds by every replica's kubelet and load
    /// balancer: not audited (they touch no data and would drown the trail).
    pub unaudited: Arc<HashSet<String>>,
}

/// The outcome of a status: 1xx–3xx success, 5xx error, other 4xx denied.
fn outcome(status: u16) -> Outcome {
    match status {
        500.. => Outcome::Error,
        400.. => Outcome::Denied,
        _ => Outcome::Success,
    }
}

/// Records the request after the inner service answered.
pub async fn layer(State(audit): State<AuditLayer>, req: Request, next: Next) -> Response {
    let route =
        req.extensions().get::<MatchedPath>().map_or(UNMATCHED_ROUTE, MatchedPath::as_str).to_string();
    if audit.unaudited.contains(&route) {
        return next.run(req).await;
    }
    let action = format!("http {} {}", req.method(), route);
    let ctx = req.extensions().get::<Arc<RequestContext>>().cloned();
    let response = next.run(req).await;
    let status = response.status().as_u16();
    let actor = ctx.as_ref().map_or(Actor::Anonymous, |c| c.actor());
    let mut event = AuditEvent::new(actor, action, outcome(status));
    if let Some(ctx) = &ctx {
        event = event.client_ip(ctx.client_ip().to_string()).request_id(ctx.request_id());
    }
    if let Some(note) = ctx.as_ref().and_then(|c| c.audit_note()) {
        event = event.reason(note);
    } else if status >= 400 {
        event = event.reason(format!("status {status}"));
    }
    // Waits for room in the audit queue: a flood slows down instead of growing memory.
    audit.log.record_waiting(event).await;
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
