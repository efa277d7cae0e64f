//! Multi-scalar multiplication for the prover: Σ sᵢ·Pᵢ over a proving key's points.
//!
//! Pippenger's bucket method with two changes from arkworks' `VariableBaseMSM`, which this
//! replaces in [`crate::prover`]:
//! - **signed digits**: each scalar is recoded in base `2^c` with digits in `[−2^{c−1}, 2^{c−1}]`
//!   (a negative digit adds the negated point), so a window needs half the buckets;
//! - **batch-affine bucket sums**: a window's points are sorted into their buckets, then each
//!   bucket is summed as a tree of affine additions, all the additions of one tree level sharing
//!   one field inversion (Montgomery's trick). An affine addition then costs about six field
//!   multiplications instead of the eleven of a mixed Jacobian addition, and it is the bulk of
//!   the work.
//!
//! Windows are summed in parallel (rayon). Points at infinity and zero scalars are skipped;
//! very small inputs go to arkworks' implementation.

use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AdditiveGroup, AffineRepr, CurveConfig, VariableBaseMSM};
use ark_ff::fields::serial_batch_inversion_and_mul;
use ark_ff::{BigInteger, Field, One, PrimeField, Zero};
use rayon::prelude::*;

/// A scalar of curve `P` as the prover holds it (canonical, not Montgomery, form).
pub type ScalarBits<P> = <<P as CurveConfig>::ScalarField as PrimeField>::BigInt;

/// Below this many terms the bucket method's set-up is not worth it.
const SMALL: usize = 64;

/// `Σ scalars[i] · bases[i]` (extra entries of the longer slice are ignored, as in arkworks).
pub fn msm<P: SWCurveConfig>(bases: &[Affine<P>], scalars: &[ScalarBits<P>]) -> Projective<P> {
    let (bases, scalars): (Vec<Affine<P>>, Vec<ScalarBits<P>>) = bases
        .iter()
        .zip(scalars)
        .filter(|(base, scalar)| !base.is_zero() && !scalar.is_zero())
        .map(|(base, scalar)| (*base, *scalar))
        .unzip();
    if bases.len() < SMALL {
        return Projective::<P>::msm_bigint(&bases, &scalars);
    }
    let bits = P::ScalarField::MODULUS_BIT_SIZE as usize;
    let width = window_width(bases.len(), bits);
    // One more bit than the scalars have, for the last carry of the signed recoding.
    let windows = (bits + 1).div_ceil(width);
    let digits: Vec<i32> = scalars
        .par_chunks(1024)
        .flat_map_iter(|chunk| chunk.iter().flat_map(|scalar| signed_digits(scalar, width, windows)))
        .collect();
    let sums: Vec<Projective<P>> = (0..windows)
        .into_par_iter()
        .map(|window| window_sum(&bases, &digits, windows, window, width))
        .collect();
    let mut total = Projective::<P>::zero();
    for sum in sums.iter().rev() {
        for _ in 0..width {
            total.double_in_place();
        }
        total += sum;
    }
    total
}

/// The window width minimizing an estimate of the field multiplications: per window, one
/// affine addition (≈ 6) per term and two Jacobian additions (≈ 11 each) per bucket.
fn window_width(terms: usize, bits: usize) -> usize {
    (2..=20)
        .min_by_key(|&c| {
            let windows = (bits + 1).div_ceil(c);
            windows * (6 * terms + 22 * (1usize << (c - 1)))
        })
        .unwrap_or(8)
}

/// `scalar` in `windows` signed base-`2^width` digits, least significant first:
/// `scalar = Σ dₖ·2^{width·k}` with `|dₖ| ≤ 2^{width−1}`.
fn signed_digits<B: BigInteger>(scalar: &B, width: usize, windows: usize) -> impl Iterator<Item = i32> + '_ {
    let full = 1i64 << width;
    let half = full >> 1;
    let mut carry = 0i64;
    (0..windows).map(move |k| {
        let digit = window_bits(scalar, k * width, width) as i64 + carry;
        if digit > half {
            carry = 1;
            (digit - full) as i32
        } else {
            carry = 0;
            digit as i32
        }
    })
}

/// The `width` bits of `scalar` starting at bit `start` (zero past the top).
pub(crate) fn window_bits<B: BigInteger>(scalar: &B, start: usize, width: usize) -> u64 {
    let limbs = scalar.as_ref();
    let (limb, shift) = (start / 64, start % 64);
    let Some(&low) = limbs.get(limb) else {
        return 0;
    };
    let mut value = low >> shift;
    if shift + width > 64 {
        if let Some(&high) = limbs.get(limb + 1) {
            value |= high << (64 - shift);
        }
    }
    value & ((1u64 << width) - 1)
}

