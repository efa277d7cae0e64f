//! Development only: adds the logged cause of a 5xx to its body as `error.detail`, to save a
//! trip to the logs. Never installed in production.

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::BodyExt;

use crate::error::ErrorDetail;

/// Largest error body this middleware will rewrite.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Rewrites 5xx error bodies that carry an [`ErrorDetail`].
pub async fn layer(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let Some(ErrorDetail(detail)) = response.extensions().get::<ErrorDetail>().cloned() else {
        return response;
    };
    let (parts, body) = response.into_parts();
    let Ok(collected) = http_body_util::Limited::new(body, MAX_ERROR_BODY).collect().await else {
        return Response::from_parts(parts, Body::empty());
    };
    let bytes = collected.to_bytes();
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(mut value) => {
            if let Some(error) = value.get_mut("error").and_then(|e| e.as_object_mut()) {
                error.insert("detail".into(), serde_json::Value::String(detail));
            }
            Body::from(serde_json::to_vec(&value).unwrap_or_else(|_| bytes.to_vec()))
        }
        Err(_) => Body::from(bytes),
    };
    let mut response = Response::from_parts(parts, body);
    response.headers_mut().remove(axum::http::header::CONTENT_LENGTH);
    response
}
