//! The request context, made once per request before anything else runs: the request id
//! (`X-Request-ID`: the client's when it is a sane token, else a fresh one; echoed on the
//! response and carried in the request's tracing span), the client address (resolved once, see
//! [`crate::client_ip`]) and the slots the layers and handlers fill in as they learn who is
//! calling. The context is in the request's extensions (read with [`crate::extract::Ctx`]) and
//! current for the services below (`honestly_core::request::current`).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use honestly_core::ids::RequestId;
use honestly_core::request::RequestContext;
use tracing::Instrument;

use crate::client_ip;
use crate::state::AppState;

/// Header carrying the id in both directions.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

fn is_sane(value: &str) -> bool {
    (1..=128).contains(&value.len())
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Makes the context, opens the request span and stamps the response with the request id.
pub async fn layer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_sane(v))
        .map(str::to_owned)
        .unwrap_or_else(|| RequestId::generate().into_string());
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let ip = client_ip::resolve(peer, req.headers(), &state.config.trusted_proxies);
    let ctx = RequestContext::new(id.clone(), ip);
    req.extensions_mut().insert(Arc::clone(&ctx));
    let span = tracing::info_span!("request", request_id = %id, method = %req.method());
    let mut response = ctx.scope(next.run(req)).instrument(span).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_sane_ids_are_echoed() {
        assert!(super::is_sane("abc-123_x.y:z"));
        assert!(!super::is_sane(""));
        assert!(!super::is_sane("has space"));
        assert!(!super::is_sane(&"a".repeat(129)));
    }
}
