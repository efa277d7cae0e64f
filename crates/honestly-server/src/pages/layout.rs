//! The frame every page shares: the document skeleton, one stylesheet allowed by its hash, and
//! the response headers (the pages' own strict `Content-Security-Policy`, `no-store`). The
//! other security headers come from the usual middleware.

use std::sync::OnceLock;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use sha2::{Digest, Sha256};

use crate::no_store::NoStore;

/// The only stylesheet, inline and allowed by its SHA-256 (no `'unsafe-inline'`). Mobile first:
/// one column at 375 px, contrast ≥ 7:1 for body text.
pub const STYLE: &str = "*{box-sizing:border-box}\
body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.5;color:#1a1a1a;background:#f6f7f9}\
header,main,footer{max-width:40rem;margin:0 auto;padding:1rem;overflow-wrap:anywhere}\
header p{margin:0;font-weight:700;color:#374151}\
h1{font-size:1.45rem;line-height:1.3;margin:.25rem 0 1rem}\
h2{font-size:1.1rem;margin:1.75rem 0 .5rem}\
.status{border:2px solid;border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem}\
.status strong{display:block;font-size:1.2rem}\
.ok{background:#e6f4ea;border-color:#1e6b34;color:#0f3d1f}\
.bad{background:#fdecea;border-color:#a4161a;color:#6b1014}\
.none{background:#eef1f5;border-color:#4b5563;color:#1f2937}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:0}\
dt{font-weight:700;color:#374151}\
dd{margin:0;overflow-wrap:anywhere}\
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9rem}\
pre{background:#1f2430;color:#f3f4f6;padding:.75rem;border-radius:.4rem;white-space:pre-wrap;overflow-wrap:anywhere}\
.qr{display:block;width:12rem;height:12rem;max-width:100%;image-rendering:pixelated;background:#fff;border:1px solid #9ca3af}\
a{color:#0b4f9c}\
label{display:block;font-weight:700;margin-bottom:.35rem}\
input{width:100%;font-size:1rem;padding:.6rem;border:1px solid #4b5563;border-radius:.4rem}\
button{margin-top:.75rem;font-size:1rem;padding:.6rem 1.25rem;border:0;border-radius:.4rem;background:#0b4f9c;color:#fff}\
.error{color:#6b1014;font-weight:700}\
footer{color:#4b5563;font-size:.85rem}\
:focus-visible{outline:3px solid #b45309;outline-offset:2px}\
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;margin:.5rem 0 0;padding:0;align-items:center}\
nav form{margin:0}nav button{margin:0;padding:.35rem .9rem}\
select{width:100%;font-size:1rem;padding:.6rem;border:1px solid #4b5563;border-radius:.4rem;background:#fff}\
.field{margin:0 0 1rem}.hint{color:#374151;font-size:.9rem;margin:.25rem 0 0}\
.danger{background:#a4161a}.secondary{background:#374151}\
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:.4rem;border-bottom:1px solid #d1d5db;vertical-align:top}\
.card{background:#fff;border:1px solid #d1d5db;border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem}\
input[type=radio]{width:auto;margin-right:.5rem}fieldset{border:1px solid #9ca3af;border-radius:.5rem}\
fieldset label{display:inline;font-weight:400}legend{font-weight:700}\
input[type=checkbox]{width:auto;margin-right:.5rem}label.inline{display:inline;font-weight:400}.qr svg{width:100%;height:100%}\
@media (max-width:30rem){dl{grid-template-columns:1fr;gap:0}dt{margin-top:.5rem}}";

/// The pages' policy: nothing loads but same-origin images and the one stylesheet; forms post
/// only to this origin; no framing, no `<base>`.
pub fn csp() -> &'static str {
    static CSP: OnceLock<String> = OnceLock::new();
    CSP.get_or_init(|| {
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
        format!(
            "default-src 'none'; style-src 'sha256-{hash}'; img-src 'self'; form-action 'self'; \
             base-uri 'none'; frame-ancestors 'none'"
        )
    })
}

/// The pages' policy with `form-action` allowing `origin` too: for the one page whose forms'
/// answer leads to another site (a proof request's page, when its verifier gave a
/// `redirect_url`: browsers hold the redirect after a form's `POST` to `form-action`).
/// `origin` is `scheme://host[:port]` as [`redirect_origin`] gives it.
pub fn csp_with_form_action(origin: &str) -> String {
    csp().replacen("form-action 'self';", &format!("form-action 'self' {origin};"), 1)
}

/// The origin of `url` (`scheme://host[:port]`) when it is an `http` or `https` URL whose
/// origin can stand in a policy as it is: ASCII host letters, digits, `.`, `-`, `:` and the
/// brackets of an IPv6 address only (nothing that could end or add a directive).
pub fn redirect_origin(url: &str) -> Option<String> {
    let parsed = reqwest::Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    let origin = parsed.origin().ascii_serialization();
    let (scheme, authority) = origin.split_once("://")?;
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
    (matches!(scheme, "http" | "https") && !authority.is_empty() && authority.chars().all(plain))
        .then_some(origin)
}

/// A whole HTML document titled `title` around `main`.
pub fn document(title: &str, main: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Honestly" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header { p { "Honestly · proof vault" } }
                main { (main) }
                footer {
                    p { "Shared with Honestly. Zero-knowledge proofs let someone prove a fact about a document without showing the document." }
                }
            }
        }
    }
}

/// `page` as a response with `status`, the pages' policy and `Cache-Control: no-store`.
pub fn respond(status: StatusCode, page: Markup) -> Response {
    respond_with_policy(status, page, csp())
}

/// `page` as a response with `status`, the security policy `policy` and `no-store`.
pub fn respond_with_policy(status: StatusCode, page: Markup, policy: &str) -> Response {
    let mut response = NoStore((status, page.into_string())).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    match HeaderValue::from_str(policy) {
        Ok(value) => headers.insert(header::CONTENT_SECURITY_POLICY, value),
        Err(_) => headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(csp()).expect("the policy is ASCII"),
        ),
    };
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_exactly_the_stylesheet_and_no_inline_code() {
        let csp = csp();
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
        assert!(csp.contains(&format!("style-src 'sha256-{hash}'")));
        assert!(!csp.contains("unsafe"));
        assert!(csp.starts_with("default-src 'none';"));
        let page = document("t", html! { p { "<b>" } }).into_string();
        assert!(page.contains(&format!("<style>{STYLE}</style>")), "the stylesheet is emitted byte for byte");
        assert!(page.contains("&lt;b&gt;") && !page.contains("<script"));
    }

    #[test]
    fn a_redirect_origin_widens_form_action_only() {
        assert_eq!(
            redirect_origin("https://Bar.example:8443/welcome?x=1#y").as_deref(),
            Some("https://bar.example:8443")
        );
        assert_eq!(redirect_origin("http://localhost:80/a").as_deref(), Some("http://localhost"));
        assert_eq!(redirect_origin("http://[::1]:9/").as_deref(), Some("http://[::1]:9"));
        for refused in
            ["javascript:alert(1)", "ftp://x.example/", "https://a;sandbox/", "https://a'b/", "not a url"]
        {
            assert_eq!(redirect_origin(refused), None, "{refused}");
        }
        let wide = csp_with_form_action("https://bar.example");
        assert_eq!(wide.replace(" https://bar.example;", ";"), csp());
        assert!(wide.contains("form-action 'self' https://bar.example;"), "{wide}");
    }
}
