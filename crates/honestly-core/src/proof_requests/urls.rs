//! The checks of the URLs a verifier gives (`callback_url`, `redirect_url`): absolute
//! `http` or `https`, a host, no user name or password, no whitespace or control characters,
//! at most [`MAX_URL_CHARS`] characters. Whether the address may be reached from the server is
//! decided where a call is made.

/// The longest URL accepted.
pub const MAX_URL_CHARS: usize = 2048;

/// Why `url` is refused, if it is.
pub fn url_problem(url: &str) -> Option<&'static str> {
    if url.chars().count() > MAX_URL_CHARS {
        return Some("must be at most 2048 characters");
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("must not contain spaces or control characters");
    }
    let lower = url.to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return Some("must be an http or https URL");
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Some("must not contain a user name or password");
    }
    let host = authority.rsplit_once(':').map_or(authority, |(host, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) && !host.ends_with(':') {
            host
        } else {
            authority
        }
    });
    if host.is_empty() || host == "[]" {
        return Some("must name a host");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::url_problem;

    #[test]
    fn only_plain_http_and_https_urls_with_a_host_pass() {
        assert_eq!(url_problem("https://verifier.example/done?x=1"), None);
        assert_eq!(url_problem("http://127.0.0.1:8080/hook"), None);
        assert_eq!(url_problem("HTTPS://verifier.example"), None);
        assert!(url_problem("ftp://verifier.example/").is_some());
        assert!(url_problem("https://user:pw@verifier.example/").is_some());
        assert!(url_problem("https://@verifier.example/").is_some());
        assert!(url_problem("https:///path").is_some());
        assert!(url_problem("https://verifier.example/a b").is_some());
        assert!(url_problem("javascript:alert(1)").is_some());
        assert!(url_problem(&format!("https://v.example/{}", "a".repeat(2048))).is_some());
    }
}
