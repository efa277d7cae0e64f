//! The texts that bind a proof to a verifier action (`scope`) and to one request (`nonce`),
//! as field elements, and the holder's commitment.
//!
//! A text that is a canonical decimal below the field's order (digits only, no leading zeros)
//! is that number. Any other text of 1 to [`MAX_BINDING_BYTES`] bytes without control
//! characters is `field(sha256(tag || 0x00 || text))`, with tag `honestly/scope/v1` for a
//! scope and `honestly/nonce/v1` for a nonce, and `field` the digest read big-endian modulo
//! the field's order. A verifier computes the same value from the same text.

use honestly_zk::{fr_from_decimal, poseidon_hash, random_salt, sha256_field, Fr};

use crate::error::FieldErrors;

/// The longest `scope` or `nonce` text, in bytes.
pub const MAX_BINDING_BYTES: usize = 256;

/// The domain tag of a hashed scope.
const SCOPE_TAG: &[u8] = b"honestly/scope/v1";
/// The domain tag of a hashed nonce.
const NONCE_TAG: &[u8] = b"honestly/nonce/v1";

fn binding_field(text: &str, tag: &[u8], field: &str) -> Result<Fr, FieldErrors> {
    if text.is_empty() || text.len() > MAX_BINDING_BYTES {
        return Err(FieldErrors::one(field, format!("must be 1 to {MAX_BINDING_BYTES} bytes")));
    }
    if text.chars().any(char::is_control) {
        return Err(FieldErrors::one(field, "must not contain control characters"));
    }
    if let Ok(value) = fr_from_decimal(text) {
        return Ok(value);
    }
    let mut bytes = Vec::with_capacity(tag.len() + 1 + text.len());
    bytes.extend_from_slice(tag);
    bytes.push(0);
    bytes.extend_from_slice(text.as_bytes());
    Ok(sha256_field(&bytes))
}

/// The `scope` signal of a scope text (refusals are named `scope`).
pub fn scope_field(scope: &str) -> Result<Fr, FieldErrors> {
    binding_field(scope, SCOPE_TAG, "scope")
}

/// The `nonce` signal of a nonce text (refusals are named `nonce`).
pub fn nonce_field(nonce: &str) -> Result<Fr, FieldErrors> {
    binding_field(nonce, NONCE_TAG, "nonce")
}

/// A fresh nonce from OS randomness, uniform in the field: what the server uses when a
/// request names none.
pub fn random_nonce() -> Fr {
    random_salt()
}

/// The `holder` claim of a holder secret: `Poseidon(holderSecret)`.
pub fn holder_commitment(secret: Fr) -> Fr {
    poseidon_hash(&[secret])
}
