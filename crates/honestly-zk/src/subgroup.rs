//! Membership of a G2 point (on the twist) in the prime-order subgroup, with a multiplication
//! by the 63-bit curve parameter `x` instead of arkworks' 127-bit `6x²`.
//!
//! On G2 the endomorphism `ψ` (untwist, Frobenius, twist) acts as multiplication by
//! `p ≡ 6x² (mod r)`, so every point `Q` of G2 satisfies
//! `[x+1]Q + ψ([x]Q) + ψ²([x]Q) − ψ³([2x]Q) = 0` (El Housni, Guillevic, Piellard,
//! ePrint 2022/352). The left side is a homomorphism of the twist's group, which is cyclic of
//! order `r·h` with `h = 10069 · 5864401 · 1875725156269 · q₅₄` (all primes, each once). It
//! vanishes on the order-`ℓ` subgroup of a prime `ℓ | h` either everywhere or only at zero,
//! and the tests show one point of each of the four orders on which it does not vanish — so it
//! vanishes exactly on G2.

use std::sync::LazyLock;

use ark_bn254::{Config, Fq, Fq2, G2Affine, G2Projective};
use ark_ec::bn::BnConfig;
use ark_ec::{AdditiveGroup, AffineRepr};
use ark_ff::{Field, PrimeField, Zero};
use num_bigint::BigUint;

/// `(ξ^((p−1)/3), ξ^((p−1)/2))` with `ξ = 9 + u`, the twist's non-residue: the factors `ψ`
/// applies to the conjugated coordinates.
static PSI_COEFFS: LazyLock<(Fq2, Fq2)> = LazyLock::new(|| {
    let xi = Fq2::new(Fq::from(9u64), Fq::from(1u64));
    let p_minus_one = BigUint::from(Fq::MODULUS) - 1u32;
    let power = |d: u32| xi.pow((&p_minus_one / d).to_u64_digits());
    (power(3), power(2))
});

/// `ψ(P)` in Jacobian coordinates: conjugation is a field automorphism, so it applies to
/// `X`, `Y`, `Z` directly, and the factors to `X` and `Y`.
fn psi(point: &G2Projective) -> G2Projective {
    let (cx, cy) = *PSI_COEFFS;
    let mut out = *point;
    out.x.conjugate_in_place();
    out.y.conjugate_in_place();
    out.z.conjugate_in_place();
    out.x *= cx;
    out.y *= cy;
    out
}

/// Whether `point`, already known to be on the twist, lies in the prime-order subgroup G2.
pub fn g2_in_subgroup(point: &G2Affine) -> bool {
    let times_x = point.mul_bigint(<Config as BnConfig>::X);
    let psi1 = psi(&times_x);
    let psi2 = psi(&psi1);
    let psi3 = psi(&psi2);
    (times_x + point + psi1 + psi2 - psi3.double()).is_zero()
}

#[cfg(test)]
mod tests {
    use ark_bn254::Fr;
    use ark_ec::CurveGroup;
    use ark_ff::UniformRand;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    use super::*;

    /// The prime factors of the twist's cofactor `h = 2p − r`.
    const COFACTOR_PRIMES: [&str; 4] =
        ["10069", "5864401", "1875725156269", "197620364512881247228717050342013327560683201906968909"];

    fn cofactor() -> BigUint {
        BigUint::from(Fq::MODULUS) * 2u32 - BigUint::from(Fr::MODULUS)
    }

    /// A random point of the twist (any order).
    fn twist_point(rng: &mut StdRng) -> G2Affine {
        loop {
            let x = Fq2::new(Fq::rand(rng), Fq::rand(rng));
            if let Some(p) = G2Affine::get_point_from_x_unchecked(x, rng.gen()) {
                return p;
            }
        }
    }

    fn mul(point: &G2Affine, scalar: &BigUint) -> G2Projective {
        point.mul_bigint(scalar.to_u64_digits())
    }

    #[test]
    fn the_cofactor_is_the_product_of_its_listed_primes() {
        let product: BigUint = COFACTOR_PRIMES.iter().map(|q| q.parse::<BigUint>().unwrap()).product();
        assert_eq!(product, cofactor());
    }

    #[test]
    fn psi_multiplies_g2_points_by_p() {
        let mut rng = StdRng::seed_from_u64(1);
        let p_mod_r = Fr::from(BigUint::from(Fq::MODULUS));
        for _ in 0..20 {
            let q = G2Projective::rand(&mut rng);
            assert_eq!(psi(&q).into_affine(), (q * p_mod_r).into_affine());
        }
    }

    #[test]
    fn points_of_every_cofactor_order_are_refused() {
        let mut rng = StdRng::seed_from_u64(2);
        let group_order = cofactor() * BigUint::from(Fr::MODULUS);
        for q in COFACTOR_PRIMES {
            let q: BigUint = q.parse().unwrap();
            let torsion = loop {
                let t = mul(&twist_point(&mut rng), &(&group_order / &q)).into_affine();
                if !t.is_zero() {
                    break t;
                }
            };
            assert!(mul(&torsion, &q).is_zero(), "a point of order {q}");
            assert!(!g2_in_subgroup(&torsion), "order {q} refused");
            let mixed = (G2Projective::rand(&mut rng) + torsion).into_affine();
            assert!(!g2_in_subgroup(&mixed), "G2 point plus order {q} refused");
            assert!(!mixed.is_in_correct_subgroup_assuming_on_curve());
        }
    }

    #[test]
    fn agrees_with_arkworks_on_random_points() {
        let mut rng = StdRng::seed_from_u64(3);
        assert!(g2_in_subgroup(&G2Affine::zero()));
        assert!(g2_in_subgroup(&G2Affine::generator()));
        for _ in 0..200 {
            let p = twist_point(&mut rng);
            assert!(!g2_in_subgroup(&p), "a random twist point is (overwhelmingly) outside G2");
            assert!(!p.is_in_correct_subgroup_assuming_on_curve());
            let cleared = p.clear_cofactor();
            assert!(g2_in_subgroup(&cleared));
            let g = G2Projective::rand(&mut rng).double().into_affine();
            assert!(g2_in_subgroup(&g));
        }
    }
}
