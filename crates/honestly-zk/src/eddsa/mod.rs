//! EdDSA-Poseidon on Baby Jubjub, exactly as circomlibjs' `eddsa.signPoseidon` /
//! `eddsa.verifyPoseidon` and `@zk-kit/eddsa-poseidon` (its default BLAKE-512 flavour) compute
//! it, and as circomlib's `EdDSAPoseidonVerifier` checks it:
//!
//! - private key (32 bytes) → `h = BLAKE-512(key)`; `s` = the first 32 bytes, little-endian,
//!   pruned (`h[0] &= 0xF8`, `h[31] &= 0x7F`, `h[31] |= 0x40`); public key `A = (s >> 3)·Base8`;
//! - signing a message `m` (one field element): `r = BLAKE-512(h[32..64] ‖ m as 32 LE bytes)`
//!   read little-endian mod `l`; `R8 = r·Base8`; `hm = Poseidon(R8x, R8y, Ax, Ay, m)`;
//!   `S = (r + hm·s) mod l`;
//! - verifying: `S < l` and `S·Base8 = R8 + (8·hm)·A`.
//!
//! Beyond circomlibjs, a public key or an `R8` that is the identity or outside the prime-order
//! subgroup is refused when it is parsed, so a [`PublicKey`] or [`Signature`] value is always
//! well-formed.

mod blake512;
pub mod gadget;

use std::fmt;

use ark_ff::{BigInteger, PrimeField};
use num_bigint::BigUint;
use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use crate::{
    babyjub::{biguint_from_fr, parse_subgroup_scalar, subgroup_order, CurveError, Point, PointJson},
    field::fr_to_decimal,
    poseidon::poseidon_hash,
    Fr,
};

/// A signing key: 32 secret bytes. Zeroized when dropped; its `Debug` prints no secret and it
/// has no `Display` or serde form.
pub struct PrivateKey([u8; 32]);

impl PrivateKey {
    /// Wraps 32 secret bytes (the same bytes circomlibjs and `@zk-kit/eddsa-poseidon` take).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// A fresh random key.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        let mut bytes = [0u8; 32];
        rng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// The secret bytes, for sealing the key in storage. Never log or return them.
    pub fn expose_secret(&self) -> &[u8; 32] {
        &self.0
    }

    /// The public key `A = (s >> 3)·Base8`.
    pub fn public_key(&self) -> PublicKey {
        let e = Expanded::new(self);
        PublicKey(public_point(&e))
    }

    /// Signs one field element (e.g. a credential's `claimsHash`). Deterministic: the same key
    /// and message always give the same signature, equal to circomlibjs' and @zk-kit's.
    pub fn sign(&self, message: Fr) -> Signature {
        let e = Expanded::new(self);
        let a = public_point(&e);
        let mut nonce_input = [0u8; 64];
        nonce_input[..32].copy_from_slice(&e.prefix);
        nonce_input[32..].copy_from_slice(&fr_le_bytes(&message));
        let mut digest = blake512::blake512(&nonce_input);
        nonce_input.zeroize();
        let r = BigUint::from_bytes_le(&digest) % subgroup_order();
        digest.zeroize();
        let mut r_le = biguint_le32(&r);
        let r8 = Point::base8().mul_secret(&r_le);
        r_le.zeroize();
        let hm = biguint_from_fr(&poseidon_hash(&[r8.x(), r8.y(), a.x(), a.y(), message]));
        let s = (r + hm * BigUint::from_bytes_le(&e.s)) % subgroup_order();
        Signature { r8, s }
    }
}

impl Drop for PrivateKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKey(<redacted>)")
    }
}

/// The expanded secret: the pruned scalar `s` (32 LE bytes) and the nonce prefix.
struct Expanded {
    s: [u8; 32],
    prefix: [u8; 32],
}

impl Expanded {
    fn new(key: &PrivateKey) -> Self {
        let mut h = blake512::blake512(&key.0);
        let mut s = [0u8; 32];
        let mut prefix = [0u8; 32];
        s.copy_from_slice(&h[..32]);
        prefix.copy_from_slice(&h[32..]);
        h.zeroize();
        s[0] &= 0xF8;
        s[31] &= 0x7F;
        s[31] |= 0x40;
        Self { s, prefix }
    }
}

