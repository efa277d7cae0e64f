//! Cross-site request forgery defences, both applied to every `POST` of the web app:
//!
//! - **Origin check** (also the only defence of the signed-out forms, sign-in and register):
//!   a request whose `Sec-Fetch-Site` is `cross-site` or `same-site`, or whose `Origin` is not
//!   this server's own (the `Host` it was sent to, or `SHARE_LINK_BASE_URL`'s origin), is
//!   refused; `Origin: null` (what a browser sends for a page with `Referrer-Policy:
//!   no-referrer`) passes only with `Sec-Fetch-Site: same-origin`. Requests without these
//!   headers (non-browser clients) pass this check.
//! - **Session-bound token** (every signed-in form): a hidden field holding the hex
//!   HMAC-SHA256, under a key derived from `JWT_SECRET`, of the session's id. Every replica
//!   derives the same key, a token is only good for its session, and it is compared in
//!   constant time.

use axum::http::header::{HOST, ORIGIN};
use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use honestly_core::config::Config;
use honestly_core::ids::SessionId;
use secrecy::ExposeSecret;
use sha2::Sha256;

/// Domain separation of the CSRF key.
const KEY_LABEL: &[u8] = b"honestly.webapp.csrf.v1";

fn key(config: &Config) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(config.secrets.jwt_secret.expose_secret().as_bytes())
        .expect("HMAC takes any key length");
    mac.update(KEY_LABEL);
    mac.finalize().into_bytes().to_vec()
}

fn mac(config: &Config, session: &SessionId) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(&key(config)).expect("HMAC takes any key length");
    mac.update(session.as_str().as_bytes());
    mac
}

/// The CSRF token of `session`.
pub fn token(config: &Config, session: &SessionId) -> String {
    hex::encode(mac(config, session).finalize().into_bytes())
}

/// Whether `presented` is the CSRF token of `session` (constant-time comparison).
pub fn verify(config: &Config, session: &SessionId, presented: &str) -> bool {
    match hex::decode(presented) {
        Ok(bytes) if bytes.len() == 32 => mac(config, session).verify_slice(&bytes).is_ok(),
        _ => false,
    }
}

/// The `scheme://host[:port]` of a URL, lower-cased.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    Some(format!("{}://{}", scheme.to_ascii_lowercase(), authority.to_ascii_lowercase()))
}

/// Whether the request may have come from one of this server's own pages.
pub fn same_origin(config: &Config, headers: &HeaderMap) -> bool {
    from_own_page(&config.share_link_base_url, headers)
}

/// [`same_origin`] for a server whose public base URL is `base_url`.
fn from_own_page(base_url: &str, headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        if !matches!(site.to_str(), Ok("same-origin" | "none")) {
            return false;
        }
    }
    let Some(origin) = headers.get(ORIGIN) else { return true };
    // The pages' `Referrer-Policy: no-referrer` makes browsers send `Origin: null` with their
    // own form posts; then only a `Sec-Fetch-Site: same-origin` (checked above) vouches.
    if origin.as_bytes() == b"null" {
        return headers.get("sec-fetch-site").is_some_and(|s| s.as_bytes() == b"same-origin");
    }
    let Some(origin) = origin.to_str().ok().and_then(origin_of) else { return false };
    let host = headers.get(HOST).and_then(|h| h.to_str().ok()).map(str::to_ascii_lowercase);
    let authority = origin.split_once("://").map(|(_, a)| a.to_string());
    if host.is_some() && authority == host {
        return true;
    }
    origin_of(base_url).is_some_and(|own| own == origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_null_origin_passes_only_with_a_same_origin_fetch() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, v.parse().unwrap());
            }
            h
        };
        let host = ("host", "127.0.0.1:8000");
        assert!(from_own_page(
            "https://vault.example",
            &headers(&[host, ("origin", "null"), ("sec-fetch-site", "same-origin")])
        ));
        assert!(!from_own_page("https://vault.example", &headers(&[host, ("origin", "null")])));
        assert!(!from_own_page(
            "https://vault.example",
            &headers(&[host, ("origin", "null"), ("sec-fetch-site", "none")])
        ));
        assert!(!from_own_page(
            "https://vault.example",
            &headers(&[host, ("origin", "null"), ("sec-fetch-site", "cross-site")])
        ));
        assert!(from_own_page(
            "https://vault.example",
            &headers(&[host, ("origin", "http://127.0.0.1:8000")])
        ));
        assert!(!from_own_page(
            "https://vault.example",
            &headers(&[host, ("origin", "https://evil.example")])
        ));
    }

    #[test]
    fn origins_are_scheme_and_authority() {
        assert_eq!(origin_of("https://Example.org:8443/x?y").as_deref(), Some("https://example.org:8443"));
        assert_eq!(origin_of("null"), None);
    }
}
