//! The Miller loop of the BN254 optimal ate pairing with one accumulator for all its pairs.
//!
//! arkworks' multi-Miller loop splits its pairs into chunks of four, each with its own
//! accumulator and its own 64 squarings in the 12th-degree extension. A verification runs its
//! pairs as at most two independent halves (one per core), so this loop shares the squarings
//! of all pairs of a half. Its output is exactly arkworks' for the same pairs: the Miller loop
//! of a set of pairs is the product of the loops of any split of it.

use ark_bn254::{Bn254, Config, Fq12, G1Affine};
use ark_ec::bn::{BnConfig, TwistType};
use ark_ec::pairing::{MillerLoopOutput, Pairing};
use ark_ec::AffineRepr;
use ark_ff::{Field, One};

/// A G2 point with its line coefficients precomputed.
pub type G2Prepared = <Bn254 as Pairing>::G2Prepared;

// The line evaluation below is the D-type twist's, and no final conjugation is needed when
// the curve parameter `x` is positive: both hold for BN254.
const _: () = assert!(matches!(<Config as BnConfig>::TWIST_TYPE, TwistType::D));
const _: () = assert!(!<Config as BnConfig>::X_IS_NEGATIVE);

/// `Π e_Miller(pᵢ, qᵢ)` over `pairs`; pairs with a point at infinity contribute one.
pub fn miller_loop(pairs: &[(G1Affine, &G2Prepared)]) -> MillerLoopOutput<Bn254> {
    let live = || pairs.iter().filter(|(p, q)| !p.is_zero() && !q.infinity);
    let count = <Config as BnConfig>::ATE_LOOP_COUNT;
    let mut f = Fq12::one();
    let mut step = 0;
    for i in (1..count.len()).rev() {
        if i != count.len() - 1 {
            f.square_in_place();
        }
        live().for_each(|(p, q)| line(&mut f, &q.ell_coeffs[step], p));
        step += 1;
        if count[i - 1] != 0 {
            live().for_each(|(p, q)| line(&mut f, &q.ell_coeffs[step], p));
            step += 1;
        }
    }
    // The two Frobenius-twisted additions that end the optimal ate loop.
    for _ in 0..2 {
        live().for_each(|(p, q)| line(&mut f, &q.ell_coeffs[step], p));
        step += 1;
    }
    MillerLoopOutput(f)
}

/// Multiplies `f` by the line with `coeffs` evaluated at `p` (a sparse product).
#[inline]
fn line(f: &mut Fq12, coeffs: &(ark_bn254::Fq2, ark_bn254::Fq2, ark_bn254::Fq2), p: &G1Affine) {
    let (mut c0, mut c1, c2) = *coeffs;
    c0.mul_assign_by_fp(&p.y);
    c1.mul_assign_by_fp(&p.x);
    f.mul_by_034(&c0, &c1, &c2);
}

#[cfg(test)]
mod tests {
    use ark_bn254::{G1Projective, G2Affine, G2Projective};
    use ark_ec::CurveGroup;
    use ark_ff::UniformRand;
    use rand::{rngs::StdRng, SeedableRng};

    use super::*;

    #[test]
    fn equals_arkworks_multi_miller_loop() {
        let mut rng = StdRng::seed_from_u64(3);
        for n in [1usize, 2, 3, 5, 9] {
            let g1: Vec<G1Affine> = (0..n).map(|_| G1Projective::rand(&mut rng).into_affine()).collect();
            let g2: Vec<G2Affine> = (0..n).map(|_| G2Projective::rand(&mut rng).into_affine()).collect();
            let prepared: Vec<G2Prepared> = g2.iter().map(|q| (*q).into()).collect();
            let pairs: Vec<(G1Affine, &G2Prepared)> = g1.iter().copied().zip(&prepared).collect();
            assert_eq!(miller_loop(&pairs), Bn254::multi_miller_loop(g1.clone(), g2.clone()), "{n} pairs");
        }
    }

    #[test]
    fn points_at_infinity_contribute_one() {
        let mut rng = StdRng::seed_from_u64(4);
        let p = G1Projective::rand(&mut rng).into_affine();
        let q: G2Prepared = G2Projective::rand(&mut rng).into_affine().into();
        let infinity: G2Prepared = G2Affine::zero().into();
        let alone = miller_loop(&[(p, &q)]);
        assert_eq!(miller_loop(&[(p, &q), (G1Affine::zero(), &q), (p, &infinity)]), alone);
        assert_eq!(miller_loop(&[]).0, Fq12::one());
    }

    #[test]
    fn a_split_multiplies_back_to_the_whole() {
        let mut rng = StdRng::seed_from_u64(5);
        let g1: Vec<G1Affine> = (0..3).map(|_| G1Projective::rand(&mut rng).into_affine()).collect();
        let g2: Vec<G2Prepared> = (0..3).map(|_| G2Projective::rand(&mut rng).into_affine().into()).collect();
        let whole = miller_loop(&[(g1[0], &g2[0]), (g1[1], &g2[1]), (g1[2], &g2[2])]);
        let left = miller_loop(&[(g1[0], &g2[0])]);
        let right = miller_loop(&[(g1[1], &g2[1]), (g1[2], &g2[2])]);
        assert_eq!(left.0 * right.0, whole.0);
    }
}
