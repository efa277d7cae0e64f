//! Callback URLs and the rules that keep deliveries away from the server's own network
//! (server-side request forgery): http or https only, no credentials in the URL, a host, at
//! most [`MAX_URL_LENGTH`] characters. In production an IP literal in a private, loopback,
//! link-local, unique-local, shared (100.64/10), unspecified, broadcast, multicast or reserved
//! range is refused, IPv4-mapped and NAT64 forms included; in development loopback is allowed
//! (so a receiver on the developer's machine works) and every other range is still refused.
//!
//! A host name is checked after resolution ([`resolve_checked`]): every address it resolves
//! to must pass the same rules, and a delivery connects only to the addresses checked, so a
//! name that changes its answer between the check and the connection (DNS rebinding) cannot
//! reach a refused address.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use crate::config::Environment;
use crate::error::FieldErrors;

/// The longest callback URL accepted, in characters.
pub const MAX_URL_LENGTH: usize = 2048;

/// At most this many resolved addresses are checked and kept per delivery.
pub const MAX_RESOLVED: usize = 16;

/// The field named in validation errors.
pub const FIELD: &str = "callback_url";

/// Why a callback URL was refused. The words are shown to the client as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackUrlError {
    /// Longer than [`MAX_URL_LENGTH`].
    #[error("must be at most 2048 characters")]
    TooLong,
    /// Not an absolute URL.
    #[error("must be an absolute http(s) URL")]
    Malformed,
    /// A scheme other than http or https.
    #[error("must use http or https")]
    Scheme,
    /// A user name or password in the URL.
    #[error("must not contain credentials (user:password@)")]
    Credentials,
    /// No host.
    #[error("must name a host")]
    NoHost,
    /// An address (literal or resolved) in a refused range.
    #[error("{0} addresses are not allowed")]
    Forbidden(&'static str),
    /// The host name did not resolve (in time).
    #[error("the host name does not resolve")]
    Unresolvable,
}

impl CallbackUrlError {
    /// The error as a per-field reason on `callback_url`.
    pub fn field_errors(&self) -> FieldErrors {
        FieldErrors::one(FIELD, self.to_string())
    }

    /// Whether trying again later cannot change the answer.
    pub fn is_permanent(&self) -> bool {
        !matches!(self, CallbackUrlError::Unresolvable)
    }
}

/// A callback URL that passed the syntactic rules of its environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackUrl {
    url: url::Url,
}

impl CallbackUrl {
    /// Checks `raw` against the rules of `environment` (IP literals only; names are checked
    /// by [`resolve_checked`]).
    pub fn parse(raw: &str, environment: Environment) -> Result<Self, CallbackUrlError> {
        if raw.chars().count() > MAX_URL_LENGTH {
            return Err(CallbackUrlError::TooLong);
        }
        let url = url::Url::parse(raw.trim()).map_err(|_| CallbackUrlError::Malformed)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(CallbackUrlError::Scheme);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(CallbackUrlError::Credentials);
        }
        match url.host() {
            None => return Err(CallbackUrlError::NoHost),
            Some(url::Host::Domain("")) => return Err(CallbackUrlError::NoHost),
            Some(url::Host::Domain(_)) => {}
            Some(url::Host::Ipv4(ip)) => check_ip(IpAddr::V4(ip), environment)?,
            Some(url::Host::Ipv6(ip)) => check_ip(IpAddr::V6(ip), environment)?,
        }
        Ok(Self { url })
    }

    /// The URL as text (normalised).
    pub fn as_str(&self) -> &str {
        self.url.as_str()
    }

    /// The host as written in the URL (a name, or an address without brackets).
    pub fn host(&self) -> String {
        match self.url.host() {
            Some(url::Host::Domain(name)) => name.to_string(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            None => String::new(),
        }
    }

    /// The literal address, when the host is one.
    pub fn ip(&self) -> Option<IpAddr> {
        match self.url.host() {
            Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            _ => None,
        }
    }

    /// The port, explicit or the scheme's.
    pub fn port(&self) -> u16 {
        self.url.port_or_known_default().unwrap_or(80)
    }
}

