//! Baby Jubjub in circomlib's form: the twisted Edwards curve `a·x² + y² = 1 + d·x²·y²` with
//! `a = 168700`, `d = 168696` over BN254's scalar field [`Fr`], circomlib's `Base8` generator of
//! the prime-order subgroup and its order `l` (the whole curve has `8·l` points).
//!
//! arkworks' `ark-ed-on-bn254` uses an isomorphic curve with `a = 1`; points here are in
//! circomlib's coordinates, the ones circomlibjs, `@zk-kit/baby-jubjub` and circom circuits
//! use, so they can be exchanged as they are.
//!
//! The curve is complete (`a` is a square, `d` is not), so one addition formula serves every
//! pair of points, the identity `(0, 1)` included.

use std::sync::OnceLock;

use ark_ff::{AdditiveGroup, Field, One, PrimeField, Zero};
use num_bigint::BigUint;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::{
    error::ParseError,
    field::{fr_to_decimal, parse_decimal, parse_prime_field},
    Fr,
};

/// The curve coefficient `a`.
pub const A: u64 = 168_700;
/// The curve coefficient `d`.
pub const D: u64 = 168_696;
/// x of circomlib's `Base8`, the generator of the prime-order subgroup.
pub const BASE8_X: &str = "5299619240641551281634865583518297030282874472190772894086521144482721001553";
/// y of circomlib's `Base8`.
pub const BASE8_Y: &str = "16950150798460657717958625567821834550301663161624707787222815936182638968203";
/// circomlib's `subOrder`: the prime order `l` of the subgroup `Base8` generates.
pub const SUBGROUP_ORDER: &str =
    "2736030358979909402780800718157159386076813972158567259200215660948447373041";

/// Why a point or a signature was refused. `at` names the offending field (`x`, `R8y`, `S`…).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CurveError {
    /// Not a canonical decimal string.
    #[error("{at} is not a canonical decimal number")]
    NotDecimal {
        /// The field.
        at: &'static str,
    },
    /// A coordinate ≥ the field modulus, or a scalar ≥ the subgroup order.
    #[error("{at} is out of range")]
    OutOfRange {
        /// The field.
        at: &'static str,
    },
    /// The point does not satisfy the curve equation.
    #[error("{at} is not a point of Baby Jubjub")]
    NotOnCurve {
        /// The field.
        at: &'static str,
    },
    /// The point is on the curve but outside the prime-order subgroup (it has a small-order
    /// component).
    #[error("{at} is not in Baby Jubjub's prime-order subgroup")]
    NotInSubgroup {
        /// The field.
        at: &'static str,
    },
    /// The point is the identity `(0, 1)`.
    #[error("{at} is the identity point")]
    Identity {
        /// The field.
        at: &'static str,
    },
}

/// The subgroup order `l` as an integer.
pub fn subgroup_order() -> &'static BigUint {
    static L: OnceLock<BigUint> = OnceLock::new();
    L.get_or_init(|| BigUint::parse_bytes(SUBGROUP_ORDER.as_bytes(), 10).unwrap_or_default())
}

fn fr_const(decimal: &str) -> Fr {
    // Only called on the constants above, which are canonical and below the modulus.
    Fr::from_le_bytes_mod_order(
        &BigUint::parse_bytes(decimal.as_bytes(), 10).unwrap_or_default().to_bytes_le(),
    )
}

/// A field element as an integer.
pub(crate) fn biguint_from_fr(x: &Fr) -> BigUint {
    use ark_ff::BigInteger;
    BigUint::from_bytes_le(&x.into_bigint().to_bytes_le())
}

/// A point of the curve in affine coordinates (always on the curve; not necessarily in the
/// prime-order subgroup — see [`Point::is_in_subgroup`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Point {
    x: Fr,
    y: Fr,
}

impl std::fmt::Debug for Point {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Point({}, {})", fr_to_decimal(&self.x), fr_to_decimal(&self.y))
    }
}

/// Projective coordinates `(X : Y : Z)` with `x = X/Z`, `y = Y/Z`: additions without inversions.
#[derive(Clone, Copy)]
struct Projective {
    x: Fr,
    y: Fr,
    z: Fr,
}

impl Projective {
    const IDENTITY: Self = Self { x: Fr::ZERO, y: Fr::ONE, z: Fr::ONE };

    /// The complete addition law ("add-2008-bbjlp" of the Explicit-Formulas Database), valid
    /// for doubling and for the identity as well.
    fn add(&self, o: &Self) -> Self {
        let a = self.z * o.z;
        let b = a.square();
        let c = self.x * o.x;
        let d = self.y * o.y;
        let e = Fr::from(D) * c * d;
        let f = b - e;
        let g = b + e;
        let x = a * f * ((self.x + self.y) * (o.x + o.y) - c - d);
        let y = a * g * (d - Fr::from(A) * c);
        Self { x, y, z: f * g }
    }