impl Drop for Expanded {
    fn drop(&mut self) {
        self.s.zeroize();
        self.prefix.zeroize();
    }
}

fn public_point(e: &Expanded) -> Point {
    // s >> 3 on 32 little-endian bytes.
    let mut shifted = [0u8; 32];
    for (i, out) in shifted.iter_mut().enumerate() {
        let hi = e.s.get(i + 1).copied().unwrap_or(0);
        *out = (e.s[i] >> 3) | (hi << 5);
    }
    let a = Point::base8().mul_secret(&shifted);
    shifted.zeroize();
    a
}

fn fr_le_bytes(x: &Fr) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&x.into_bigint().to_bytes_le());
    out
}

fn biguint_le32(n: &BigUint) -> [u8; 32] {
    let mut out = [0u8; 32];
    let bytes = n.to_bytes_le();
    out[..bytes.len()].copy_from_slice(&bytes);
    out
}

/// A public key: a point of Baby Jubjub's prime-order subgroup other than the identity.
/// JSON form `{"x": "…", "y": "…"}` (decimal strings, circomlib coordinates).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(try_from = "PointJson", into = "PointJson")]
pub struct PublicKey(Point);

impl PublicKey {
    /// Accepts `point` when it is in the prime-order subgroup and not the identity.
    pub fn from_point(point: Point) -> Result<Self, CurveError> {
        point.require_subgroup("publicKey").map(Self)
    }

    /// Parses decimal coordinates (canonical, below the field modulus) and checks the point.
    pub fn from_decimal(x: &str, y: &str) -> Result<Self, CurveError> {
        Point::from_decimal_subgroup(x, y, "x", "y").map(Self)
    }

    /// The point.
    pub fn point(&self) -> Point {
        self.0
    }

    /// The JSON form.
    pub fn to_json(&self) -> PointJson {
        PointJson::from(&self.0)
    }

    /// Verifies `signature` over `message`: `S·Base8 = R8 + (8·hm)·A` with
    /// `hm = Poseidon(R8x, R8y, Ax, Ay, message)`. `S < l` and the points' validity were
    /// checked when the values were built.
    pub fn verify(&self, message: Fr, signature: &Signature) -> bool {
        let a = self.0;
        let r8 = signature.r8;
        let hm = biguint_from_fr(&poseidon_hash(&[r8.x(), r8.y(), a.x(), a.y(), message]));
        let left = Point::base8().mul(&signature.s);
        let right = r8.add(&a.mul(&(hm * 8u32)));
        left == right
    }
}

impl TryFrom<PointJson> for PublicKey {
    type Error = CurveError;
    fn try_from(j: PointJson) -> Result<Self, CurveError> {
        Self::from_decimal(&j.x, &j.y)
    }
}

impl From<PublicKey> for PointJson {
    fn from(k: PublicKey) -> Self {
        k.to_json()
    }
}

/// A signature `(R8, S)`: `R8` in the prime-order subgroup and not the identity, `S < l`
/// (so a signature cannot be re-shaped into another valid one by adding `l` to `S`).
/// JSON form `{"R8x": "…", "R8y": "…", "S": "…"}` (decimal strings).
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(try_from = "SignatureJson", into = "SignatureJson")]
pub struct Signature {
    r8: Point,
    s: BigUint,
}

impl Signature {
    /// Checks and builds a signature from its parts.
    pub fn new(r8: Point, s: BigUint) -> Result<Self, CurveError> {
        let r8 = r8.require_subgroup("R8x")?;
        if &s >= subgroup_order() {
            return Err(CurveError::OutOfRange { at: "S" });
        }
        Ok(Self { r8, s })
    }

    /// Parses the decimal form.
    pub fn from_decimal(r8x: &str, r8y: &str, s: &str) -> Result<Self, CurveError> {
        let r8 = Point::from_decimal_subgroup(r8x, r8y, "R8x", "R8y")?;
        let s = parse_subgroup_scalar(s, "S")?;
        Ok(Self { r8, s })
    }

