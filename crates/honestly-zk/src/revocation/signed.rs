//! A revocation state as an issuer publishes it: the state and the issuer's EdDSA-Poseidon
//! signature over [`RevocationState::message`].

use super::RevocationState;
use crate::{
    eddsa::{PrivateKey, PublicKey, Signature},
    Fr,
};

/// A signed revocation state: the root of the issuer's revocation tree at `issued_at`, signed
/// with the issuer's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedState {
    /// The revocation tree's root.
    pub root: Fr,
    /// When the issuer signed it (Unix seconds).
    pub issued_at: u64,
    /// The issuer's signature over `RevocationState { root, issued_at }.message()`.
    pub signature: Signature,
}

impl SignedState {
    /// Signs `state` with the issuer's `key`.
    pub fn sign(key: &PrivateKey, state: RevocationState) -> Self {
        Self { root: state.root, issued_at: state.issued_at, signature: key.sign(state.message()) }
    }

    /// The state without its signature.
    pub fn state(&self) -> RevocationState {
        RevocationState { root: self.root, issued_at: self.issued_at }
    }

    /// Whether the signature is `issuer`'s over this state's message.
    pub fn verify(&self, issuer: &PublicKey) -> bool {
        issuer.verify(self.state().message(), &self.signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_states_verify_only_under_their_key_and_content() {
        let key = PrivateKey::from_bytes([3; 32]);
        let other = PrivateKey::from_bytes([4; 32]).public_key();
        let signed = SignedState::sign(&key, RevocationState { root: Fr::from(7u64), issued_at: 1_000 });
        assert!(signed.verify(&key.public_key()));
        assert!(!signed.verify(&other));
        assert!(!SignedState { issued_at: 1_001, ..signed.clone() }.verify(&key.public_key()));
        assert!(!SignedState { root: Fr::from(8u64), ..signed.clone() }.verify(&key.public_key()));
        // A credential-style signature over the bare root is not a state signature.
        let bare = SignedState { signature: key.sign(Fr::from(7u64)), ..signed };
        assert!(!bare.verify(&key.public_key()));
    }
}
