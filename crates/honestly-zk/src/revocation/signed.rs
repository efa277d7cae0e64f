//! The signed revocation state: an issuer's revocation-tree root, the time it was signed and
//! the issuer's EdDSA-Poseidon signature over [`RevocationState::message`]. This object is
//! what a verifier is given (and what the server publishes per issuer):
//!
//! ```json
//! {"root": "<decimal>", "issued_at": 1764676800, "signature": {"R8x": "…", "R8y": "…", "S": "…"}}
//! ```
//!
//! Reading is strict (no unknown or repeated fields, `root` a canonical decimal below the
//! field modulus, `issued_at` an integer of Unix seconds, the signature's points in the
//! subgroup and `S` below its order); whether the signature is the issuer's is
//! [`SignedState::verify`]'s answer.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::RevocationState;
use crate::{
    eddsa::{PrivateKey, PublicKey, Signature, SignatureJson},
    fr_from_decimal, fr_to_decimal,
};

/// The largest signed revocation state accepted on its own, in bytes (one is about 330).
pub const MAX_SIGNED_STATE_JSON_BYTES: usize = 2 * 1024;

/// A revocation state with the issuer's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedState {
    /// The root and its signing time.
    pub state: RevocationState,
    /// The issuer's signature over [`RevocationState::message`].
    pub signature: Signature,
}

/// Why a signed revocation state's JSON was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignedStateJsonError {
    /// More than [`MAX_SIGNED_STATE_JSON_BYTES`].
    #[error("a signed revocation state is at most {MAX_SIGNED_STATE_JSON_BYTES} bytes of JSON")]
    TooLarge,
    /// Not JSON, or not the state's shape or values; serde's words.
    #[error("not a signed revocation state: {0}")]
    Malformed(String),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignedState {
    root: String,
    issued_at: u64,
    signature: SignatureJson,
}

impl SignedState {
    /// `state` signed with `key`.
    pub fn sign(key: &PrivateKey, state: RevocationState) -> Self {
        Self { state, signature: key.sign(state.message()) }
    }

    /// Whether the signature is `key`'s signature over the state's message.
    pub fn verify(&self, key: &PublicKey) -> bool {
        key.verify(self.state.message(), &self.signature)
    }

    /// Parses the JSON form (at most [`MAX_SIGNED_STATE_JSON_BYTES`]).
    pub fn from_json(bytes: &[u8]) -> Result<Self, SignedStateJsonError> {
        if bytes.len() > MAX_SIGNED_STATE_JSON_BYTES {
            return Err(SignedStateJsonError::TooLarge);
        }
        serde_json::from_slice(bytes).map_err(|e| SignedStateJsonError::Malformed(e.to_string()))
    }

    /// The JSON form, compact.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl Serialize for SignedState {
    /// `{"root", "issued_at", "signature"}`, the root a decimal string.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        RawSignedState {
            root: fr_to_decimal(&self.state.root),
            issued_at: self.state.issued_at,
            signature: self.signature.to_json(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for SignedState {
    /// Strict, see the module's documentation.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let raw = RawSignedState::deserialize(deserializer)?;
        let root = fr_from_decimal(&raw.root).map_err(|_| {
            D::Error::custom("root: must be a canonical decimal number (a string) below the field modulus")
        })?;
        let signature =
            Signature::try_from(raw.signature).map_err(|e| D::Error::custom(format!("signature: {e}")))?;
        Ok(Self { state: RevocationState { root, issued_at: raw.issued_at }, signature })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{revocation::RevocationTree, Fr};
    use serde_json::{json, Value};

    fn key() -> PrivateKey {
        PrivateKey::from_bytes([3u8; 32])
    }

    fn signed() -> SignedState {
        let root = RevocationTree::from_ids([5u128, 7]).unwrap().root();
        SignedState::sign(&key(), RevocationState { root, issued_at: 1_764_676_800 })
    }

    #[test]
    fn the_json_form_round_trips_and_is_strict() {
        let state = signed();
        let value: Value = serde_json::from_str(&state.to_json()).unwrap();
        assert_eq!(value["issued_at"], json!(1_764_676_800u64));
        assert_eq!(value["root"], json!(fr_to_decimal(&state.state.root)));
        assert_eq!(value["signature"], serde_json::to_value(state.signature.to_json()).unwrap());
        let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 3);
        assert_eq!(SignedState::from_json(state.to_json().as_bytes()).unwrap(), state);
        let refuse = |value: Value, words: &str| match SignedState::from_json(value.to_string().as_bytes()) {
            Err(SignedStateJsonError::Malformed(m)) => assert!(m.contains(words), "{words}: {m}"),
            other => panic!("{words}: {other:?}"),
        };
        let mut extra = value.clone();
        extra["public_key"] = json!({});
        refuse(extra, "unknown field `public_key`");
        let mut text_time = value.clone();
        text_time["issued_at"] = json!("1764676800");
        refuse(text_time, "invalid type: string");
        let mut bad_root = value.clone();
        bad_root["root"] = json!("01");
        refuse(bad_root, "root: must be a canonical decimal");
        let mut bad_s = value.clone();
        bad_s["signature"]["S"] = json!("x");
        refuse(bad_s, "signature:");
        let mut negative = value;
        negative["issued_at"] = json!(-1);
        refuse(negative, "invalid value: integer `-1`");
        let long = format!("{}{}", state.to_json(), " ".repeat(MAX_SIGNED_STATE_JSON_BYTES));
        assert_eq!(SignedState::from_json(long.as_bytes()), Err(SignedStateJsonError::TooLarge));
    }

    #[test]
    fn signed_states_verify_only_under_their_key_and_content() {
        let key = PrivateKey::from_bytes([3; 32]);
        let other = PrivateKey::from_bytes([4; 32]).public_key();
        let signed = SignedState::sign(&key, RevocationState { root: Fr::from(7u64), issued_at: 1_000 });
        assert!(signed.verify(&key.public_key()));
        assert!(!signed.verify(&other));
        assert!(!SignedState {
            state: RevocationState { issued_at: 1_001, ..signed.state },
            ..signed.clone()
        }
        .verify(&key.public_key()));
        assert!(!SignedState {
            state: RevocationState { root: Fr::from(8u64), ..signed.state },
            ..signed.clone()
        }
        .verify(&key.public_key()));
        // A credential-style signature over the bare root is not a state signature.
        let bare = SignedState { signature: key.sign(Fr::from(7u64)), ..signed };
        assert!(!bare.verify(&key.public_key()));
    }
}