    /// `if bit { other } else { self }` by arithmetic, without a branch on `bit`.
    fn select(&self, other: &Self, bit: bool) -> Self {
        let m = Fr::from(u64::from(bit));
        Self {
            x: self.x + m * (other.x - self.x),
            y: self.y + m * (other.y - self.y),
            z: self.z + m * (other.z - self.z),
        }
    }

    fn to_affine(self) -> Point {
        // z = f·g never vanishes on a complete curve.
        let inv = self.z.inverse().unwrap_or(Fr::ZERO);
        Point { x: self.x * inv, y: self.y * inv }
    }
}

impl Point {
    /// Checks the curve equation and builds the point.
    pub fn new(x: Fr, y: Fr) -> Result<Self, CurveError> {
        let (x2, y2) = (x.square(), y.square());
        if Fr::from(A) * x2 + y2 == Fr::one() + Fr::from(D) * x2 * y2 {
            Ok(Self { x, y })
        } else {
            Err(CurveError::NotOnCurve { at: "point" })
        }
    }

    /// The identity `(0, 1)`.
    pub fn identity() -> Self {
        Self { x: Fr::zero(), y: Fr::one() }
    }

    /// circomlib's `Base8`.
    pub fn base8() -> Self {
        static B: OnceLock<Point> = OnceLock::new();
        *B.get_or_init(|| Self { x: fr_const(BASE8_X), y: fr_const(BASE8_Y) })
    }

    /// The x coordinate.
    pub fn x(&self) -> Fr {
        self.x
    }

    /// The y coordinate.
    pub fn y(&self) -> Fr {
        self.y
    }

    /// Whether this is the identity `(0, 1)`.
    pub fn is_identity(&self) -> bool {
        self.x.is_zero() && self.y.is_one()
    }

    fn projective(&self) -> Projective {
        Projective { x: self.x, y: self.y, z: Fr::one() }
    }

    /// `self + other`.
    pub fn add(&self, other: &Self) -> Self {
        self.projective().add(&other.projective()).to_affine()
    }

    /// `2·self`.
    pub fn double(&self) -> Self {
        self.add(self)
    }

    /// `-self` = `(-x, y)`.
    pub fn neg(&self) -> Self {
        Self { x: -self.x, y: self.y }
    }

    /// `k·self` for a public scalar `k` (double-and-add; its timing depends on `k`).
    pub fn mul(&self, k: &BigUint) -> Self {
        let p = self.projective();
        let mut acc = Projective::IDENTITY;
        for i in (0..k.bits()).rev() {
            acc = acc.add(&acc);
            if k.bit(i) {
                acc = acc.add(&p);
            }
        }
        acc.to_affine()
    }

    /// `k·self` for a secret scalar given as 32 little-endian bytes: always 256 doublings and
    /// 256 additions, the result chosen by arithmetic, so no branch or memory access depends
    /// on `k` in this code.
    pub(crate) fn mul_secret(&self, k_le: &[u8; 32]) -> Self {
        let p = self.projective();
        let mut acc = Projective::IDENTITY;
        for i in (0..256).rev() {
            acc = acc.add(&acc);
            let sum = acc.add(&p);
            let bit = (k_le[i / 8] >> (i % 8)) & 1 == 1;
            acc = acc.select(&sum, bit);
        }
        acc.to_affine()
    }

    /// Whether `l·self` is the identity, i.e. the point is in the subgroup `Base8` generates.
    pub fn is_in_subgroup(&self) -> bool {
        self.mul(subgroup_order()).is_identity()
    }

    /// Parses decimal coordinates and requires a point of the prime-order subgroup other than
    /// the identity: the only points a public key or a signature's `R8` may be. `at_x`/`at_y`
    /// name the fields for the error.
    pub fn from_decimal_subgroup(
        x: &str,
        y: &str,
        at_x: &'static str,
        at_y: &'static str,
    ) -> Result<Self, CurveError> {
        let x = parse_coordinate(x, at_x)?;
        let y = parse_coordinate(y, at_y)?;
        Self::new(x, y).map_err(|_| CurveError::NotOnCurve { at: at_x })?.require_subgroup(at_x)
    }

    /// `Ok(self)` when the point is in the prime-order subgroup and not the identity.
    pub fn require_subgroup(self, at: &'static str) -> Result<Self, CurveError> {
        if self.is_identity() {
            Err(CurveError::Identity { at })
        } else if !self.is_in_subgroup() {
            Err(CurveError::NotInSubgroup { at })
        } else {
            Ok(self)
        }
    }
}

