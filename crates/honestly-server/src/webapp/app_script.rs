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

/// The script, byte for byte as served.
pub const APP_JS: &str = include_str!("static/app.js");

/// Where the script is served.
pub const APP_JS_ROUTE: &str = "/app/static/app.js";

/// How long a browser keeps the script named by its current hash (a year).
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// How long it keeps it when asked without the current hash.
const SHORT: &str = "public, max-age=300";

/// The first 16 hex digits of the script's SHA-256: its version.
pub fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| hex::encode(Sha256::digest(APP_JS.as_bytes()))[..16].to_string())
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
    let etag = format!("\"{}\"", version());
    let cache = if q.v.as_deref() == Some(version()) { IMMUTABLE } else { SHORT };
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
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/javascript; charset=utf-8".to_string())], common, APP_JS)
        .into_response()
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
