//! `X-Request-ID`: echo the client's when it is a sane token, else generate one; carried in a
//! request extension, in the request's tracing span and on the response.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use honestly_core::ids::{new_id, IdKind};
use tracing::Instrument;

/// The id of the current request.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Header carrying the id in both directions.
pub const HEADER: &str = "x-request-id";

fn is_sane(value: &str) -> bool {
    (1..=128).contains(&value.len())
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Assigns the id, opens the request span and stamps the response.
pub async fn layer(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_sane(v))
        .map(str::to_owned)
        .unwrap_or_else(|| new_id(IdKind::Request));
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", request_id = %id, method = %req.method());
    let mut response = next.run(req).instrument(span).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
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
