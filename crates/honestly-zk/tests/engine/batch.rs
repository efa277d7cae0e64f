//! Batch verification: exact per-index results.

use ark_ff::One;
use honestly_zk::{
    batch_verify, batch_verify_report, batch_verify_with_rng, prover::prove_age_with_rng, BatchItem, Fr,
    ParseError, Proof,
};

use crate::common::*;

fn proofs(n: usize) -> Vec<(Proof, Vec<Fr>)> {
    (0..n)
        .map(|i| {
            let claim = age_claim(18 + (i as u64 % 10), 1000 + i as u64);
            let (p, public) = prove_age_with_rng(&age_keys().pk, &claim, &mut rng(i as u64)).unwrap();
            (p, public.to_signals())
        })
        .collect()
}

#[test]
fn batch_of_32_with_one_bad_proof_reports_exactly_that_index() {
    let mut all = proofs(32);
    let key = &age_keys().prepared;
    let items = |all: &[(Proof, Vec<Fr>)]| -> Vec<Vec<Result<bool, ParseError>>> {
        let items: Vec<BatchItem<'_>> =
            all.iter().map(|(proof, public)| BatchItem { key, proof, public }).collect();
        vec![batch_verify(&items), batch_verify_with_rng(&items, &mut rng(5))]
    };
    for results in items(&all) {
        assert!(results.iter().all(|r| *r == Ok(true)));
    }
    all[17].1[1] += Fr::one();
    for results in items(&all) {
        for (i, r) in results.iter().enumerate() {
            assert_eq!(*r, Ok(i != 17), "index {i}");
        }
    }
}

#[test]
fn batch_mixes_keys_and_reports_malformed_items() {
    let (proof, public) = age_proof();
    let signals = public.to_signals();
    let (_, claim) = auth_claim();
    let (auth_proof, auth_public) =
        honestly_zk::prover::prove_authenticity_with_rng(&auth_keys().pk, &claim, &mut rng(12)).unwrap();
    let auth_signals = auth_public.to_signals();
    let swapped = Proof { a: proof.c, b: proof.b, c: proof.a };
    let items = [
        BatchItem { key: &age_keys().prepared, proof, public: &signals },
        BatchItem { key: &auth_keys().prepared, proof: &auth_proof, public: &auth_signals },
        BatchItem { key: &auth_keys().prepared, proof, public: &signals },
        BatchItem { key: &age_keys().prepared, proof: &swapped, public: &signals },
        BatchItem { key: &age_keys().prepared, proof, public: &signals },
    ];
    let results = batch_verify(&items);
    assert_eq!(results[0], Ok(true));
    assert_eq!(results[1], Ok(true));
    assert_eq!(results[2], Err(ParseError::PublicCount { expected: 4, got: 5 }));
    assert_eq!(results[3], Ok(false));
    assert_eq!(results[4], Ok(true));
    assert!(batch_verify(&[]).is_empty());

    // The report says which groups fell back: the age group (a swapped proof among three),
    // not the authenticity group of one (checked alone, no combined check to fail).
    let report = batch_verify_report(&items);
    assert_eq!(report.results, results);
    assert_eq!(report.fallbacks, 1);
    let good = [items[0], items[4]];
    assert_eq!(batch_verify_report(&good).fallbacks, 0);
}
