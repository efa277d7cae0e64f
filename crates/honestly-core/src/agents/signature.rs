//! HMAC-SHA256 request signatures: hex in the `X-AI-Signature` header, keyed by the secret's
//! UTF-8 bytes, compared in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The lower-case hex HMAC-SHA256 of `message` under `secret` (what agents send).
pub fn sign_hex(secret: &[u8], message: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// The 32 bytes of a signature header: exactly 64 hex digits (either case), surrounding
/// spaces ignored.
pub fn decode_signature(header: &str) -> Option<[u8; 32]> {
    let text = header.trim();
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    hex::decode_to_slice(text, &mut out).ok()?;
    Some(out)
}

/// Whether `signature` is the HMAC of `message` under `secret`, compared in constant time.
pub fn verify(secret: &[u8], message: &[u8], signature: &[u8; 32]) -> bool {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(message);
    mac.verify_slice(signature).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_rfc_4231_case_2() {
        // RFC 4231 test case 2: key "Jefe".
        assert_eq!(
            sign_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn verifies_only_the_right_signature() {
        let sig = decode_signature(&sign_hex(b"secret", b"message")).expect("64 hex digits");
        assert!(verify(b"secret", b"message", &sig));
        assert!(!verify(b"secret", b"messagf", &sig));
        assert!(!verify(b"secreT", b"message", &sig));
        let mut flipped = sig;
        flipped[31] ^= 1;
        assert!(!verify(b"secret", b"message", &flipped));
    }

    #[test]
    fn decodes_only_64_hex_digits() {
        assert!(decode_signature(&"A".repeat(64)).is_some());
        assert!(decode_signature(&"a".repeat(63)).is_none());
        assert!(decode_signature(&"g".repeat(64)).is_none());
        assert!(decode_signature("").is_none());
    }
}
