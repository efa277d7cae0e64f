//! Whether a secret carries enough entropy to protect production data.
//!
//! The rule: at least 32 bytes of key material, written as 64+ hex characters, as base64 of
//! 32+ bytes, or as a long random-looking string. Known placeholders and low-entropy strings
//! (repeated or few distinct characters) are refused. This is a heuristic against mistakes,
//! not a proof of randomness.

use base64::Engine;

const PLACEHOLDERS: &[&str] = &[
    "changeme",
    "change-me",
    "change_me",
    "secret",
    "password",
    "example",
    "your-",
    "your_",
    "default",
    "insecure",
    "test",
    "xxxx",
];

/// Returns why `secret` is too weak for production, or `None` when it is acceptable.
pub(super) fn weakness(secret: &str) -> Option<&'static str> {
    let lower = secret.to_ascii_lowercase();
    if PLACEHOLDERS.iter().any(|p| lower.contains(p)) {
        return Some("looks like a placeholder");
    }
    if secret.len() < 32 {
        return Some("is shorter than 32 characters");
    }
    let hex_only = secret.bytes().all(|b| b.is_ascii_hexdigit());
    if hex_only && secret.len() < 64 {
        return Some("as hex it must have at least 64 characters (32 bytes)");
    }
    if !hex_only && decoded_len(secret).is_some_and(|n| n < 32) && secret.len() < 43 {
        return Some("decodes to fewer than 32 bytes");
    }
    if estimated_bits(secret) < 200.0 {
        return Some("has too little entropy (repeated or too few distinct characters)");
    }
    None
}

/// Decodes a 32-byte key given as 64 hex characters or as base64 (standard or URL-safe,
/// padded or not).
pub fn decode_key32(value: &str) -> Option<[u8; 32]> {
    let bytes = if value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        hex::decode(value).ok()?
    } else {
        decode_base64(value)?
    };
    bytes.try_into().ok()
}

fn decode_base64(value: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD].iter().find_map(|e| e.decode(value).ok())
}

fn decoded_len(value: &str) -> Option<usize> {
    decode_base64(value).map(|b| b.len())
}

/// Empirical Shannon entropy of the characters times the length, in bits.
fn estimated_bits(value: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    for c in value.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let n = value.chars().count() as f64;
    let per_char: f64 = counts
        .values()
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum();
    per_char * n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_hex_and_base64_keys_are_strong() {
        assert_eq!(weakness("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"), None);
        assert_eq!(weakness("q3Vh0n8yXo4S+2fGkP1mZ7cRtL9bWdEaJ6uN5iKpQ0s="), None);
    }

    #[test]
    fn placeholders_short_and_repetitive_secrets_are_weak() {
        assert!(weakness("changeme").is_some());
        assert!(weakness("your-secret-key-here-please-change-it-now").is_some());
        assert!(weakness("abcdef0123456789").is_some());
        assert!(weakness(&"a".repeat(80)).is_some());
        assert!(weakness(&"ab".repeat(40)).is_some());
    }

    #[test]
    fn keys_decode_from_hex_or_base64() {
        let hex_key = "00".repeat(32);
        assert_eq!(decode_key32(&hex_key), Some([0u8; 32]));
        assert_eq!(decode_key32("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="), Some([0u8; 32]));
        assert_eq!(decode_key32("too short"), None);
    }
}
