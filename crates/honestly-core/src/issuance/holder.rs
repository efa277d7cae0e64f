//! The holder secret: a random field element per user, made on first use, kept sealed under the
//! vault master key and bound to the user. Credentials commit to `Poseidon(holderSecret)` (the
//! holder commitment), so only this user's proofs can use them; the secret itself never leaves
//! the server unencrypted. Random rather than derived from the master key, so a master-key
//! rotation re-encrypts it and every credential stays usable.

use honestly_zk::{field_from_sha256, poseidon_hash, Fr};
use rand::RngCore;
use zeroize::Zeroizing;

use crate::crypto::vault::{Sealed, VaultError, VaultKeys};
use crate::ids::UserId;
use crate::issuance::model::SealedKind;

/// A fresh secret: 31 random bytes (248 bits, below the field's modulus), big-endian.
pub fn fresh_secret_bytes() -> Zeroizing<Vec<u8>> {
    let mut bytes = Zeroizing::new(vec![0u8; 31]);
    rand::rngs::OsRng.fill_bytes(bytes.as_mut_slice());
    bytes
}

/// Seals a secret's bytes for `user`.
pub fn seal(keys: &VaultKeys, user: &UserId, bytes: &[u8]) -> Sealed {
    keys.seal(bytes.to_vec(), &SealedKind::HolderSecret.binding(user.as_str()), user.as_str())
}

/// Opens `user`'s sealed secret as a field element.
pub fn open(keys: &VaultKeys, user: &UserId, sealed: Sealed) -> Result<Fr, VaultError> {
    let bytes =
        Zeroizing::new(keys.open(sealed, &SealedKind::HolderSecret.binding(user.as_str()), user.as_str())?);
    if bytes.len() != 31 {
        return Err(VaultError::Authentication);
    }
    let mut wide = Zeroizing::new([0u8; 32]);
    wide[1..].copy_from_slice(&bytes);
    // Below 2^248 < r: read exactly, no reduction.
    Ok(field_from_sha256(&wide))
}

/// `Poseidon(holderSecret)`: what credentials name as their `holder`.
pub fn commitment(secret: &Fr) -> Fr {
    poseidon_hash(&[*secret])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_for_its_user_only_and_commits() {
        let keys = VaultKeys::parse(&hex::encode([9u8; 32])).unwrap();
        let user = UserId::generate();
        let bytes = fresh_secret_bytes();
        let sealed = seal(&keys, &user, &bytes);
        let secret = open(&keys, &user, sealed.clone()).unwrap();
        assert_eq!(open(&keys, &user, sealed.clone()).unwrap(), secret);
        assert!(open(&keys, &UserId::generate(), sealed).is_err());
        assert_ne!(commitment(&secret), secret);
        let other = open(&keys, &user, seal(&keys, &user, &fresh_secret_bytes())).unwrap();
        assert_ne!(other, secret);
    }
}