/// A canonical decimal string below the BN254 scalar field modulus.
fn parse_coordinate(s: &str, at: &'static str) -> Result<Fr, CurveError> {
    parse_prime_field::<Fr>(s, at).map_err(|e| match e {
        ParseError::OutOfField(_) => CurveError::OutOfRange { at },
        _ => CurveError::NotDecimal { at },
    })
}

/// A canonical decimal string below the subgroup order `l` (a signature's `S`).
pub(crate) fn parse_subgroup_scalar(s: &str, at: &'static str) -> Result<BigUint, CurveError> {
    let n = parse_decimal(s, at).map_err(|_| CurveError::NotDecimal { at })?;
    if &n >= subgroup_order() {
        return Err(CurveError::OutOfRange { at });
    }
    Ok(n)
}

/// The JSON form of a point: `{"x": "…", "y": "…"}`, decimal strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointJson {
    /// x, decimal.
    pub x: String,
    /// y, decimal.
    pub y: String,
}

impl From<&Point> for PointJson {
    fn from(p: &Point) -> Self {
        Self { x: fr_to_decimal(&p.x), y: fr_to_decimal(&p.y) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn order2() -> Point {
        Point::new(Fr::zero(), -Fr::one()).unwrap()
    }

    #[test]
    fn base8_is_a_subgroup_point_of_order_l() {
        let b = Point::base8();
        assert!(Point::new(b.x(), b.y()).is_ok());
        assert!(b.is_in_subgroup() && !b.is_identity());
        assert_eq!(b.mul(&(subgroup_order() - 1u32)), b.neg());
        // 8·l is the curve's order (circomlib's `order`).
        let order = subgroup_order() * 8u32;
        assert_eq!(
            order.to_string(),
            "21888242871839275222246405745257275088614511777268538073601725287587578984328"
        );
    }

    #[test]
    fn known_multiple_of_base8_from_circomlibjs() {
        // circomlibjs: babyJub.mulPointEscalar(babyJub.Base8, 2) and addPoint(Base8, Base8).
        let two = Point::base8().double();
        assert_eq!(two, Point::base8().mul(&BigUint::from(2u32)));
        assert_eq!(two, Point::base8().add(&Point::base8()));
        assert!(Point::new(two.x(), two.y()).is_ok());
        let j = PointJson::from(&two);
        assert_eq!(j.x, "10031262171927540148667355526369034398030886437092045105752248699557385197826");
        assert_eq!(j.y, "633281375905621697187330766174974863687049529291089048651929454608812697683");
    }

    #[test]
    fn small_order_and_mixed_points_are_not_in_the_subgroup() {
        let t = order2();
        assert!(t.double().is_identity());
        assert!(!t.is_in_subgroup());
        let mixed = Point::base8().add(&t);
        assert!(Point::new(mixed.x(), mixed.y()).is_ok());
        assert_eq!(mixed.require_subgroup("x"), Err(CurveError::NotInSubgroup { at: "x" }));
        assert_eq!(Point::identity().require_subgroup("x"), Err(CurveError::Identity { at: "x" }));
        assert_eq!(Point::new(Fr::one(), Fr::one()), Err(CurveError::NotOnCurve { at: "point" }));
    }

    #[test]
    fn decimal_parsing_is_strict() {
        let b = PointJson::from(&Point::base8());
        assert_eq!(Point::from_decimal_subgroup(&b.x, &b.y, "x", "y"), Ok(Point::base8()));
        let p = "21888242871839275222246405745257275088548364400416034343698204186575808495617";
        assert_eq!(Point::from_decimal_subgroup(p, &b.y, "x", "y"), Err(CurveError::OutOfRange { at: "x" }));
        for bad in ["", "-1", "01", "0x1", " 1"] {
            assert_eq!(
                Point::from_decimal_subgroup(bad, &b.y, "x", "y"),
                Err(CurveError::NotDecimal { at: "x" })
            );
        }
        assert_eq!(Point::from_decimal_subgroup("1", "1", "x", "y"), Err(CurveError::NotOnCurve { at: "x" }));
        assert_eq!(parse_subgroup_scalar(SUBGROUP_ORDER, "S"), Err(CurveError::OutOfRange { at: "S" }));
        assert!(parse_subgroup_scalar("0", "S").is_ok());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]

        #[test]
        fn secret_and_public_multiplication_agree(k in prop::array::uniform32(any::<u8>())) {
            let n = BigUint::from_bytes_le(&k);
            let p = Point::base8().mul_secret(&k);
            prop_assert_eq!(p, Point::base8().mul(&n));
            prop_assert!(p.is_in_subgroup());
            // (a + b)·B = a·B + b·B
            let m = BigUint::from(12345u32);
            prop_assert_eq!(Point::base8().mul(&(&n + &m)), p.add(&Point::base8().mul(&m)));
        }
    }
}
