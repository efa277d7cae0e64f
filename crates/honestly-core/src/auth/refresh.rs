//! Refresh tokens: 256 random bits, opaque to clients (`hrt_` + base64url), stored only as
//! their SHA-256 so a copy of the database yields no usable token.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Prefix that marks a refresh token.
pub const PREFIX: &str = "hrt_";

/// A fresh refresh token and its hash.
pub fn generate() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash(&token);
    (token, hash)
}

/// The stored form of a token: hex SHA-256 of its text.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Whether `token` has the shape of a refresh token (cheap check before any lookup).
pub fn looks_valid(token: &str) -> bool {
    token.strip_prefix(PREFIX).is_some_and(|rest| {
        rest.len() == 43 && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_unique_and_well_formed() {
        let (a, ha) = super::generate();
        let (b, _) = super::generate();
        assert_ne!(a, b);
        assert!(super::looks_valid(&a));
        assert_eq!(super::hash(&a), ha);
        assert!(!super::looks_valid("hrt_short"));
    }
}
