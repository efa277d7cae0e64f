//! `Cache-Control: no-store` for every answer that carries a secret or private content (tokens,
//! an agent's secret, a share link's token or signed content URL, decrypted documents, an
//! export): no browser, proxy or CDN may keep a copy. Handlers wrap such answers in
//! [`NoStore`]; nothing else sets the header to `no-store`.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

/// An answer that no cache may store.
pub struct NoStore<T>(pub T);

impl<T: IntoResponse> IntoResponse for NoStore<T> {
    fn into_response(self) -> Response {
        let mut response = self.0.into_response();
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}
