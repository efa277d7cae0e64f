//! Development only: adds the logged cause of a 5xx to its body as `error.detail`, to save a
//! trip to the logs. Never installed in production.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{ErrorContent, ErrorDetail};

/// Rewrites 5xx error answers that carry an [`ErrorDetail`], from the error they carry (no
/// body is parsed).
pub async fn layer(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let (Some(ErrorDetail(detail)), Some(content)) = (
        response.extensions().get::<ErrorDetail>().cloned(),
        response.extensions().get::<ErrorContent>().cloned(),
    ) else {
        return response;
    };
    let (parts, _) = response.into_parts();
    let mut rewritten = ErrorContent { detail: Some(detail), ..content }.into_response(parts.status);
    for (name, value) in &parts.headers {
        if name != axum::http::header::CONTENT_LENGTH && name != axum::http::header::CONTENT_TYPE {
            rewritten.headers_mut().insert(name.clone(), value.clone());
        }
    }
    let extensions = rewritten.extensions().get::<ErrorContent>().cloned();
    *rewritten.extensions_mut() = parts.extensions;
    if let Some(content) = extensions {
        rewritten.extensions_mut().insert(content);
    }
    rewritten.into_response()
}
