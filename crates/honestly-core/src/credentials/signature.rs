//! The issuer's public key and signature as a credential carries them: circomlib's Baby Jubjub
//! form, each coordinate and the scalar a field element (decimal strings in JSON).
//!
//! This module only holds the values. Whether a point is on the curve and whether the
//! signature verifies is the job of the EdDSA-Poseidon implementation, reached through the
//! [`SignatureCheck`] hook.

use honestly_zk::Fr;

/// An issuer's EdDSA-Poseidon public key `A = (x, y)` on Baby Jubjub (circomlib's form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IssuerPublicKey {
    /// The x coordinate.
    pub x: Fr,
    /// The y coordinate.
    pub y: Fr,
}

/// An EdDSA-Poseidon signature `(R8, S)` as circomlibjs' `signPoseidon` returns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IssuerSignature {
    /// R8's x coordinate.
    pub r8x: Fr,
    /// R8's y coordinate.
    pub r8y: Fr,
    /// The scalar S.
    pub s: Fr,
}

/// Verifies an issuer's EdDSA-Poseidon signature over a message (a credential's `claimsHash`).
///
/// Implemented by the native EdDSA-Poseidon verifier (circomlib's `EdDSAPoseidonVerifier`
/// semantics: points on the curve and in the subgroup, `S` below the subgroup order); any
/// `Fn(&IssuerPublicKey, &Fr, &IssuerSignature) -> bool` also is one.
pub trait SignatureCheck {
    /// Whether `signature` is `key`'s signature over `message`.
    fn verify(&self, key: &IssuerPublicKey, message: &Fr, signature: &IssuerSignature) -> bool;
}

impl<F: Fn(&IssuerPublicKey, &Fr, &IssuerSignature) -> bool> SignatureCheck for F {
    fn verify(&self, key: &IssuerPublicKey, message: &Fr, signature: &IssuerSignature) -> bool {
        self(key, message, signature)
    }
}

impl IssuerPublicKey {
    /// x as a decimal string.
    pub fn x_decimal(&self) -> String {
        honestly_zk::fr_to_decimal(&self.x)
    }

    /// The key with these decimal coordinates, when both are canonical decimals below the
    /// field's modulus (whether the point is on the curve is not checked here).
    pub fn from_decimal(x: &str, y: &str) -> Option<Self> {
        Some(Self { x: honestly_zk::fr_from_decimal(x).ok()?, y: honestly_zk::fr_from_decimal(y).ok()? })
    }

    /// y as a decimal string.
    pub fn y_decimal(&self) -> String {
        honestly_zk::fr_to_decimal(&self.y)
    }
}

/// A field element as a canonical decimal string (commitments, roots, nullifiers).
pub fn field_decimal(x: &Fr) -> String {
    honestly_zk::fr_to_decimal(x)
}
