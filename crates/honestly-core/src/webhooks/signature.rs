//! Standard Webhooks signatures: a secret is `whsec_` followed by the base64 of its key
//! bytes; a signature is `v1,` followed by the base64 of HMAC-SHA256 under the key bytes of
//! `"{webhook-id}.{webhook-timestamp}.{body}"`; several signatures are separated by spaces.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use zeroize::Zeroizing;

/// The prefix of a secret's text form.
pub const SECRET_PREFIX: &str = "whsec_";

/// Bytes of a fresh secret's key.
pub const SECRET_BYTES: usize = 32;

/// A signing key (never logged: `Debug` shows nothing of it).
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Zeroizing<Vec<u8>>);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

impl WebhookSecret {
    /// A fresh random key of [`SECRET_BYTES`].
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new(vec![0u8; SECRET_BYTES]);
        rand::rngs::OsRng.fill_bytes(bytes.as_mut_slice());
        Self(bytes)
    }

    /// A key from its bytes (at least one).
    pub fn from_bytes(bytes: Vec<u8>) -> Option<Self> {
        (!bytes.is_empty()).then(|| Self(Zeroizing::new(bytes)))
    }

    /// Parses the `whsec_…` text form.
    pub fn parse(text: &str) -> Option<Self> {
        let encoded = text.strip_prefix(SECRET_PREFIX)?;
        STANDARD.decode(encoded).ok().and_then(Self::from_bytes)
    }

    /// The key bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// The `whsec_…` text form, shown to its owner once.
    pub fn to_text(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("{SECRET_PREFIX}{}", STANDARD.encode(self.bytes())))
    }

    /// `v1,<base64 signature>` of one message.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let mut mac = match Hmac::<Sha256>::new_from_slice(self.bytes()) {
            Ok(mac) => mac,
            // HMAC takes keys of any length.
            Err(_) => return String::new(),
        };
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

/// The `webhook-signature` header: one signature per secret, space-separated.
pub fn signature_header(secrets: &[WebhookSecret], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets.iter().map(|s| s.sign(id, timestamp, body)).collect::<Vec<_>>().join(" ")
}

/// Whether one of the `v1` signatures of `header` is the one `secret` makes (constant-time
/// comparison of each candidate).
pub fn verify(secret: &WebhookSecret, header: &str, id: &str, timestamp: i64, body: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    let expected = secret.sign(id, timestamp, body);
    header.split(' ').any(|candidate| bool::from(candidate.as_bytes().ct_eq(expected.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks reference libraries (checked with the Python
    /// `standardwebhooks` package).
    #[test]
    fn the_reference_vector() {
        let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let signature = secret.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, b"{\"test\": 2432232314}");
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn secrets_round_trip_and_several_signatures_verify_each() {
        let (a, b) = (WebhookSecret::generate(), WebhookSecret::generate());
        assert_ne!(a, b);
        let text = a.to_text();
        assert!(text.starts_with(SECRET_PREFIX));
        assert_eq!(WebhookSecret::parse(&text), Some(a.clone()));
        assert_eq!(a.bytes().len(), SECRET_BYTES);
        assert!(WebhookSecret::parse("nope").is_none());
        assert!(WebhookSecret::parse("whsec_").is_none());
        let header = signature_header(&[a.clone(), b.clone()], "msg_1", 10, b"{}");
        assert_eq!(header.split(' ').count(), 2);
        assert!(verify(&a, &header, "msg_1", 10, b"{}"));
        assert!(verify(&b, &header, "msg_1", 10, b"{}"));
        assert!(!verify(&a, &header, "msg_1", 11, b"{}"));
        assert!(!verify(&WebhookSecret::generate(), &header, "msg_1", 10, b"{}"));
        assert_eq!(format!("{a:?}"), "WebhookSecret(..)");
    }
}
