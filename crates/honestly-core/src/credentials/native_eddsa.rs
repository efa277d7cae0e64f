//! The native EdDSA-Poseidon verifier behind [`SignatureCheck`], and the conversions between
//! `honestly_zk::eddsa`'s checked key and signature types and the plain values a credential
//! carries ([`IssuerPublicKey`], [`IssuerSignature`]).

use honestly_zk::babyjub::Point;
use honestly_zk::eddsa::{PublicKey, Signature};
use honestly_zk::{fr_from_decimal, fr_to_decimal, Fr};

use super::signature::{IssuerPublicKey, IssuerSignature, SignatureCheck};

/// The public key as a credential carries it.
pub fn issuer_public_key(key: &PublicKey) -> IssuerPublicKey {
    let point = key.point();
    IssuerPublicKey { x: point.x(), y: point.y() }
}

/// The signature as a credential carries it (`S` is below the subgroup order, so below the
/// field modulus).
pub fn issuer_signature(signature: &Signature) -> IssuerSignature {
    let r8 = signature.r8();
    let s = fr_from_decimal(&signature.s().to_string()).unwrap_or_default();
    IssuerSignature { r8x: r8.x(), r8y: r8.y(), s }
}

/// The checked public key of `key`: `None` when it is not a point of Baby Jubjub's prime-order
/// subgroup other than the identity.
pub fn checked_public_key(key: &IssuerPublicKey) -> Option<PublicKey> {
    Point::new(key.x, key.y).ok().and_then(|point| PublicKey::from_point(point).ok())
}

/// The checked signature of `signature`: `None` when `R8` is not a subgroup point or `S` is
/// not below the subgroup order.
pub fn checked_signature(signature: &IssuerSignature) -> Option<Signature> {
    Signature::from_decimal(
        &fr_to_decimal(&signature.r8x),
        &fr_to_decimal(&signature.r8y),
        &fr_to_decimal(&signature.s),
    )
    .ok()
}

/// The native EdDSA-Poseidon verifier (`honestly_zk::eddsa`, circomlib's
/// `EdDSAPoseidonVerifier` semantics): a key or signature that is not well-formed never
/// verifies.
#[derive(Debug, Clone, Copy, Default)]
pub struct NativeEddsa;

impl SignatureCheck for NativeEddsa {
    fn verify(&self, key: &IssuerPublicKey, message: &Fr, signature: &IssuerSignature) -> bool {
        match (checked_public_key(key), checked_signature(signature)) {
            (Some(key), Some(signature)) => key.verify(*message, &signature),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::claims::tests::FIXTURE;
    use crate::credentials::Credential;
    use honestly_zk::eddsa::PrivateKey;

    #[test]
    fn the_circomlibjs_fixture_verifies_and_a_changed_claim_does_not() {
        let fixture: serde_json::Value = serde_json::from_str(FIXTURE).unwrap();
        let credential = Credential::from_json(fixture["credential"].to_string().as_bytes()).unwrap();
        assert!(credential.verify_signature(&NativeEddsa));
        let mut changed = credential.clone();
        changed.claims.valid_until = changed.claims.valid_until.next_day().unwrap();
        assert!(!changed.verify_signature(&NativeEddsa));
    }

    #[test]
    fn conversions_round_trip_and_bad_points_never_verify() {
        let key = PrivateKey::from_bytes([7u8; 32]);
        let message = Fr::from(42u64);
        let signature = key.sign(message);
        let public = issuer_public_key(&key.public_key());
        let plain = issuer_signature(&signature);
        assert_eq!(checked_public_key(&public), Some(key.public_key()));
        assert_eq!(checked_signature(&plain), Some(signature));
        assert!(NativeEddsa.verify(&public, &message, &plain));
        assert!(!NativeEddsa.verify(&public, &(message + Fr::from(1u64)), &plain));
        let off_curve = IssuerPublicKey { x: Fr::from(1u64), y: Fr::from(2u64) };
        assert_eq!(checked_public_key(&off_curve), None);
        assert!(!NativeEddsa.verify(&off_curve, &message, &plain));
        let bad_r8 = IssuerSignature { r8x: Fr::from(1u64), ..plain };
        assert!(!NativeEddsa.verify(&public, &message, &bad_r8));
    }
}