/// Refuses `ip` when its range is not allowed in `environment`.
pub fn check_ip(ip: IpAddr, environment: Environment) -> Result<(), CallbackUrlError> {
    match forbidden_range(ip) {
        Some("loopback") if environment == Environment::Development => Ok(()),
        Some(range) => Err(CallbackUrlError::Forbidden(range)),
        None => Ok(()),
    }
}

/// The name of the refused range `ip` is in, if any (whatever the environment).
pub fn forbidden_range(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() {
        Some("private")
    } else if a == 100 && (64..128).contains(&b) {
        Some("shared (carrier-grade NAT)")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if a == 0 {
        Some("unspecified")
    } else if ip.is_broadcast() {
        Some("broadcast")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if a >= 240 {
        Some("reserved")
    } else {
        None
    }
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return forbidden_v4(v4);
    }
    let segments = ip.segments();
    // NAT64 (64:ff9b::/96) carries an IPv4 address in its last 32 bits.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [.., hi, lo] = segments;
        return forbidden_v4(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)));
    }
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_unspecified() {
        Some("unspecified")
    } else if segments[0] & 0xffc0 == 0xfe80 {
        Some("link-local")
    } else if segments[0] & 0xffc0 == 0xfec0 {
        Some("site-local")
    } else if segments[0] & 0xfe00 == 0xfc00 {
        Some("unique-local")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if segments[..6] == [0, 0, 0, 0, 0, 0] {
        // The deprecated IPv4-compatible form (::a.b.c.d).
        Some("reserved")
    } else {
        None
    }
}

