//! `GET /openapi.json` and `GET /docs`: the machine-readable contract and a human page built
//! from it on the server (no script, no external assets, works offline).

use std::fmt::Write;
use std::sync::Arc;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine;
use sha2::{Digest, Sha256};
use utoipa::openapi::path::Operation;
use utoipa::openapi::OpenApi;

use crate::state::AppState;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.5}\
h1{font-size:1.6rem}section{border-top:1px solid #ccc;padding:.5rem 0}\
code{background:#f1f1f1;padding:.1rem .3rem;border-radius:3px}\
.m{display:inline-block;min-width:4.5rem;font-weight:700;font-family:monospace}\
.get{color:#0b5394}.post{color:#38761d}.delete{color:#990000}.put{color:#7f6000}\
ul{margin:.2rem 0 .6rem}";

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn render_operation(out: &mut String, method: &str, path: &str, op: &Operation) {
    let _ = write!(
        out,
        "<section><p><span class=\"m {m}\">{M}</span> <code>{p}</code></p>",
        m = method,
        M = method.to_uppercase(),
        p = escape(path)
    );
    if let Some(summary) = &op.summary {
        let _ = write!(out, "<p>{}</p>", escape(summary));
    }
    if let Some(description) = op.description.as_ref().filter(|d| Some(*d) != op.summary.as_ref()) {
        let _ = write!(out, "<p>{}</p>", escape(description));
    }
    out.push_str("<ul>");
    for (status, response) in &op.responses.responses {
        let text = match response {
            utoipa::openapi::RefOr::T(r) => r.description.clone(),
            utoipa::openapi::RefOr::Ref(r) => r.ref_location.clone(),
        };
        let _ = write!(out, "<li><code>{}</code> {}</li>", escape(status), escape(&text));
    }
    out.push_str("</ul></section>");
}

fn render_page(doc: &OpenApi) -> String {
    let mut body = String::new();
    for (path, item) in &doc.paths.paths {
        for (method, op) in [
            ("get", &item.get),
            ("post", &item.post),
            ("put", &item.put),
            ("delete", &item.delete),
            ("patch", &item.patch),
        ] {
            if let Some(op) = op {
                render_operation(&mut body, method, path, op);
            }
        }
    }
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title} — API reference</title><style>{STYLE}</style></head><body>\
         <header><h1>{title} {version}</h1><p>{desc}</p>\
         <p>Machine-readable contract: <a href=\"{OPENAPI_JSON}\">{OPENAPI_JSON}</a> (OpenAPI 3.1).</p></header>\
         <main>{body}</main></body></html>",
        title = escape(&doc.info.title),
        version = escape(&doc.info.version),
        desc = escape(doc.info.description.as_deref().unwrap_or("")),
    )
}

/// Where the OpenAPI document is served (the page links to it).
const OPENAPI_JSON: &str = "/openapi.json";

/// The page's Content-Security-Policy: nothing but its own style sheet.
fn page_csp() -> String {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
    format!("default-src 'none'; style-src 'sha256-{hash}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
}

/// `GET /openapi.json` and `GET /docs`, serving `doc` (rendered once, here).
pub fn router(doc: &OpenApi) -> Router<AppState> {
    let json: Arc<str> = doc.to_pretty_json().unwrap_or_else(|_| "{}".into()).into();
    let page: Arc<str> = render_page(doc).into();
    let csp: Arc<str> = page_csp().into();
    Router::new()
        .route(
            OPENAPI_JSON,
            get(move || {
                let json = Arc::clone(&json);
                async move { ([(header::CONTENT_TYPE, "application/json")], json.to_string()).into_response() }
            }),
        )
        .route(
            "/docs",
            get(move || {
                let (page, csp) = (Arc::clone(&page), Arc::clone(&csp));
                async move { docs_page(&page, &csp) }
            }),
        )
}

/// The human-readable API reference.
fn docs_page(page: &str, csp: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
            (header::CONTENT_SECURITY_POLICY, csp.to_string()),
        ],
        page.to_string(),
    )
        .into_response()
}
