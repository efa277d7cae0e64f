//! Issuers' signing keys, sealed under the vault master key and bound to the issuer id, so a
//! key copied onto another issuer's record does not open.

use honestly_zk::eddsa::PrivateKey;
use zeroize::Zeroizing;

use crate::credentials::IssuerPublicKey;
use crate::crypto::vault::{Sealed, VaultError, VaultKeys};
use crate::ids::IssuerId;
use crate::issuance::model::SealedKind;

fn binding(issuer: &IssuerId) -> String {
    SealedKind::IssuerKey.binding(issuer.as_str())
}

/// A fresh issuer key: its public half and the private half sealed for `issuer`.
pub fn generate(keys: &VaultKeys, issuer: &IssuerId) -> (IssuerPublicKey, Sealed) {
    let private = PrivateKey::generate(&mut rand::rngs::OsRng);
    let point = private.public_key().point();
    let sealed = keys.seal(private.expose_secret().to_vec(), &binding(issuer), issuer.as_str());
    (IssuerPublicKey { x: point.x(), y: point.y() }, sealed)
}

/// Opens `issuer`'s sealed key. Fails when it does not authenticate for this issuer or is not
/// 32 bytes.
pub fn open(keys: &VaultKeys, issuer: &IssuerId, sealed: Sealed) -> Result<PrivateKey, VaultError> {
    let bytes = Zeroizing::new(keys.open(sealed, &binding(issuer), issuer.as_str())?);
    let array: [u8; 32] = bytes.as_slice().try_into().map_err(|_| VaultError::Authentication)?;
    Ok(PrivateKey::from_bytes(array))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> VaultKeys {
        VaultKeys::parse(&hex::encode([7u8; 32])).unwrap()
    }

    #[test]
    fn a_sealed_key_opens_for_its_issuer_only() {
        let keys = keys();
        let issuer = IssuerId::generate();
        let (public, sealed) = generate(&keys, &issuer);
        let opened = open(&keys, &issuer, sealed.clone()).unwrap();
        let point = opened.public_key().point();
        assert_eq!((point.x(), point.y()), (public.x, public.y));
        assert!(open(&keys, &IssuerId::generate(), sealed).is_err());
    }
}