/// Resolves the URL's host (an IP literal is its own answer), bounded by `timeout`, and
/// checks every address: one refused address refuses the URL. Returns the checked socket
/// addresses (at most [`MAX_RESOLVED`]), the only ones a delivery may connect to.
pub async fn resolve_checked(
    url: &CallbackUrl,
    environment: Environment,
    timeout: Duration,
) -> Result<Vec<SocketAddr>, CallbackUrlError> {
    let port = url.port();
    if let Some(ip) = url.ip() {
        check_ip(ip, environment)?;
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let host = url.host();
    let lookup = tokio::net::lookup_host((host.as_str(), port));
    let addrs: Vec<SocketAddr> = match tokio::time::timeout(timeout, lookup).await {
        Ok(Ok(found)) => found.take(MAX_RESOLVED).collect(),
        _ => return Err(CallbackUrlError::Unresolvable),
    };
    if addrs.is_empty() {
        return Err(CallbackUrlError::Unresolvable);
    }
    for addr in &addrs {
        check_ip(addr.ip(), environment)?;
    }
    Ok(addrs)
}

/// The check a route makes when a callback URL is given: the syntactic rules, then the
/// resolution rules (bounded by `timeout`, at most [`CREATION_LOOKUP_TIMEOUT`]). In
/// production a name that does not resolve is refused too; in development it is accepted
/// (a receiver being set up locally), and every delivery checks it again anyway.
pub async fn validate_for_creation(
    raw: &str,
    environment: Environment,
    timeout: Duration,
) -> Result<CallbackUrl, FieldErrors> {
    let url = CallbackUrl::parse(raw, environment).map_err(|e| e.field_errors())?;
    match resolve_checked(&url, environment, timeout.min(CREATION_LOOKUP_TIMEOUT)).await {
        Ok(_) => Ok(url),
        Err(CallbackUrlError::Unresolvable) if environment == Environment::Development => Ok(url),
        Err(e) => Err(e.field_errors()),
    }
}

/// The longest a request that names a callback URL waits for its DNS answer.
pub const CREATION_LOOKUP_TIMEOUT: Duration = Duration::from_secs(2);

#[cfg(test)]
mod tests {
    use super::*;
    use Environment::{Development, Production};

    #[test]
    fn the_rules_table() {
        let refused_everywhere = [
            ("ftp://example.com/hook", CallbackUrlError::Scheme),
            ("https://user:pw@example.com/hook", CallbackUrlError::Credentials),
            ("https://user@example.com/hook", CallbackUrlError::Credentials),
            ("not a url", CallbackUrlError::Malformed),
            ("http://10.0.0.1/hook", CallbackUrlError::Forbidden("private")),
            ("http://172.16.5.4/hook", CallbackUrlError::Forbidden("private")),
            ("http://192.168.1.1/hook", CallbackUrlError::Forbidden("private")),
            ("http://100.64.0.1/hook", CallbackUrlError::Forbidden("shared (carrier-grade NAT)")),
            ("http://169.254.169.254/latest/meta-data", CallbackUrlError::Forbidden("link-local")),
            ("http://0.0.0.0/hook", CallbackUrlError::Forbidden("unspecified")),
            ("http://255.255.255.255/hook", CallbackUrlError::Forbidden("broadcast")),
            ("http://224.0.0.1/hook", CallbackUrlError::Forbidden("multicast")),
            ("http://[fe80::1]/hook", CallbackUrlError::Forbidden("link-local")),
            ("http://[fd00::1]/hook", CallbackUrlError::Forbidden("unique-local")),
            ("http://[::]/hook", CallbackUrlError::Forbidden("unspecified")),
            ("http://[ff02::1]/hook", CallbackUrlError::Forbidden("multicast")),
            ("http://[::ffff:10.1.2.3]/hook", CallbackUrlError::Forbidden("private")),
            ("http://[64:ff9b::a9fe:a9fe]/hook", CallbackUrlError::Forbidden("link-local")),
            // Decimal and hexadecimal forms are IPv4 literals too.
            ("http://2130706433/hook", CallbackUrlError::Forbidden("loopback")),
            ("http://0x7f.1/hook", CallbackUrlError::Forbidden("loopback")),
        ];
        for (raw, why) in refused_everywhere {
            for env in [Production, Development] {
                let refused = CallbackUrl::parse(raw, env);
                if why == CallbackUrlError::Forbidden("loopback") && env == Development {
                    assert!(refused.is_ok(), "{raw} in development");
                } else {
                    assert_eq!(refused, Err(why.clone()), "{raw} in {env:?}");
                }
            }
        }
        for raw in ["http://127.0.0.1:8080/hook", "http://[::1]/hook", "http://[::ffff:127.0.0.1]/hook"] {
            assert_eq!(
                CallbackUrl::parse(raw, Production),
                Err(CallbackUrlError::Forbidden("loopback")),
                "{raw}"
            );
            assert!(CallbackUrl::parse(raw, Development).is_ok(), "{raw} allowed in development");
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_LENGTH));
        assert_eq!(CallbackUrl::parse(&long, Production), Err(CallbackUrlError::TooLong));
        for raw in ["https://example.com/hook?x=1", "http://93.184.215.14/hook", "https://[2606:4700::1]/"] {
            assert!(CallbackUrl::parse(raw, Production).is_ok(), "{raw}");
        }
        let errors = CallbackUrl::parse("http://10.0.0.1/", Production).unwrap_err().field_errors();
        assert_eq!(errors.get(FIELD), Some("private addresses are not allowed"));
    }

    #[tokio::test]
    async fn a_name_resolving_to_loopback_is_refused_in_production_only() {
        let url = CallbackUrl::parse("http://localhost:9/hook", Production).expect("syntactically fine");
        let refused = resolve_checked(&url, Production, Duration::from_secs(5)).await;
        assert_eq!(refused, Err(CallbackUrlError::Forbidden("loopback")));
        let allowed = resolve_checked(&url, Development, Duration::from_secs(5)).await.expect("development");
        assert!(allowed.iter().all(|a| a.ip().is_loopback() && a.port() == 9), "{allowed:?}");
        let fields = validate_for_creation("http://localhost/hook", Production, Duration::from_secs(5))
            .await
            .unwrap_err();
        assert_eq!(fields.get(FIELD), Some("loopback addresses are not allowed"));
    }
}
