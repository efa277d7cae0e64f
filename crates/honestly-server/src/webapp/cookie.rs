//! The session cookie. It carries the login's opaque refresh token (never spent by the
//! browser; the store checks it on every page request). Attributes: `HttpOnly`,
//! `SameSite=Strict`, `Path=/`, no `Domain`, and `Secure` with the `__Host-` name prefix —
//! except in development on a loopback address, where pages are served over plain HTTP and
//! a browser would drop a `Secure` cookie: there the cookie is `honestly_session`, without
//! `Secure` and without the prefix (which requires `Secure`).

use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use honestly_core::config::Config;

/// The cookie's name when it is `Secure`.
pub const SECURE_NAME: &str = "__Host-honestly_session";
/// The cookie's name in development on a loopback address.
pub const LOOPBACK_NAME: &str = "honestly_session";
/// Longest cookie value read (a session token is 47 characters).
const MAX_VALUE: usize = 256;

/// Whether the cookie goes without `Secure` (development on a loopback address).
pub fn plain_http(config: &Config) -> bool {
    !config.is_production() && config.host.is_loopback()
}

/// The cookie's name under `config`.
pub fn name(config: &Config) -> &'static str {
    if plain_http(config) {
        LOOPBACK_NAME
    } else {
        SECURE_NAME
    }
}

/// The session token the request carries, if any.
pub fn read(config: &Config, headers: &HeaderMap) -> Option<String> {
    let wanted = name(config);
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, v)| *k == wanted && v.len() <= MAX_VALUE)
        .map(|(_, v)| v.to_string())
}

fn attributes(config: &Config) -> &'static str {
    if plain_http(config) {
        "HttpOnly; SameSite=Strict; Path=/"
    } else {
        "HttpOnly; SameSite=Strict; Path=/; Secure"
    }
}

/// Sets the session cookie to `token` for `max_age_secs` on `response`.
pub fn set(config: &Config, response: &mut Response, token: &str, max_age_secs: u64) {
    let value = format!("{}={token}; Max-Age={max_age_secs}; {}", name(config), attributes(config));
    if let Ok(value) = HeaderValue::from_str(&value) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

/// Removes the session cookie on `response`.
pub fn clear(config: &Config, response: &mut Response) {
    let value = format!("{}=; Max-Age=0; {}", name(config), attributes(config));
    if let Ok(value) = HeaderValue::from_str(&value) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}
