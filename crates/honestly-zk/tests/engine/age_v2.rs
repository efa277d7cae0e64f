//! `age_proof_v2`: `YYYYMMDD` dates, the calendar edges with a fixed reference date, birth dates
//! before 1970, and a Groth16 round trip with the negative twin of every public signal.

use ark_ff::One;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem};
use honestly_zk::{
    circuits::{fingerprint, AgeV2Circuit},
    expect::date_start_unix,
    poseidon_hash,
    prover::{prove_age_v2_with_rng, prove_circuit_with_rng, AgeV2Claim},
    AgeV2Public, CircuitId, Fr, ParseError, ProveError,
};

use crate::common::*;

fn claim(birth_date: u32, min_age: u64, reference_date: u32) -> AgeV2Claim {
    AgeV2Claim {
        birth_date,
        salt: Fr::from(42u64),
        epoch: 7,
        min_age,
        reference_date,
        document_hash: honestly_zk::sha256_field(b"passport scan"),
    }
}

/// Whether the circuit's constraints hold for `claim`'s full assignment (no native check).
fn satisfied(claim: &AgeV2Claim) -> bool {
    let cs = ConstraintSystem::<Fr>::new_ref();
    claim.circuit().generate_constraints(cs.clone()).unwrap();
    cs.is_satisfied().unwrap()
}

/// Proves `claim` and verifies the proof; the public signals on success.
fn prove_and_verify(claim: &AgeV2Claim, seed: u64) -> AgeV2Public {
    let (proof, public) = prove_age_v2_with_rng(&age_v2_keys().pk, claim, &mut rng(seed)).unwrap();
    assert_eq!(age_v2_keys().prepared.verify(&proof, &public.to_signals()), Ok(true));
    public
}

/// A false claim: refused natively, its witness fails the circuit, and even skipping the native
/// check the prover refuses the unsatisfied witness.
fn cannot_prove(claim: &AgeV2Claim) {
    assert!(matches!(
        prove_age_v2_with_rng(&age_v2_keys().pk, claim, &mut rng(9)),
        Err(ProveError::FalseStatement(_))
    ));
    assert!(!satisfied(claim));
    assert!(matches!(
        prove_circuit_with_rng(&age_v2_keys().pk, claim.circuit(), 5, &mut rng(9)),
        Err(ProveError::Unsatisfied(_))
    ));
}

#[test]
fn born_1950_is_76_on_the_birthday_and_not_the_day_before() {
    let public = prove_and_verify(&claim(19500301, 76, 20260301), 1);
    assert_eq!(public.min_age, 76);
    assert_eq!(public.reference_date, 20260301);
    cannot_prove(&claim(19500301, 76, 20260228));
    // One year less is proven the day before.
    assert!(satisfied(&claim(19500301, 75, 20260228)));
}

#[test]
fn born_on_feb_29_is_18_on_march_1_of_a_common_year() {
    prove_and_verify(&claim(20080229, 18, 20260301), 2);
    cannot_prove(&claim(20080229, 18, 20260228));
    // In a leap year the birthday itself exists.
    assert!(satisfied(&claim(20080229, 20, 20280229)));
    assert!(!satisfied(&claim(20080229, 20, 20280228)));
}

#[test]
fn round_trip_binds_every_signal() {
    let c = claim(19500301, 18, 20260301);
    let (proof, public) = prove_age_v2_with_rng(&age_v2_keys().pk, &c, &mut rng(3)).unwrap();
    assert_eq!(
        public.commitment,
        poseidon_hash(&[Fr::from(19500301u64), Fr::from(42u64), public.document_hash])
    );
    assert_eq!(public.nullifier, poseidon_hash(&[Fr::from(42u64), public.document_hash, Fr::from(7u64)]));
    let signals = public.to_signals();
    assert_eq!(AgeV2Public::from_signals(&signals), Ok(public));
    assert_eq!(age_v2_keys().prepared.verify(&proof, &signals), Ok(true));
    for i in 0..signals.len() {
        let mut bad = signals.clone();
        bad[i] += Fr::one();
        assert_eq!(age_v2_keys().prepared.verify(&proof, &bad), Ok(false), "signal {i}");
    }
    // Not valid under the old circuit's key, though the signal count is the same.
    assert_eq!(age_keys().prepared.verify(&proof, &signals), Ok(false));
    // Out-of-range signals are refused when read.
    let mut big_date = signals.clone();
    big_date[1] = Fr::from(1u64 << 27);
    assert!(matches!(AgeV2Public::from_signals(&big_date), Err(ParseError::Shape { .. })));
    assert!(matches!(AgeV2Public::from_signals(&signals[..4]), Err(ParseError::PublicCount { .. })));
}

#[test]
fn dates_are_range_checked() {
    // minAge 0 still needs the birth date not after the reference date.
    assert!(satisfied(&claim(20260301, 0, 20260301)));
    assert!(!satisfied(&claim(20260302, 0, 20260301)));
    // Year 1000 is the first accepted year; anything smaller (e.g. a "year 0" date) is not.
    assert!(satisfied(&claim(10000101, 255, 20240101)));
    assert!(!satisfied(&claim(9991231, 0, 20240101)));
    assert!(matches!(claim(9991231, 0, 20240101).check(), Err(ProveError::OutOfRange(_))));
    // A "negative" birth date (field wrap-around) and an oversized reference date are refused.
    let mut wrapped = claim(19500301, 18, 20260301).circuit();
    wrapped.birth_date = -Fr::from(1_000_000u64);
    let cs = ConstraintSystem::<Fr>::new_ref();
    wrapped.generate_constraints(cs.clone()).unwrap();
    assert!(!cs.is_satisfied().unwrap());
    assert!(!satisfied(&claim(19500301, 18, 1 << 27)));
    // minAge ≥ 256 is refused natively and by the circuit.
    assert!(matches!(claim(10000101, 256, 99991231).check(), Err(ProveError::OutOfRange(_))));
    assert!(!satisfied(&claim(10000101, 256, 99991231)));
}

#[test]
fn the_v2_circuit_has_its_own_fingerprint_and_the_old_one_is_unchanged() {
    let v2 = fingerprint(CircuitId::AgeV2).unwrap();
    assert_ne!(v2, fingerprint(CircuitId::Age).unwrap());
    assert_eq!(v2, honestly_zk::circuits::fingerprint_of("age_proof_v2", AgeV2Circuit::blank()).unwrap());
    assert_eq!(CircuitId::from_name("age_proof_v2"), Some(CircuitId::AgeV2));
    for (i, id) in CircuitId::ALL.into_iter().enumerate() {
        assert_eq!(id.index(), i, "{id}");
    }
    // The reference dates of the examples are days of the calendar.
    assert!(date_start_unix(20260301).is_some() && date_start_unix(20080229).is_some());
}