    /// `R8`.
    pub fn r8(&self) -> Point {
        self.r8
    }

    /// `S` (below the subgroup order).
    pub fn s(&self) -> &BigUint {
        &self.s
    }

    /// The JSON form.
    pub fn to_json(&self) -> SignatureJson {
        SignatureJson {
            r8x: fr_to_decimal(&self.r8.x()),
            r8y: fr_to_decimal(&self.r8.y()),
            s: self.s.to_string(),
        }
    }
}

/// The JSON form of a signature, circomlibjs' field names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureJson {
    /// x of `R8`, decimal.
    #[serde(rename = "R8x")]
    pub r8x: String,
    /// y of `R8`, decimal.
    #[serde(rename = "R8y")]
    pub r8y: String,
    /// `S`, decimal, below the subgroup order.
    #[serde(rename = "S")]
    pub s: String,
}

impl TryFrom<SignatureJson> for Signature {
    type Error = CurveError;
    fn try_from(j: SignatureJson) -> Result<Self, CurveError> {
        Self::from_decimal(&j.r8x, &j.r8y, &j.s)
    }
}

impl From<Signature> for SignatureJson {
    fn from(s: Signature) -> Self {
        s.to_json()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::babyjub::Point;
    use ark_ff::One;
    use proptest::prelude::*;
    use rand::{rngs::StdRng, SeedableRng};

    fn key(seed: u8) -> PrivateKey {
        PrivateKey::from_bytes([seed; 32])
    }

    #[test]
    fn debug_never_prints_the_secret() {
        let k = PrivateKey::from_bytes([0xAB; 32]);
        let printed = format!("{k:?}");
        assert_eq!(printed, "PrivateKey(<redacted>)");
        assert!(!printed.contains("ab") && !printed.contains("171"));
    }

    #[test]
    fn sign_then_verify_and_refusals() {
        let k = key(7);
        let pk = k.public_key();
        let m = Fr::from(42u64);
        let sig = k.sign(m);
        assert!(pk.verify(m, &sig));
        assert_eq!(sig, k.sign(m), "deterministic");
        // Wrong message, wrong key.
        assert!(!pk.verify(m + Fr::one(), &sig));
        assert!(!key(8).public_key().verify(m, &sig));
        // Tampered S (still < l) and tampered R8 (another valid subgroup point).
        let s2 = (sig.s() + 1u32) % subgroup_order();
        assert!(!pk.verify(m, &Signature::new(sig.r8(), s2).unwrap()));
        let r2 = sig.r8().add(&Point::base8());
        assert!(!pk.verify(m, &Signature::new(r2, sig.s().clone()).unwrap()));
    }

    #[test]
    fn malleable_and_malformed_signatures_are_refused() {
        let k = key(3);
        let sig = k.sign(Fr::from(5u64));
        let j = sig.to_json();
        // S + l satisfies the verification equation too; it must be refused at parse time.
        let s_plus_l = (sig.s() + subgroup_order()).to_string();
        assert_eq!(
            Signature::from_decimal(&j.r8x, &j.r8y, &s_plus_l),
            Err(CurveError::OutOfRange { at: "S" })
        );
        assert_eq!(
            Signature::new(sig.r8(), subgroup_order().clone()),
            Err(CurveError::OutOfRange { at: "S" })
        );
        // R8 off the curve, with a small-order component, or the identity.
        assert_eq!(Signature::from_decimal("1", &j.r8y, &j.s), Err(CurveError::NotOnCurve { at: "R8x" }));
        let two_torsion = Point::new(Fr::from(0u64), -Fr::one()).unwrap();
        let mixed = sig.r8().add(&two_torsion);
        assert_eq!(Signature::new(mixed, sig.s().clone()), Err(CurveError::NotInSubgroup { at: "R8x" }));
        assert_eq!(
            Signature::new(Point::identity(), sig.s().clone()),
            Err(CurveError::Identity { at: "R8x" })
        );
        // Unknown or missing JSON fields.
        assert!(serde_json::from_str::<Signature>(r#"{"R8x":"1","R8y":"1"}"#).is_err());
        let extra = format!(r#"{{"R8x":"{}","R8y":"{}","S":"{}","x":"1"}}"#, j.r8x, j.r8y, j.s);
        assert!(serde_json::from_str::<Signature>(&extra).is_err());
    }

    #[test]
    fn bad_public_keys_are_refused() {
        let two_torsion = Point::new(Fr::from(0u64), -Fr::one()).unwrap();
        assert_eq!(PublicKey::from_point(two_torsion), Err(CurveError::NotInSubgroup { at: "publicKey" }));
        assert_eq!(PublicKey::from_point(Point::identity()), Err(CurveError::Identity { at: "publicKey" }));
        assert_eq!(PublicKey::from_decimal("0", "1"), Err(CurveError::Identity { at: "x" }));
        assert_eq!(PublicKey::from_decimal("1", "2"), Err(CurveError::NotOnCurve { at: "x" }));
        let mixed = key(1).public_key().point().add(&two_torsion);
        let j = PointJson::from(&mixed);
        assert_eq!(PublicKey::from_decimal(&j.x, &j.y), Err(CurveError::NotInSubgroup { at: "x" }));
        assert!(serde_json::from_str::<PublicKey>(r#"{"x":"0","y":"1"}"#).is_err());
    }

    #[test]
    fn a_small_order_key_cannot_be_used_to_forge() {
        // With A of order 2, (8·hm)·A is the identity, so S·B8 = R8 would "verify" any message
        // for anyone; such a key never gets past PublicKey's constructor.
        let two_torsion = Point::new(Fr::from(0u64), -Fr::one()).unwrap();
        assert!(two_torsion.mul(&BigUint::from(8u32)).is_identity());
        assert!(PublicKey::from_point(two_torsion).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]

        #[test]
        fn round_trips(seed in any::<u64>(), msg in prop::array::uniform32(any::<u8>())) {
            let k = PrivateKey::generate(&mut StdRng::seed_from_u64(seed));
            let m = crate::field::field_from_sha256(&msg);
            let pk = k.public_key();
            let sig = k.sign(m);
            prop_assert!(pk.verify(m, &sig));
            let sig_json = serde_json::to_string(&sig).unwrap();
            let pk_json = serde_json::to_string(&pk).unwrap();
            let sig2: Signature = serde_json::from_str(&sig_json).unwrap();
            let pk2: PublicKey = serde_json::from_str(&pk_json).unwrap();
            prop_assert_eq!(&sig2, &sig);
            prop_assert_eq!(pk2, pk);
            prop_assert!(pk2.verify(m, &sig2));
            prop_assert!(!pk2.verify(m + Fr::one(), &sig2));
        }

        #[test]
        fn any_change_of_message_key_r8_or_s_is_refused(
            seed in any::<u64>(),
            delta in 1u64..u64::MAX,
            r8_step in 1u32..1000,
        ) {
            let mut rng = StdRng::seed_from_u64(seed);
            let k = PrivateKey::generate(&mut rng);
            let m = Fr::from(seed);
            let pk = k.public_key();
            let sig = k.sign(m);
            prop_assert!(!pk.verify(m + Fr::from(delta), &sig));
            prop_assert!(!PrivateKey::generate(&mut rng).public_key().verify(m, &sig));
            let s2 = (sig.s() + delta) % subgroup_order();
            prop_assert!(!pk.verify(m, &Signature::new(sig.r8(), s2).unwrap()));
            let r2 = sig.r8().add(&Point::base8().mul(&BigUint::from(r8_step)));
            if let Ok(bad) = Signature::new(r2, sig.s().clone()) {
                prop_assert!(!pk.verify(m, &bad));
            }
            // S ≥ l never parses, whatever is added.
            let j = sig.to_json();
            let big = (sig.s() + subgroup_order() * delta).to_string();
            prop_assert!(Signature::from_decimal(&j.r8x, &j.r8y, &big).is_err());
        }
    }
}
