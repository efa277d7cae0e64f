//! The R1CS gadget of EdDSA-Poseidon verification with circomlib's `EdDSAPoseidonVerifier`
//! semantics (always enabled): `S < l` (bit decomposition), `hm = Poseidon(R8x, R8y, Ax, Ay,
//! M)` decomposed into its unique 254 bits, `8·A` by three doublings with its x required to be
//! non-zero, and `S·Base8 = R8 + hm·(8·A)`. Stricter than circomlib, `A` and `R8` must also
//! satisfy the curve equation. Point addition is circomlib's `BabyAdd` (6 constraints), doubling
//! a dedicated formula (5), and `S·Base8` goes three bits at a time.
//!
//! Multiplying by 8 maps every point of the curve into the prime-order subgroup, so a small-order
//! component of `A` or `R8` cannot turn an invalid signature into a satisfying witness beyond
//! what circomlib's verifier allows; the native [`super::PublicKey`] additionally refuses such
//! points outright.

use std::sync::OnceLock;

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

/// Bits per window of the fixed-base multiplication `S·Base8`.
const FIXED_BASE_WINDOW: usize = 3;

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
        Ok(Self { x: quotient(&cs, &x_num, &x_den)?, y: quotient(&cs, &y_num, &y_den)? })
    }

    /// `2·self` for a point on the curve (5 constraints; free for a constant).
    ///
    /// The dedicated doubling `x' = 2xy / (a·x² + y²)`, `y' = (y² − a·x²) / (2 − a·x² − y²)`:
    /// on the curve `a·x² + y² = 1 + d·x²·y²`, so these are `BabyAdd(P, P)`'s denominators
    /// and the result is the same, with two products fewer. Every caller doubles points whose
    /// curve equation is enforced (the key `A`) or that are multiples of one.
    pub fn double(&self) -> Result<Self, SynthesisError> {
        if self.is_constant() {
            return self.add(self);
        }
        let a = Fr::from(A);
        let xy = &self.x * &self.y;
        let xx = self.x.square()?;
        let yy = self.y.square()?;
        let x_num = xy.double()?;
        let x_den = &xx * a + &yy;
        let y_num = &yy - &xx * a;
        let y_den = FpVar::Constant(Fr::from(2u64)) - &xx * a - &yy;
        let cs = self.x.cs().or(self.y.cs());
        Ok(Self { x: quotient(&cs, &x_num, &x_den)?, y: quotient(&cs, &y_num, &y_den)? })
    }

    fn select(bit: &Boolean<Fr>, if_true: &Self, if_false: &Self) -> Result<Self, SynthesisError> {
        Ok(Self {
            x: FpVar::conditionally_select(bit, &if_true.x, &if_false.x)?,
            y: FpVar::conditionally_select(bit, &if_true.y, &if_false.y)?,
        })
    }

    /// `k·self` for `k` given by its little-endian bits (double-and-add, 13 constraints a bit).
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

    /// `k·base` for a constant `base` and `k` given by its little-endian bits, three bits at a
    /// time: window `w` of value `j` selects the constant `j·8^w·base` from a table of eight,
    /// written as the multilinear polynomial in the window's bits that takes the table's value
    /// at every bit pattern (4 constraints for the bit products), and adds it (6). About 3.3
    /// constraints a bit, against 5 for a bit at a time. The polynomials of `Base8` for `S`'s
    /// 251 bits are made once per process; any other base or width makes its own.
    pub fn fixed_base_mul_le(base: Point, bits: &[Boolean<Fr>]) -> Result<Self, SynthesisError> {
        let made;
        let windows = if base == Point::base8() && bits.len() == S_BITS {
            base8_windows()
        } else {
            made = window_polynomials(base, bits.len());
            &made
        };
        let mut acc: Option<Self> = None;
        for (window, polynomial) in bits.chunks(FIXED_BASE_WINDOW).zip(windows) {
            let term = Self::lookup(window, polynomial)?;
            acc = Some(match acc {
                None => term,
                Some(acc) => acc.add(&term)?,
            });
        }
        Ok(acc.unwrap_or_else(|| Self::constant(Point::identity())))
    }

    /// The point `polynomial` takes at `bits`: a linear combination of the products of the
    /// bits, one constraint per product of two or more bits.
    fn lookup(bits: &[Boolean<Fr>], polynomial: &WindowPolynomial) -> Result<Self, SynthesisError> {
        let n = 1usize << bits.len();
        // monomials[s] = Π_{i ∈ s} bits[i] for each subset `s` of the bits (as a bit mask).
        let mut monomials: Vec<FpVar<Fr>> = Vec::with_capacity(n);
        monomials.push(FpVar::Constant(Fr::from(1u64)));
        for s in 1..n {
            let top = usize::BITS - 1 - s.leading_zeros();
            let rest = s & !(1 << top);
            let bit = FpVar::from(bits[top as usize].clone());
            monomials.push(if rest == 0 { bit } else { &monomials[rest] * &bit });
        }
        let combine = |c: &[Fr]| -> FpVar<Fr> {
            monomials.iter().zip(c).fold(FpVar::Constant(Fr::zero()), |acc, (m, c)| acc + m * *c)
        };
        Ok(Self { x: combine(&polynomial.x), y: combine(&polynomial.y) })
    }
}

/// One window of a fixed-base multiplication: the coefficients, over the subsets of the
/// window's bits, of the multilinear polynomials whose values at the bit patterns `j` are the
/// coordinates of the window's constant `j·8^w·base`.
struct WindowPolynomial {
    x: Vec<Fr>,
    y: Vec<Fr>,
}

