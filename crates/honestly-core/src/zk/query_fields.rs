//! The `scope` and `nonce` of a `credential_query` proof as texts: how a text becomes the field
//! element the circuit takes, the same for the holder who proves and the verifier who checks.
//!
//! A canonical decimal below the field's modulus (`"12345"`) is that element itself, so a
//! verifier that already speaks in field elements is understood as is. Any other text of 1 to
//! 256 bytes is `field(sha256(tag ‖ 0x00 ‖ text))` with the tag `honestly/scope/v1` or
//! `honestly/nonce/v1`: a scope can never collide with a nonce of the same text.

use honestly_zk::{fr_from_decimal, sha256_field, Fr};

/// The longest scope or nonce text, in bytes.
pub const MAX_QUERY_FIELD_BYTES: usize = 256;

/// The domain tag of scopes.
const SCOPE_TAG: &[u8] = b"honestly/scope/v1";
/// The domain tag of nonces.
const NONCE_TAG: &[u8] = b"honestly/nonce/v1";

/// The field element of a scope text; `None` when the text is empty or longer than
/// [`MAX_QUERY_FIELD_BYTES`].
pub fn scope_field(text: &str) -> Option<Fr> {
    query_field(SCOPE_TAG, text)
}

/// The field element of a nonce text; `None` when the text is empty or longer than
/// [`MAX_QUERY_FIELD_BYTES`].
pub fn nonce_field(text: &str) -> Option<Fr> {
    query_field(NONCE_TAG, text)
}

fn query_field(tag: &[u8], text: &str) -> Option<Fr> {
    if text.is_empty() || text.len() > MAX_QUERY_FIELD_BYTES {
        return None;
    }
    if let Ok(element) = fr_from_decimal(text) {
        return Some(element);
    }
    let mut input = Vec::with_capacity(tag.len() + 1 + text.len());
    input.extend_from_slice(tag);
    input.push(0);
    input.extend_from_slice(text.as_bytes());
    Some(sha256_field(&input))
}

#[cfg(test)]
mod tests {
    use super::*;
    use honestly_zk::field_from_sha256;
    use sha2::{Digest, Sha256};

    #[test]
    fn canonical_decimals_are_taken_as_they_are() {
        assert_eq!(scope_field("12345"), Some(Fr::from(12_345u64)));
        assert_eq!(nonce_field("0"), Some(Fr::from(0u64)));
        let r_minus_1 = "21888242871839275222246405745257275088548364400416034343698204186575808495616";
        assert_eq!(scope_field(r_minus_1), Some(-Fr::from(1u64)));
    }

    #[test]
    fn other_texts_are_hashed_with_their_tag() {
        let digest: [u8; 32] = Sha256::digest(b"honestly/scope/v1\0bar-entry-2026").into();
        assert_eq!(scope_field("bar-entry-2026"), Some(field_from_sha256(&digest)));
        let digest: [u8; 32] = Sha256::digest(b"honestly/nonce/v1\0bar-entry-2026").into();
        assert_eq!(nonce_field("bar-entry-2026"), Some(field_from_sha256(&digest)));
        assert_ne!(scope_field("x"), nonce_field("x"));
        // Not canonical decimals: hashed, so they differ from the number.
        for text in ["012", "+12", "12 ", "1e3"] {
            assert_ne!(scope_field(text), Some(Fr::from(12u64)), "{text}");
            assert!(scope_field(text).is_some());
        }
        // The modulus itself is not a field element: hashed.
        let r = "21888242871839275222246405745257275088548364400416034343698204186575808495617";
        assert_eq!(scope_field(r), Some(sha256_field(format!("honestly/scope/v1\0{r}").as_bytes())));
    }

    #[test]
    fn empty_and_oversized_texts_have_no_field() {
        assert_eq!(scope_field(""), None);
        assert_eq!(nonce_field(""), None);
        assert!(scope_field(&"a".repeat(256)).is_some());
        assert_eq!(scope_field(&"a".repeat(257)), None);
        assert_eq!(nonce_field(&"é".repeat(129)), None);
    }
}