/// `Σ dᵢ·Pᵢ` for the digits `dᵢ` of one window: the points are sorted into buckets by digit,
/// each bucket is summed in affine, then `Σ_b b·bucket_b` by running sums.
fn window_sum<P: SWCurveConfig>(
    bases: &[Affine<P>],
    digits: &[i32],
    windows: usize,
    window: usize,
    width: usize,
) -> Projective<P> {
    let buckets = 1usize << (width - 1);
    let digit = |i: usize| digits[i * windows + window];
    let mut start = vec![0usize; buckets + 1];
    for i in 0..bases.len() {
        let d = digit(i);
        if d != 0 {
            start[d.unsigned_abs() as usize] += 1;
        }
    }
    for b in 0..buckets {
        start[b + 1] += start[b];
    }
    // Bucket `b` (digit b + 1) holds points[start[b]..start[b] + len[b]].
    let mut points = vec![Affine::<P>::identity(); start[buckets]];
    let mut fill = start.clone();
    for (i, base) in bases.iter().enumerate() {
        let d = digit(i);
        if d != 0 {
            let b = d.unsigned_abs() as usize - 1;
            points[fill[b]] = if d > 0 { *base } else { -*base };
            fill[b] += 1;
        }
    }
    let mut len: Vec<usize> = (0..buckets).map(|b| start[b + 1] - start[b]).collect();
    sum_buckets(&mut points, &start, &mut len);
    let mut running = Projective::<P>::zero();
    let mut total = Projective::<P>::zero();
    for b in (0..buckets).rev() {
        if len[b] == 1 {
            running += &points[start[b]];
        }
        total += &running;
    }
    total
}

/// Sums every bucket down to one point (left at its first slot, `len` 1), halving each bucket
/// per round: the pairs of a round are independent, so they share one batch inversion.
fn sum_buckets<P: SWCurveConfig>(points: &mut [Affine<P>], start: &[usize], len: &mut [usize]) {
    let mut active: Vec<usize> = (0..len.len()).filter(|&b| len[b] >= 2).collect();
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut denominators: Vec<P::BaseField> = Vec::new();
    let mut sums: Vec<Affine<P>> = Vec::new();
    while !active.is_empty() {
        pairs.clear();
        for &b in &active {
            let first = start[b];
            pairs.extend((0..len[b] / 2).map(|k| (first + 2 * k, first + 2 * k + 1)));
        }
        denominators.clear();
        denominators.extend(pairs.iter().map(|&(i, j)| denominator(&points[i], &points[j])));
        serial_batch_inversion_and_mul(&mut denominators, &P::BaseField::one());
        sums.clear();
        sums.extend(
            pairs
                .iter()
                .zip(&denominators)
                .map(|(&(i, j), inverse)| add_with_inverse(&points[i], &points[j], inverse)),
        );
        // Results go to the front of each bucket; an odd last point follows them.
        let mut next = 0;
        for &b in &active {
            let (first, n) = (start[b], len[b]);
            for k in 0..n / 2 {
                points[first + k] = sums[next];
                next += 1;
            }
            if n % 2 == 1 {
                points[first + n / 2] = points[first + n - 1];
            }
            len[b] = n.div_ceil(2);
        }
        active.retain(|&b| len[b] >= 2);
    }
}

/// The denominator of the affine addition `a + b` (a chord's or a tangent's slope), or one
/// when the sum needs no division (a point at infinity, or `a = −b`).
fn denominator<P: SWCurveConfig>(a: &Affine<P>, b: &Affine<P>) -> P::BaseField {
    if a.is_zero() || b.is_zero() {
        P::BaseField::one()
    } else if a.x != b.x {
        b.x - a.x
    } else if a.y == b.y && !a.y.is_zero() {
        a.y.double()
    } else {
        P::BaseField::one()
    }
}

/// `a + b`, given the inverse of [`denominator`]`(a, b)`.
fn add_with_inverse<P: SWCurveConfig>(a: &Affine<P>, b: &Affine<P>, inverse: &P::BaseField) -> Affine<P> {
    if a.is_zero() {
        return *b;
    }
    if b.is_zero() {
        return *a;
    }
    let slope = if a.x != b.x {
        (b.y - a.y) * inverse
    } else if a.y == b.y && !a.y.is_zero() {
        let x_squared = a.x.square();
        (x_squared.double() + x_squared + P::COEFF_A) * inverse
    } else {
        return Affine::identity();
    };
    let x = slope.square() - a.x - b.x;
    let y = slope * (a.x - x) - a.y;
    Affine::new_unchecked(x, y)
}

#[cfg(test)]
mod tests {
    use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
    use ark_ec::CurveGroup;
    use ark_ff::UniformRand;
    use rand::{rngs::StdRng, SeedableRng};

    use super::*;

