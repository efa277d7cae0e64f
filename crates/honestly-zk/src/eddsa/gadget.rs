//! The R1CS gadget of EdDSA-Poseidon verification with circomlib's `EdDSAPoseidonVerifier`
//! semantics (always enabled): `S < l` (bit decomposition), `hm = Poseidon(R8x, R8y, Ax, Ay,
//! M)` decomposed into its unique 254 bits, `8·A` by three doublings with its x required to be
//! non-zero, and `S·Base8 = R8 + hm·(8·A)`. Stricter than circomlib, `A` and `R8` must also
//! satisfy the curve equation. Point addition is circomlib's `BabyAdd` (6 constraints).
//!
//! Multiplying by 8 maps every point of the curve into the prime-order subgroup, so a small-order
//! component of `A` or `R8` cannot turn an invalid signature into a satisfying witness beyond
//! what circomlib's verifier allows; the native [`super::PublicKey`] additionally refuses such
//! points outright.

use ark_ff::{Field, PrimeField, Zero};
use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
use num_bigint::BigUint;

use crate::{
    babyjub::{subgroup_order, Point, A, D},
    gadgets::enforce_range,
    poseidon::poseidon_gadget,
    Fr,
};

/// Bits of `S`: the subgroup order `l` is below 2^251.
const S_BITS: usize = 251;

/// A point of Baby Jubjub (circomlib coordinates) in the constraint system.
#[derive(Clone, Debug)]
pub struct PointVar {
    /// x.
    pub x: FpVar<Fr>,
    /// y.
    pub y: FpVar<Fr>,
}

impl PointVar {
    /// A constant point (no variables).
    pub fn constant(p: Point) -> Self {
        Self { x: FpVar::Constant(p.x()), y: FpVar::Constant(p.y()) }
    }

    /// Allocates the coordinates `(x, y)` as witnesses (not checked; see
    /// [`PointVar::enforce_on_curve`]).
    pub fn new_witness(cs: ConstraintSystemRef<Fr>, x: Fr, y: Fr) -> Result<Self, SynthesisError> {
        Ok(Self { x: FpVar::new_witness(cs.clone(), || Ok(x))?, y: FpVar::new_witness(cs, || Ok(y))? })
    }

    /// Allocates the coordinates as public inputs.
    pub fn new_input(cs: ConstraintSystemRef<Fr>, x: Fr, y: Fr) -> Result<Self, SynthesisError> {
        Ok(Self { x: FpVar::new_input(cs.clone(), || Ok(x))?, y: FpVar::new_input(cs, || Ok(y))? })
    }

    /// Enforces `a·x² + y² = 1 + d·x²·y²` (3 constraints).
    pub fn enforce_on_curve(&self) -> Result<(), SynthesisError> {
        let x2 = self.x.square()?;
        let y2 = self.y.square()?;
        let lhs = &x2 * Fr::from(A) + &y2;
        let rhs = (x2 * y2) * Fr::from(D) + Fr::from(1u64);
        lhs.enforce_equal(&rhs)
    }

    fn is_constant(&self) -> bool {
        self.x.is_constant() && self.y.is_constant()
    }

    /// `self + other` with circomlib's `BabyAdd` (6 constraints; free for two constants).
    pub fn add(&self, other: &Self) -> Result<Self, SynthesisError> {
        if self.is_constant() && other.is_constant() {
            let p =
                Point::new(self.x.value()?, self.y.value()?).map_err(|_| SynthesisError::Unsatisfiable)?;
            let q =
                Point::new(other.x.value()?, other.y.value()?).map_err(|_| SynthesisError::Unsatisfiable)?;
            return Ok(Self::constant(p.add(&q)));
        }
        let a = Fr::from(A);
        let d = Fr::from(D);
        let beta = &self.x * &other.y;
        let gamma = &self.y * &other.x;
        let delta = (&self.y - &self.x * a) * (&other.x + &other.y);
        let tau = &beta * &gamma;
        let x_num = &beta + &gamma;
        let x_den = &tau * d + Fr::from(1u64);
        let y_num = &delta + &beta * a - &gamma;
        let y_den = FpVar::Constant(Fr::from(1u64)) - &tau * d;
        let cs = self.x.cs().or(self.y.cs()).or(other.x.cs()).or(other.y.cs());
        let quotient = |num: &FpVar<Fr>, den: &FpVar<Fr>| -> Result<FpVar<Fr>, SynthesisError> {
            let q = FpVar::new_witness(cs.clone(), || {
                // On the curve the denominators never vanish (the curve is complete); off it
                // a zero denominator leaves an unsatisfiable constraint, not a panic.
                Ok(num.value()? * den.value()?.inverse().unwrap_or_else(Fr::zero))
            })?;
            q.mul_equals(den, num)?;
            Ok(q)
        };
        Ok(Self { x: quotient(&x_num, &x_den)?, y: quotient(&y_num, &y_den)? })
    }

    /// `2·self`.
    pub fn double(&self) -> Result<Self, SynthesisError> {
        self.add(self)
    }

    fn select(bit: &Boolean<Fr>, if_true: &Self, if_false: &Self) -> Result<Self, SynthesisError> {
        Ok(Self {
            x: FpVar::conditionally_select(bit, &if_true.x, &if_false.x)?,
            y: FpVar::conditionally_select(bit, &if_true.y, &if_false.y)?,
        })
    }

    /// `k·self` for `k` given by its little-endian bits (double-and-add, 14 constraints a bit).
    pub fn scalar_mul_le(&self, bits: &[Boolean<Fr>]) -> Result<Self, SynthesisError> {
        let mut acc = Self::constant(Point::identity());
        let mut base = self.clone();
        for (i, bit) in bits.iter().enumerate() {
            let sum = acc.add(&base)?;
            acc = Self::select(bit, &sum, &acc)?;
            if i + 1 < bits.len() {
                base = base.double()?;
            }
        }
        Ok(acc)
    }

