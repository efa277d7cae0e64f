//! The pages' small script (`/app/static/app.js`): upload progress on the upload form and copy
//! buttons beside the secrets shown once (a share link, a proof request's link, an agent's
//! secret). The pages that load it name it with its content hash (`?v=`), so a browser may
//! keep it for a year and still gets a new one with the next release; its `ETag` lets a
//! browser that asks again get a `304`. A page that loads it opts into `script-src 'self'`
//! ([`super::live::allow_script`]); every other page keeps the policy without scripts.

use std::sync::OnceLock;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::extract::Query;

/// A script served by the binary, named by its content: pages may ask for it with `?v=` and
/// its version (kept a year), or without (kept five minutes); its `ETag` answers a browser
/// that asks again with a `304`.
pub struct Script {
    body: &'static str,
    version: OnceLock<String>,
}

impl Script {
    /// The script `body`, byte for byte as served.
    pub const fn new(body: &'static str) -> Self {
        Self { body, version: OnceLock::new() }
    }

    /// The first 16 hex digits of its SHA-256.
    pub fn version(&self) -> &str {
        self.version.get_or_init(|| hex::encode(Sha256::digest(self.body.as_bytes()))[..16].to_string())
    }

    /// Its answer to a `GET` with `headers`, the page having asked for version `asked`.
    pub fn serve(&self, headers: &HeaderMap, asked: Option<&str>) -> Response {
        let etag = format!("\"{}\"", self.version());
        let cache = if asked == Some(self.version()) { IMMUTABLE } else { SHORT };
        let matches = headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag || tag.trim() == "*"));
        let common = [
            (header::CACHE_CONTROL, cache.to_string()),
            (header::ETAG, etag.clone()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ];
        if matches {
            return (StatusCode::NOT_MODIFIED, common).into_response();
        }
        let content_type = [(header::CONTENT_TYPE, "text/javascript; charset=utf-8".to_string())];
        (StatusCode::OK, content_type, common, self.body).into_response()
    }
}

/// The pages' script.
pub static APP: Script = Script::new(include_str!("static/app.js"));

/// Where the script is served.
pub const APP_JS_ROUTE: &str = "/app/static/app.js";

/// How long a browser keeps a script named by its current version (a year).
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// How long it keeps one asked for without the current version.
const SHORT: &str = "public, max-age=300";

/// The first 16 hex digits of the script's SHA-256: its version.
pub fn version() -> &'static str {
    APP.version()
}

/// The script's address with its version, as the pages name it.
pub fn app_js_path() -> String {
    format!("{APP_JS_ROUTE}?v={}", version())
}

/// The `<script>` element that loads it (deferred; no inline code).
pub fn app_script() -> Markup {
    html! { script src=(app_js_path()) defer {} }
}

/// The script's query: the version a page asked for.
#[derive(Deserialize)]
pub struct ScriptQuery {
    /// The version in the page's address of the script.
    pub v: Option<String>,
}

/// `GET /app/static/app.js`.
pub async fn script(headers: HeaderMap, Query(q): Query<ScriptQuery>) -> Response {
    APP.serve(&headers, q.v.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_is_named_by_its_content() {
        assert_eq!(version().len(), 16);
        assert!(app_js_path().ends_with(version()));
        let tag = app_script().into_string();
        assert_eq!(tag, format!("<script src=\"{}\" defer></script>", app_js_path()));
    }
}