/// The window polynomials of `k·base` for a `bits`-bit `k` in windows of
/// [`FIXED_BASE_WINDOW`] bits (the last one may be shorter).
fn window_polynomials(base: Point, bits: usize) -> Vec<WindowPolynomial> {
    let mut windows = Vec::with_capacity(bits.div_ceil(FIXED_BASE_WINDOW));
    let mut window_base = base;
    let mut start = 0;
    while start < bits {
        let width = FIXED_BASE_WINDOW.min(bits - start);
        let mut table = Vec::with_capacity(1 << width);
        let mut multiple = Point::identity();
        for _ in 0..1usize << width {
            table.push(multiple);
            multiple = multiple.add(&window_base);
        }
        windows.push(WindowPolynomial {
            x: mobius(table.iter().map(Point::x).collect(), width),
            y: mobius(table.iter().map(Point::y).collect(), width),
        });
        window_base = multiple;
        start += width;
    }
    windows
}

/// `Base8`'s window polynomials for the 251 bits of `S`, made once per process.
fn base8_windows() -> &'static [WindowPolynomial] {
    static WINDOWS: OnceLock<Vec<WindowPolynomial>> = OnceLock::new();
    WINDOWS.get_or_init(|| window_polynomials(Point::base8(), S_BITS))
}

/// The Möbius transform over the subsets of `width` bits: from a table of values at every bit
/// pattern to the coefficients of the multilinear polynomial taking them.
fn mobius(mut c: Vec<Fr>, width: usize) -> Vec<Fr> {
    for i in 0..width {
        for s in 0..c.len() {
            if s & (1 << i) != 0 {
                let lower = c[s & !(1 << i)];
                c[s] -= lower;
            }
        }
    }
    c
}

/// A witness `q` with `q · den = num` (one constraint). On the curve the denominators of the
/// point formulas never vanish (the curve is complete); off it a zero denominator leaves an
/// unsatisfiable constraint, not a panic.
fn quotient(
    cs: &ConstraintSystemRef<Fr>,
    num: &FpVar<Fr>,
    den: &FpVar<Fr>,
) -> Result<FpVar<Fr>, SynthesisError> {
    let q =
        FpVar::new_witness(
            cs.clone(),
            || Ok(num.value()? * den.value()?.inverse().unwrap_or_else(Fr::zero)),
        )?;
    q.mul_equals(den, num)?;
    Ok(q)
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

    /// The little-endian bits of `k` as witnesses, `width` of them.
    fn bit_witnesses(cs: &ConstraintSystemRef<Fr>, k: &BigUint, width: usize) -> Vec<Boolean<Fr>> {
        (0..width).map(|i| Boolean::new_witness(cs.clone(), || Ok(k.bit(i as u64))).unwrap()).collect()
    }

    #[test]
    fn fixed_base_windows_and_doubling_agree_with_native_arithmetic() {
        let l = subgroup_order().clone();
        let all_ones = (BigUint::from(1u32) << S_BITS) - 1u32;
        let scalars = [
            BigUint::from(0u32),
            BigUint::from(1u32),
            BigUint::from(7u32),
            BigUint::from(8u32),
            BigUint::from(0b101_110_011u32),
            &l - 1u32,
            all_ones,
            BigUint::from_bytes_le(&[0xa5; 31]),
        ];
        for k in &scalars {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let bits = bit_witnesses(&cs, k, S_BITS);
            let p = PointVar::fixed_base_mul_le(Point::base8(), &bits).unwrap();
            let expected = Point::base8().mul(k);
            assert_eq!((p.x.value().unwrap(), p.y.value().unwrap()), (expected.x(), expected.y()), "k = {k}");
            assert!(cs.is_satisfied().unwrap());
        }
        // Another base and width make their own polynomials (the cached ones are Base8's for
        // 251 bits): a 10-bit scalar is three full windows and one of a single bit.
        let other = Point::base8().mul(&BigUint::from(3u32));
        for k in [0u32, 1, 2, 513, 1023] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let bits = bit_witnesses(&cs, &BigUint::from(k), 10);
            let p = PointVar::fixed_base_mul_le(other, &bits).unwrap();
            let expected = other.mul(&BigUint::from(k));
            assert_eq!((p.x.value().unwrap(), p.y.value().unwrap()), (expected.x(), expected.y()), "k = {k}");
            assert!(cs.is_satisfied().unwrap());
        }
        // 3-bit windows: 83 full windows (4 products each) and one of 2 bits (1), 83 additions.
        let cs = ConstraintSystem::<Fr>::new_ref();
        let bits = bit_witnesses(&cs, &BigUint::from(5u32), S_BITS);
        let before = cs.num_constraints();
        PointVar::fixed_base_mul_le(Point::base8(), &bits).unwrap();
        assert_eq!(cs.num_constraints() - before, 83 * 4 + 1 + 83 * 6);
        // The dedicated doubling equals the native one on curve points, in 5 constraints.
        for k in [1u32, 2, 3, 1000] {
            let q = Point::base8().mul(&BigUint::from(k));
            let cs = ConstraintSystem::<Fr>::new_ref();
            let v = PointVar::new_witness(cs.clone(), q.x(), q.y()).unwrap();
            let before = cs.num_constraints();
            let d = v.double().unwrap();
            assert_eq!(cs.num_constraints() - before, 5);
            assert_eq!((d.x.value().unwrap(), d.y.value().unwrap()), (q.double().x(), q.double().y()));
            assert!(cs.is_satisfied().unwrap());
        }
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
    const EXPECTED_CONSTRAINTS: usize = 5622;
}
