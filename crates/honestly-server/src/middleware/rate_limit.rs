//! The general limiter: GCRA per client IP on public routes, `X-RateLimit-*` on every answer,
//! 429 with `Retry-After` when the burst is spent.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use honestly_core::ratelimit::Quota;
use honestly_core::request::RequestContext;

use crate::error::ApiError;
use crate::state::AppState;

/// Counts the request against its client's quota.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let settings = state.config.rate_limit;
    if !settings.enabled {
        return next.run(req).await;
    }
    let Some(ip) = req.extensions().get::<Arc<RequestContext>>().map(|c| c.client_ip()) else {
        return ApiError::internal("the request context is missing").into_response();
    };
    let quota = Quota { burst: settings.burst, per_minute: settings.per_minute };
    let decision = state.limiter.check(&format!("ip:{ip}"), quota).await;
    if !decision.allowed {
        tracing::info!(client_ip = %ip, "rate limit exceeded");
        return ApiError::rate_limited(decision).into_response();
    }
    let mut response = next.run(req).await;
    // A narrower limit that refused the request inside (an agent's quota) keeps its figures.
    let headers = response.headers_mut();
    headers.entry("x-ratelimit-limit").or_insert(HeaderValue::from(decision.limit));
    headers.entry("x-ratelimit-remaining").or_insert(HeaderValue::from(decision.remaining));
    response
}
