//! Records every answered request under its route template and logs slow ones with their
//! request id.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use honestly_core::request::RequestContext;

use crate::metrics::UNMATCHED_ROUTE;
use crate::state::AppState;

/// Times the request and records it.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route =
        req.extensions().get::<MatchedPath>().map_or(UNMATCHED_ROUTE, MatchedPath::as_str).to_string();
    let key = format!("{} {}", req.method(), route);
    let request_id =
        req.extensions().get::<Arc<RequestContext>>().map(|c| c.request_id().to_string()).unwrap_or_default();
    let response = next.run(req).await;
    let latency = started.elapsed();
    let status = response.status().as_u16();
    let slow = latency > state.config.slow_request_threshold;
    if slow {
        tracing::warn!(
            %request_id,
            route = %key,
            status,
            latency_ms = latency.as_secs_f64() * 1000.0,
            threshold_ms = state.config.slow_request_threshold.as_secs_f64() * 1000.0,
            "slow request"
        );
    } else {
        tracing::debug!(route = %key, status, latency_ms = latency.as_secs_f64() * 1000.0, "request");
    }
    state.metrics.record(&key, status, latency, slow);
    response
}
