//! Scalar multiplication of a fixed G1 point by precomputed signed windows.
//!
//! A verification key's input points `ICᵢ` never change, so the key keeps, for each, the
//! multiples `j·2^{w·k}·ICᵢ` (`1 ≤ j ≤ 2^{w−1}`) of every window `k`. A scalar, recoded in
//! signed base-`2^w` digits, then costs one mixed addition per window and no doubling: about
//! a fifth of a variable-base (GLV) multiplication.

use ark_bn254::{Fq, G1Affine, G1Projective};
use ark_ec::{AdditiveGroup, AffineRepr};
use ark_ff::fields::serial_batch_inversion_and_mul;
use ark_ff::{Field, One, PrimeField, Zero};

use crate::{msm::window_bits, Fr};

/// Window width in bits: 43 windows of 32 points (99 KiB per point) — small enough that a
/// key with many inputs stays cheap to keep, and one addition per window.
const WINDOW: usize = 6;
/// Points per window: the digits `1..=2^{w−1}` (negative digits use the negated point).
const HALF: usize = 1 << (WINDOW - 1);
/// Windows covering a scalar field element plus the final carry of the signed recoding.
const WINDOWS: usize = (Fr::MODULUS_BIT_SIZE as usize + 1).div_ceil(WINDOW);
// The top window holds at most `w − 1` bits of a scalar, so its digit (plus a carry) is at
// most `HALF` and never carries out.
const _: () = assert!((Fr::MODULUS_BIT_SIZE as usize) < WINDOWS * WINDOW);

/// The precomputed multiples of one G1 point.
#[derive(Clone, Debug)]
pub struct FixedBase {
    /// `table[k·HALF + j] = (j+1)·2^{w·k}·P`.
    table: Vec<G1Affine>,
}

impl FixedBase {
    /// Precomputes the multiples of `point`.
    pub fn new(point: G1Affine) -> Self {
        let mut multiples = Vec::with_capacity(WINDOWS * HALF);
        let mut window_base = G1Projective::from(point);
        for _ in 0..WINDOWS {
            let mut multiple = window_base;
            for _ in 0..HALF {
                multiples.push(multiple);
                multiple += window_base;
            }
            for _ in 0..WINDOW {
                window_base.double_in_place();
            }
        }
        Self { table: to_affine(&multiples) }
    }

    /// `scalar · P`.
    pub fn mul(&self, scalar: &Fr) -> G1Projective {
        let bits = scalar.into_bigint();
        let mut acc = G1Projective::zero();
        let mut carry = 0usize;
        for (k, window) in self.table.chunks_exact(HALF).enumerate() {
            let digit = window_bits(&bits, k * WINDOW, WINDOW) as usize + carry;
            // Digits above half become negative: d − 2^w, carrying one into the next window.
            if digit > HALF {
                let negated = (1 << WINDOW) - digit;
                if negated > 0 {
                    acc -= window[negated - 1];
                }
                carry = 1;
            } else {
                if digit > 0 {
                    acc += window[digit - 1];
                }
                carry = 0;
            }
        }
        debug_assert_eq!(carry, 0, "the last window absorbs the carry");
        acc
    }
}

/// Jacobian points to affine with one serial batch inversion. (arkworks' `normalize_batch`
/// hands chunks to the thread pool, which at start-up only wakes threads for a few
/// milliseconds of work.)
fn to_affine(points: &[G1Projective]) -> Vec<G1Affine> {
    let mut z_inverses: Vec<Fq> = points.iter().map(|p| p.z).collect();
    serial_batch_inversion_and_mul(&mut z_inverses, &Fq::one());
    points
        .iter()
        .zip(z_inverses)
        .map(|(p, z_inv)| {
            if p.z.is_zero() {
                return G1Affine::zero();
            }
            let z_inv_squared = z_inv.square();
            G1Affine::new_unchecked(p.x * z_inv_squared, p.y * z_inv_squared * z_inv)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use ark_ec::CurveGroup;
    use ark_ff::UniformRand;
    use rand::{rngs::StdRng, SeedableRng};

    use super::*;

    #[test]
    fn matches_variable_base_multiplication() {
        let mut rng = StdRng::seed_from_u64(11);
        let point = G1Projective::rand(&mut rng).into_affine();
        let table = FixedBase::new(point);
        let mut scalars: Vec<Fr> = (0..200).map(|_| Fr::rand(&mut rng)).collect();
        // Edges: zero, one, small values, the largest element, and digits at every boundary.
        scalars.extend([Fr::zero(), Fr::from(1u64), Fr::from(31u64), Fr::from(32u64), Fr::from(33u64)]);
        scalars.extend([Fr::from(63u64), Fr::from(64u64), Fr::from(u64::MAX), -Fr::from(1u64)]);
        scalars.extend((0..254).map(|i| Fr::from(2u64).pow([i])));
        scalars.extend((0..254).map(|i| Fr::from(2u64).pow([i]) - Fr::from(1u64)));
        for s in &scalars {
            assert_eq!(table.mul(s).into_affine(), (point * s).into_affine(), "scalar {s}");
        }
    }

    #[test]
    fn the_identity_and_the_generator_work() {
        let zero = FixedBase::new(G1Affine::zero());
        assert!(zero.mul(&Fr::from(12345u64)).is_zero());
        let g = FixedBase::new(G1Affine::generator());
        assert_eq!(
            g.mul(&Fr::from(5u64)).into_affine(),
            (G1Affine::generator() * Fr::from(5u64)).into_affine()
        );
    }
}
