//! Access tokens: compact JWS with HS256 only. The algorithm is pinned: a token whose header
//! names anything but `HS256` (including `none`) is refused before its signature is looked at.
//! Signatures are compared in constant time; `iss`, `aud`, `typ`, `exp`, `iat`, `sub` and
//! `jti` are all checked.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::model::Role;
use crate::ids::{SessionId, TokenId, UserId};

/// `iss` of every token this server makes.
pub const ISSUER: &str = "honestly";
/// `aud` of access tokens (refresh tokens are opaque and never JWTs).
pub const ACCESS_AUDIENCE: &str = "honestly-api";
/// Longest token accepted (bounds parsing work).
const MAX_TOKEN_LEN: usize = 4096;
/// Clock skew tolerated on `iat`.
const LEEWAY_SECS: i64 = 60;

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The user id.
    pub sub: UserId,
    /// The user's role when the token was made.
    pub role: Role,
    /// This token's id (revoked at logout).
    pub jti: TokenId,
    /// The login session (refresh-token family) this token belongs to.
    pub sid: SessionId,
    /// Issued at, Unix seconds.
    pub iat: i64,
    /// Expires at, Unix seconds.
    pub exp: i64,
    /// Always `access`.
    pub typ: String,
    /// Always [`ISSUER`].
    pub iss: String,
    /// Always [`ACCESS_AUDIENCE`].
    pub aud: String,
}

/// Why a token was refused. Callers answer 401 for all of them alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    /// Not three base64url parts of JSON, or too long.
    #[error("malformed token")]
    Malformed,
    /// The header names another algorithm.
    #[error("algorithm not allowed")]
    Algorithm,
    /// The signature does not match.
    #[error("bad signature")]
    Signature,
    /// Wrong `iss`, `aud` or `typ`.
    #[error("wrong claims")]
    Claims,
    /// `exp` passed, or `iat` in the future.
    #[error("expired or not yet valid")]
    Expired,
}

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    typ: Option<String>,
}

fn mac(key: &[u8]) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length")
}

/// Signs claims into a compact token.
pub fn encode(claims: &AccessClaims, key: &[u8]) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialise"));
    let signing_input = format!("{header}.{payload}");
    let mut m = mac(key);
    m.update(signing_input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(m.finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

/// Verifies and decodes an access token at time `now` (Unix seconds).
pub fn decode_access(token: &str, key: &[u8], now: i64) -> Result<AccessClaims, JwtError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(JwtError::Malformed);
    }
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(JwtError::Malformed);
    };
    let header: Header = URL_SAFE_NO_PAD
        .decode(h)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(JwtError::Malformed)?;
    if header.alg != "HS256" || header.typ.as_deref().is_some_and(|t| t != "JWT") {
        return Err(JwtError::Algorithm);
    }
    let signature = URL_SAFE_NO_PAD.decode(s).map_err(|_| JwtError::Malformed)?;
    let mut m = mac(key);
    m.update(h.as_bytes());
    m.update(b".");
    m.update(p.as_bytes());
    m.verify_slice(&signature).map_err(|_| JwtError::Signature)?;
    let claims: AccessClaims = URL_SAFE_NO_PAD
        .decode(p)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(JwtError::Malformed)?;
    if claims.iss != ISSUER || claims.aud != ACCESS_AUDIENCE || claims.typ != "access" {
        return Err(JwtError::Claims);
    }
    if claims.exp <= now || claims.iat > now + LEEWAY_SECS {
        return Err(JwtError::Expired);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn claims(now: i64) -> AccessClaims {
        AccessClaims {
            sub: UserId::generate(),
            role: Role::User,
            jti: TokenId::generate(),
            sid: SessionId::generate(),
            iat: now,
            exp: now + 60,
            typ: "access".into(),
            iss: ISSUER.into(),
            aud: ACCESS_AUDIENCE.into(),
        }
    }

    fn forge(header: &str, claims: &impl Serialize, key: &[u8]) -> String {
        let h = URL_SAFE_NO_PAD.encode(header);
        let p = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap());
        let mut m = mac(key);
        m.update(format!("{h}.{p}").as_bytes());
        format!("{h}.{p}.{}", URL_SAFE_NO_PAD.encode(m.finalize().into_bytes()))
    }

    #[test]
    fn round_trip() {
        let c = claims(1000);
        assert_eq!(decode_access(&encode(&c, KEY), KEY, 1001), Ok(c));
    }

    #[test]
    fn expired_wrong_key_tampered_and_other_algorithms_are_refused() {
        let c = claims(1000);
        let token = encode(&c, KEY);
        assert_eq!(decode_access(&token, KEY, 1060), Err(JwtError::Expired));
        assert_eq!(
            decode_access(&token, b"another key entirely............", 1001),
            Err(JwtError::Signature)
        );
        let mut tampered = token.clone();
        tampered.replace_range(tampered.len() - 2.., "AA");
        assert!(decode_access(&tampered, KEY, 1001).is_err());
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&c).unwrap())
        );
        assert_eq!(decode_access(&none, KEY, 1001), Err(JwtError::Algorithm));
        let hs512 = forge(r#"{"alg":"HS512","typ":"JWT"}"#, &c, KEY);
        assert_eq!(decode_access(&hs512, KEY, 1001), Err(JwtError::Algorithm));
        let mut wrong_typ = c.clone();
        wrong_typ.typ = "refresh".into();
        assert_eq!(decode_access(&encode(&wrong_typ, KEY), KEY, 1001), Err(JwtError::Claims));
        let mut wrong_aud = c;
        wrong_aud.aud = "other".into();
        assert_eq!(decode_access(&encode(&wrong_aud, KEY), KEY, 1001), Err(JwtError::Claims));
        assert_eq!(decode_access("a.b", KEY, 1001), Err(JwtError::Malformed));
        let mut foreign = serde_json::to_value(claims(1000)).unwrap();
        foreign["sub"] = "usr_1".into();
        let foreign = forge(r#"{"alg":"HS256","typ":"JWT"}"#, &foreign, KEY);
        assert_eq!(decode_access(&foreign, KEY, 1001), Err(JwtError::Malformed));
    }
}
