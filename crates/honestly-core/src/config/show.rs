//! How `honestly config check` prints values: secrets and URL passwords masked, absent values
//! named.

use secrecy::{ExposeSecret, SecretString};

use super::{Config, DatabaseUrl};

/// Calls `show` on `config` (gives the declarations' `show` closures their type).
pub(super) fn show(config: &Config, show: impl FnOnce(&Config) -> String) -> String {
    show(config)
}

/// A secret, masked.
pub(super) fn masked(secret: &SecretString) -> String {
    mask_secret(secret.expose_secret())
}

/// An optional secret, masked, or `(not set)`.
pub(super) fn masked_or_not_set(secret: &Option<SecretString>) -> String {
    secret.as_ref().map_or("(not set)".into(), masked)
}

/// An optional value, or `(not set)`.
pub(super) fn or_not_set(value: Option<&str>) -> String {
    value.map_or("(not set)".into(), String::from)
}

/// Items joined with commas, or `(none)`.
pub(super) fn listed<T: ToString>(items: &[T]) -> String {
    if items.is_empty() {
        return "(none)".into();
    }
    items.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
}

/// The database URL, a Neo4j password masked.
pub(super) fn database(db: &DatabaseUrl) -> String {
    match db {
        DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
        DatabaseUrl::Neo4j(url) => mask_url(url),
    }
}

/// Shows at most the first four characters of a secret and its length.
pub fn mask_secret(secret: &str) -> String {
    if secret.is_empty() {
        return "(empty)".into();
    }
    let shown: String = secret.chars().take(4.min(secret.chars().count() / 4)).collect();
    format!("{shown}… ({} chars, masked)", secret.chars().count())
}

/// Hides the password part of a URL (`redis://:pw@host` → `redis://:***@host`).
pub(super) fn mask_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..])
        }
        _ => url.to_string(),
    }
}