    /// `k·base` for a constant `base` and `k` given by its little-endian bits (the multiples
    /// `2^i·base` are constants, so about 5 constraints a bit).
    pub fn fixed_base_mul_le(base: Point, bits: &[Boolean<Fr>]) -> Result<Self, SynthesisError> {
        let mut acc = Self::constant(Point::identity());
        let mut multiple = base;
        for bit in bits {
            let sum = acc.add(&Self::constant(multiple))?;
            acc = Self::select(bit, &sum, &acc)?;
            multiple = multiple.double();
        }
        Ok(acc)
    }
}

/// Enforces that `(r8, s)` is a valid EdDSA-Poseidon signature of `message` under the public
/// key `a` (see the module documentation for exactly what is checked).
pub fn enforce_eddsa_poseidon(
    a: &PointVar,
    r8: &PointVar,
    s: &FpVar<Fr>,
    message: &FpVar<Fr>,
) -> Result<(), SynthesisError> {
    a.enforce_on_curve()?;
    r8.enforce_on_curve()?;
    // S < l: S < 2^251 and l − 1 − S < 2^251 (which wraps to a huge value when S ≥ l).
    let s_bits = enforce_range(s, S_BITS)?;
    let l_minus_1 = Fr::from_le_bytes_mod_order(&(subgroup_order() - BigUint::from(1u32)).to_bytes_le());
    enforce_range(&(FpVar::Constant(l_minus_1) - s), S_BITS)?;
    let hm = poseidon_gadget(&[r8.x.clone(), r8.y.clone(), a.x.clone(), a.y.clone(), message.clone()])?;
    let hm_bits = hm.to_bits_le()?;
    let a8 = a.double()?.double()?.double()?;
    a8.x.enforce_not_equal(&FpVar::Constant(Fr::zero()))?;
    let right = r8.add(&a8.scalar_mul_le(&hm_bits)?)?;
    let left = PointVar::fixed_base_mul_le(Point::base8(), &s_bits)?;
    left.x.enforce_equal(&right.x)?;
    left.y.enforce_equal(&right.y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eddsa::{PrivateKey, Signature};
    use ark_ff::One;
    use ark_relations::gr1cs::ConstraintSystem;
    use num_bigint::BigUint;

    /// Builds the gadget over witnesses `(Ax, Ay, R8x, R8y, S, M)`; returns (satisfied, constraints).
    fn check(a: (Fr, Fr), r8: (Fr, Fr), s: Fr, m: Fr) -> (bool, usize) {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let a = PointVar::new_witness(cs.clone(), a.0, a.1).unwrap();
        let r8 = PointVar::new_witness(cs.clone(), r8.0, r8.1).unwrap();
        let s = FpVar::new_witness(cs.clone(), || Ok(s)).unwrap();
        let m = FpVar::new_input(cs.clone(), || Ok(m)).unwrap();
        enforce_eddsa_poseidon(&a, &r8, &s, &m).unwrap();
        (cs.is_satisfied().unwrap(), cs.num_constraints())
    }

    fn fr(n: &BigUint) -> Fr {
        Fr::from_le_bytes_mod_order(&n.to_bytes_le())
    }

    fn parts(sig: &Signature) -> ((Fr, Fr), Fr) {
        ((sig.r8().x(), sig.r8().y()), fr(sig.s()))
    }

    #[test]
    fn valid_signatures_satisfy_and_altered_ones_do_not() {
        let key = PrivateKey::from_bytes([9; 32]);
        let pk = key.public_key().point();
        let a = (pk.x(), pk.y());
        let m = Fr::from(20_240_101u64);
        let sig = key.sign(m);
        let (r8, s) = parts(&sig);
        let (ok, constraints) = check(a, r8, s, m);
        assert!(ok);
        assert_eq!(constraints, EXPECTED_CONSTRAINTS, "constraint count changed");

        assert!(!check(a, r8, s, m + Fr::one()).0, "wrong message");
        assert!(!check(a, r8, s + Fr::one(), m).0, "tampered S");
        let other = PrivateKey::from_bytes([10; 32]).public_key().point();
        assert!(!check((other.x(), other.y()), r8, s, m).0, "wrong key");
        let r2 = sig.r8().add(&Point::base8());
        assert!(!check(a, (r2.x(), r2.y()), s, m).0, "tampered R8");
        // S + l satisfies the curve equation but not S < l.
        assert!(!check(a, r8, s + fr(subgroup_order()), m).0, "S ≥ l");
        // Points off the curve, the identity as key.
        assert!(!check((a.0 + Fr::one(), a.1), r8, s, m).0, "key off the curve");
        assert!(!check(a, (r8.0, r8.1 + Fr::one()), s, m).0, "R8 off the curve");
        assert!(!check((Fr::zero(), Fr::one()), r8, s, m).0, "identity key");
    }

    #[test]
    fn small_order_key_cannot_satisfy() {
        // A = (0, −1) has order 2: 8·A is the identity, whose x is zero — refused, as in
        // circomlib; otherwise S·Base8 = R8 would pass for every message.
        let r = BigUint::from(12345u32);
        let r8 = Point::base8().mul(&r);
        assert!(!check((Fr::zero(), -Fr::one()), (r8.x(), r8.y()), fr(&r), Fr::from(1u64)).0);
    }

    /// The gadget's size (recorded in docs/zk.md).
    const EXPECTED_CONSTRAINTS: usize = 6297;
}
