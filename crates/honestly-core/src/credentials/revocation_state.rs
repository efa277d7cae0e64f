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
//! [`SignedRevocationState::verify`]'s answer.

use honestly_zk::eddsa::{PrivateKey, PublicKey, Signature, SignatureJson};
use honestly_zk::revocation::RevocationState;
use honestly_zk::{fr_from_decimal, fr_to_decimal};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The largest signed revocation state accepted on its own, in bytes (one is about 330).
pub const MAX_SIGNED_STATE_JSON_BYTES: usize = 2 * 1024;

/// A revocation state with the issuer's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRevocationState {
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

impl SignedRevocationState {
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

impl Serialize for SignedRevocationState {
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

impl<'de> Deserialize<'de> for SignedRevocationState {
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

impl From<&SignedRevocationState> for honestly_zk::revocation::SignedState {
    /// The same signed state in the form the verifier's checks take.
    fn from(signed: &SignedRevocationState) -> Self {
        Self {
            root: signed.state.root,
            issued_at: signed.state.issued_at,
            signature: signed.signature.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use honestly_zk::revocation::RevocationTree;
    use honestly_zk::Fr;
    use serde_json::{json, Value};

    fn key() -> PrivateKey {
        PrivateKey::from_bytes([3u8; 32])
    }

    fn signed() -> SignedRevocationState {
        let root = RevocationTree::from_ids([5u128, 7]).unwrap().root();
        SignedRevocationState::sign(&key(), RevocationState { root, issued_at: 1_764_676_800 })
    }

    #[test]
    fn a_signed_state_verifies_under_its_key_only() {
        let state = signed();
        assert!(state.verify(&key().public_key()));
        assert!(!state.verify(&PrivateKey::from_bytes([4u8; 32]).public_key()));
        let mut later = state.clone();
        later.state.issued_at += 1;
        assert!(!later.verify(&key().public_key()));
        let mut other_root = state;
        other_root.state.root += Fr::from(1u64);
        assert!(!other_root.verify(&key().public_key()));
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
        assert_eq!(SignedRevocationState::from_json(state.to_json().as_bytes()).unwrap(), state);
        let refuse = |value: Value, words: &str| match SignedRevocationState::from_json(
            value.to_string().as_bytes(),
        ) {
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
        assert_eq!(SignedRevocationState::from_json(long.as_bytes()), Err(SignedStateJsonError::TooLarge));
    }
}
