//! Content negotiation between the JSON API and the HTML pages.
//!
//! JSON stays the default: a request gets HTML only when its `Accept` header names `text/html`
//! (or `application/xhtml+xml`) explicitly with a higher quality than anything that would match
//! JSON (`application/json`, `application/*`, `*/*`). A browser's
//! `text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8` prefers HTML; `*/*`, no
//! header, or a tie keep JSON.

use axum::http::header::ACCEPT;
use axum::http::HeaderMap;

/// Quality (in thousandths) of one media range, `None` if it is malformed.
fn quality(params: &str) -> Option<u16> {
    for param in params.split(';') {
        let Some((name, value)) = param.split_once('=') else { continue };
        if name.trim().eq_ignore_ascii_case("q") {
            let q: f32 = value.trim().parse().ok()?;
            return (0.0..=1.0).contains(&q).then(|| (q * 1000.0).round() as u16);
        }
    }
    Some(1000)
}

/// Whether the request's `Accept` header prefers an HTML page to JSON.
pub fn prefers_html(headers: &HeaderMap) -> bool {
    let (mut html, mut json) = (0u16, 0u16);
    for value in headers.get_all(ACCEPT) {
        let Ok(value) = value.to_str() else { continue };
        for range in value.split(',') {
            let (media, params) = range.split_once(';').unwrap_or((range, ""));
            let Some(q) = quality(params) else { continue };
            let media = media.trim().to_ascii_lowercase();
            match media.as_str() {
                "text/html" | "application/xhtml+xml" => html = html.max(q),
                "application/json" | "application/*" | "*/*" => json = json.max(q),
                _ => {}
            }
        }
    }
    html > json
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(value: Option<&'static str>) -> bool {
        let mut headers = HeaderMap::new();
        if let Some(v) = value {
            headers.insert(ACCEPT, HeaderValue::from_static(v));
        }
        prefers_html(&headers)
    }

    #[test]
    fn browsers_get_html() {
        assert!(accept(Some(
            "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
        )));
        assert!(accept(Some("text/html")));
        assert!(accept(Some("application/json;q=0.5, text/html")));
    }

    #[test]
    fn api_clients_and_ties_get_json() {
        assert!(!accept(None));
        assert!(!accept(Some("*/*")));
        assert!(!accept(Some("application/json")));
        assert!(!accept(Some("application/json, text/html")));
        assert!(!accept(Some("text/html;q=0.5, */*")));
        assert!(!accept(Some("text/*")));
        assert!(!accept(Some("text/html;q=0")));
        assert!(!accept(Some("text/html;q=banana")));
    }
}