    fn reference<G: VariableBaseMSM<ScalarField = Fr>>(bases: &[G::MulBase], scalars: &[Fr]) -> G {
        let bits: Vec<_> = scalars.iter().map(|s| s.into_bigint()).collect();
        G::msm_bigint(bases, &bits)
    }

    /// Random points and scalars, with the edges a proving key and a witness contain:
    /// points at infinity, zero and one scalars, the largest scalar, repeated and opposite
    /// points (the tangent and the vertical chord in a bucket).
    fn inputs<G: CurveGroup<ScalarField = Fr>>(n: usize, seed: u64) -> (Vec<G::Affine>, Vec<Fr>) {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut bases: Vec<G::Affine> = (0..n).map(|_| G::rand(&mut rng).into_affine()).collect();
        let mut scalars: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        if n >= 16 {
            bases[0] = G::Affine::zero();
            scalars[1] = Fr::zero();
            scalars[2] = Fr::one();
            scalars[3] = -Fr::one();
            bases[5] = bases[4];
            scalars[5] = scalars[4];
            bases[7] = -bases[6];
            scalars[7] = scalars[6];
            bases[9] = bases[8];
            scalars[9] = scalars[8] + Fr::one();
            for i in 10..16 {
                bases[i] = bases[10];
                scalars[i] = Fr::from(3u64);
            }
        }
        (bases, scalars)
    }

    fn bits(scalars: &[Fr]) -> Vec<<Fr as PrimeField>::BigInt> {
        scalars.iter().map(|s| s.into_bigint()).collect()
    }

    #[test]
    fn g1_sums_agree_with_arkworks() {
        for (n, seed) in [(0, 1), (1, 2), (63, 3), (64, 4), (65, 5), (1000, 6), (5000, 7)] {
            let (bases, scalars) = inputs::<G1Projective>(n, seed);
            assert_eq!(
                msm::<ark_bn254::g1::Config>(&bases, &bits(&scalars)).into_affine(),
                reference::<G1Projective>(&bases, &scalars).into_affine(),
                "{n} terms"
            );
        }
    }

    #[test]
    fn g2_sums_agree_with_arkworks() {
        for (n, seed) in [(10, 8), (300, 9), (2000, 10)] {
            let (bases, scalars) = inputs::<G2Projective>(n, seed);
            assert_eq!(
                msm::<ark_bn254::g2::Config>(&bases, &bits(&scalars)).into_affine(),
                reference::<G2Projective>(&bases, &scalars).into_affine(),
                "{n} terms"
            );
        }
    }

    #[test]
    fn sums_that_cancel_are_the_identity() {
        let mut rng = StdRng::seed_from_u64(12);
        let point = G1Projective::rand(&mut rng).into_affine();
        let scalar = Fr::rand(&mut rng);
        // s·P + s·(−P) + … many times over: every bucket's pairs cancel.
        let bases: Vec<G1Affine> = (0..200).map(|i| if i % 2 == 0 { point } else { -point }).collect();
        let scalars = vec![scalar; 200];
        assert!(msm::<ark_bn254::g1::Config>(&bases, &bits(&scalars)).is_zero());
    }

    #[test]
    fn signed_digits_recompose_the_scalar() {
        let mut rng = StdRng::seed_from_u64(13);
        let mut scalars: Vec<Fr> = (0..100).map(|_| Fr::rand(&mut rng)).collect();
        scalars.extend([Fr::zero(), Fr::one(), -Fr::one(), Fr::from(u64::MAX)]);
        for width in [2, 5, 11, 13, 16] {
            let windows = (Fr::MODULUS_BIT_SIZE as usize + 1).div_ceil(width);
            for s in &scalars {
                let mut back = Fr::zero();
                let base = Fr::from(2u64).pow([width as u64]);
                let digits: Vec<i32> = signed_digits(&s.into_bigint(), width, windows).collect();
                for d in digits.iter().rev() {
                    assert!(d.unsigned_abs() <= 1 << (width - 1));
                    back =
                        back * base + if *d < 0 { -Fr::from(d.unsigned_abs()) } else { Fr::from(*d as u32) };
                }
                assert_eq!(back, *s, "width {width}");
            }
        }
    }

    #[test]
    fn the_window_grows_with_the_number_of_terms() {
        assert!(window_width(100, 254) < window_width(1 << 15, 254));
        assert!((2..=20).contains(&window_width(1 << 20, 254)));
    }

    #[test]
    fn extra_scalars_are_ignored() {
        let (bases, mut scalars) = inputs::<G2Projective>(100, 14);
        let expected = reference::<G2Projective>(&bases, &scalars).into_affine();
        scalars.push(Fr::one());
        let sum: G2Affine = msm::<ark_bn254::g2::Config>(&bases, &bits(&scalars)).into_affine();
        assert_eq!(sum, expected);
    }
}
