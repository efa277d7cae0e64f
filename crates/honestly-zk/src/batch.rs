//! Batch verification by random linear combination.
//!
//! For the proofs `(Aᵢ, Bᵢ, Cᵢ)` of one key with prepared inputs `ICᵢ` and fresh 128-bit
//! randomisers `rᵢ`, one multi-Miller loop and **one final exponentiation per key** check
//! `Π e(rᵢ·Aᵢ, Bᵢ) · e(−Σ rᵢ·ICᵢ, γ) · e(−Σ rᵢ·Cᵢ, δ) = e(α, β)^{Σ rᵢ}`.
//! When a batch fails, its proofs are checked one by one so every result is exact.

use std::collections::HashMap;

use ark_bn254::{G1Affine, G1Projective};
use ark_ec::{
    pairing::{MillerLoopOutput, Pairing, PairingOutput},
    AffineRepr, CurveGroup, VariableBaseMSM,
};
use ark_std::rand::{CryptoRng, RngCore};
use rayon::prelude::*;

use crate::{
    error::ParseError,
    groth::{PreparedKey, Proof},
    miller::{miller_loop, G2Prepared},
    Bn254, Fr,
};

/// One proof to check in a batch.
#[derive(Clone, Copy, Debug)]
pub struct BatchItem<'a> {
    /// The prepared key the proof claims (items may mix keys).
    pub key: &'a PreparedKey,
    /// The proof.
    pub proof: &'a Proof,
    /// Its public signals.
    pub public: &'a [Fr],
}

/// The answers of a batch, and how it got them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchReport {
    /// Result `i` is exactly what [`PreparedKey::verify`] would say about item `i`.
    pub results: Vec<Result<bool, ParseError>>,
    /// Groups of two or more proofs of one key whose combined check failed, so that each of
    /// their proofs was checked on its own (the fallback pass).
    pub fallbacks: usize,
}

/// Verifies `items` with fresh OS randomness; result `i` is exactly what
/// [`PreparedKey::verify`] would say about item `i`.
pub fn batch_verify(items: &[BatchItem<'_>]) -> Vec<Result<bool, ParseError>> {
    batch_verify_report(items).results
}

/// [`batch_verify`], also saying how many groups fell back to one-by-one checks.
pub fn batch_verify_report(items: &[BatchItem<'_>]) -> BatchReport {
    batch_verify_report_with_rng(items, &mut rand::rngs::OsRng)
}

/// [`batch_verify`] with randomisers drawn from `rng`.
pub fn batch_verify_with_rng<R: RngCore + CryptoRng>(
    items: &[BatchItem<'_>],
    rng: &mut R,
) -> Vec<Result<bool, ParseError>> {
    batch_verify_report_with_rng(items, rng).results
}

/// [`batch_verify_report`] with randomisers drawn from `rng`.
pub fn batch_verify_report_with_rng<R: RngCore + CryptoRng>(
    items: &[BatchItem<'_>],
    rng: &mut R,
) -> BatchReport {
    let mut fallbacks = 0;
    let mut results: Vec<Result<bool, ParseError>> = vec![Ok(false); items.len()];
    // Group by key identity (the same prepared key object).
    let mut groups: HashMap<*const PreparedKey, Vec<usize>> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        if item.public.len() != item.key.n_public() {
            results[i] =
                Err(ParseError::PublicCount { expected: item.key.n_public(), got: item.public.len() });
        } else if item.proof.a.is_zero() || item.proof.b.is_zero() {
            results[i] = Ok(false);
        } else {
            groups.entry(std::ptr::from_ref(item.key)).or_default().push(i);
        }
    }
    for indices in groups.values() {
        let key = items[indices[0]].key;
        let all_ok = indices.len() > 1 && check_group(key, items, indices, rng);
        fallbacks += usize::from(indices.len() > 1 && !all_ok);
        for &i in indices {
            results[i] = if all_ok { Ok(true) } else { key.verify(items[i].proof, items[i].public) };
        }
    }
    BatchReport { results, fallbacks }
}

fn randomiser<R: RngCore>(rng: &mut R) -> Fr {
    loop {
        let mut bytes = [0u8; 16];
        rng.fill_bytes(&mut bytes);
        let r = u128::from_le_bytes(bytes);
        if r != 0 {
            return Fr::from(r);
        }
    }
}

fn check_group<R: RngCore>(
    key: &PreparedKey,
    items: &[BatchItem<'_>],
    indices: &[usize],
    rng: &mut R,
) -> bool {
    let pvk = &key.pvk;
    let rs: Vec<Fr> = indices.iter().map(|_| randomiser(rng)).collect();

    // Σ rᵢ·ICᵢ = Σⱼ (Σᵢ rᵢ·xᵢⱼ)·ICⱼ with x₀ = 1: the key's fixed-base tables give
    // IC₀ + Σⱼ sⱼ·ICⱼ, and IC₀ takes the remaining (Σ rᵢ − 1)·IC₀.
    let mut ic_scalars = vec![Fr::from(0u64); key.n_public()];
    for (r, &i) in rs.iter().zip(indices) {
        for (s, x) in ic_scalars.iter_mut().zip(items[i].public) {
            *s += *r * x;
        }
    }
    let r_sum: Fr = rs.iter().sum();
    let mut ic_sum = key.input_point(&ic_scalars);
    if let Some(first) = pvk.vk.gamma_abc_g1.first() {
        ic_sum += *first * (r_sum - Fr::from(1u64));
    }
    let cs: Vec<G1Affine> = indices.iter().map(|&i| items[i].proof.c).collect();
    let c_sum = G1Projective::msm_unchecked(&cs, &rs);

    // The per-proof work (scaling Aᵢ, preparing Bᵢ's line coefficients) is independent, so
    // it runs on all cores, and so do the two halves of the Miller loop.
    let (scaled_a, prepared_b): (Vec<G1Projective>, Vec<G2Prepared>) = rs
        .par_iter()
        .zip(indices.par_iter())
        .map(|(r, &i)| (items[i].proof.a * r, G2Prepared::from(items[i].proof.b)))
        .unzip();
    let mut g1s = G1Projective::normalize_batch(&scaled_a);
    g1s.push(ic_sum.into_affine());
    g1s.push(c_sum.into_affine());
    let g2s: Vec<&G2Prepared> =
        prepared_b.iter().chain([&pvk.gamma_g2_neg_pc, &pvk.delta_g2_neg_pc]).collect();
    let pairs: Vec<(G1Affine, &G2Prepared)> = g1s.into_iter().zip(g2s).collect();
    let (left, right) = pairs.split_at(pairs.len() / 2);
    let (left, right) = rayon::join(|| miller_loop(left), || miller_loop(right));
    let Some(lhs) = Bn254::final_exponentiation(MillerLoopOutput(left.0 * right.0)) else {
        return false;
    };
    // e(α, β)^{Σ rᵢ} by cyclotomic exponentiation (the pairing target group's scalar product).
    lhs == PairingOutput::<Bn254>(pvk.alpha_g1_beta_g2) * r_sum
}
