//! `credential_query`: an honest witness satisfies; every tampering cannot.

use ark_relations::gr1cs::ConstraintSystem;

use super::*;
use crate::{
    circuits::predicates::{NATIONALITY_IN, NATIONALITY_NONE, NATIONALITY_NOT_IN},
    eddsa::PrivateKey,
    poseidon_hash,
    revocation::RevocationTree,
};

const CREDENTIAL_ID: u128 = 0x1234_5678_9abc_def0_1122_3344_5566_7788;

/// The issuer key, the holder secret, the claims and a revocation tree with other ids revoked.
struct Fixture {
    key: PrivateKey,
    secret: Fr,
    claims: [Fr; CLAIM_COUNT],
    tree: RevocationTree,
}

fn fixture() -> Fixture {
    let secret = Fr::from(987_654_321u64);
    let claims = [
        Fr::from(SCHEMA),
        Fr::from(CREDENTIAL_ID),
        poseidon_hash(&[secret]),
        Fr::from(42u64), // documentHash
        Fr::from(20000229u64),
        Fr::from(20300101u64),
        Fr::from(276u64),
        Fr::from(1u64),
        Fr::from(20240101u64),
        Fr::from(20290101u64),
    ];
    let tree = RevocationTree::from_ids([5u128, CREDENTIAL_ID ^ 1, u128::MAX]).unwrap();
    Fixture { key: PrivateKey::from_bytes([7; 32]), secret, claims, tree }
}

fn params(f: &Fixture) -> QueryParams {
    QueryParams {
        issuer: f.key.public_key(),
        revocation_root: f.tree.root(),
        reference_date: 20240601,
        min_age: 18,
        not_expired: true,
        nationality_mode: NATIONALITY_IN,
        nationality_list: [250, 276, 380, 0, 0, 0, 0, 0],
        disclose_nationality: true,
        scope: Fr::from(777u64),
        nonce: Fr::from(123_456u64),
    }
}

fn witness(f: &Fixture) -> QueryWitness {
    QueryWitness {
        claims: f.claims,
        signature: f.key.sign(poseidon_hash(&f.claims)),
        holder_secret: f.secret,
        revocation_path: f.tree.path(CREDENTIAL_ID),
    }
}

/// (satisfied, constraints) of the circuit's assignment.
fn run(circuit: CredentialQueryCircuit) -> (bool, usize) {
    let cs = ConstraintSystem::<Fr>::new_ref();
    circuit.generate_constraints(cs.clone()).unwrap();
    (cs.is_satisfied().unwrap(), cs.num_constraints())
}

fn satisfied(params: &QueryParams, witness: &QueryWitness) -> bool {
    run(CredentialQueryCircuit::new(params, witness)).0
}

#[test]
fn honest_witness_satisfies_and_constraint_count() {
    let f = fixture();
    let circuit = CredentialQueryCircuit::new(&params(&f), &witness(&f));
    assert_eq!(circuit.public[query_signal_index("disclosedNationality")], Fr::from(276u64));
    assert_eq!(circuit.public[query_signal_index("nullifier")], poseidon_hash(&[f.secret, Fr::from(777u64)]));
    let (ok, constraints) = run(circuit);
    assert!(ok);
    assert_eq!(constraints, EXPECTED_CONSTRAINTS, "constraint count changed (docs/zk.md records it)");
    // The blank assignment has the same shape (key generation uses it).
    let cs = ConstraintSystem::<Fr>::new_ref();
    CredentialQueryCircuit::blank().generate_constraints(cs.clone()).unwrap();
    assert_eq!(cs.num_constraints(), EXPECTED_CONSTRAINTS);
    assert_eq!(cs.num_instance_variables(), QUERY_N_PUBLIC + 1);
}

#[test]
fn other_honest_queries_satisfy() {
    let f = fixture();
    let w = witness(&f);
    let mut p = params(&f);
    p.min_age = 0;
    p.not_expired = false;
    p.nationality_mode = NATIONALITY_NONE;
    p.disclose_nationality = false;
    assert!(satisfied(&p, &w));
    p.nationality_mode = NATIONALITY_NOT_IN;
    p.nationality_list = [840, 826, 0, 0, 0, 0, 0, 0];
    // Born 2000-02-29: 24 on 2024-06-01, and the reference can be validUntil itself.
    p.min_age = 24;
    p.reference_date = 20290101;
    assert!(satisfied(&p, &w));
}

#[test]
fn a_wrong_signature_or_issuer_cannot_satisfy() {
    let f = fixture();
    let p = params(&f);
    // A signature over other claims.
    let mut w = witness(&f);
    let mut other = f.claims;
    other[claim::NATIONALITY] = Fr::from(840u64);
    w.signature = f.key.sign(poseidon_hash(&other));
    assert!(!satisfied(&p, &w));
    // Claims changed after signing (a younger birth date made older).
    let mut w = witness(&f);
    w.claims[claim::BIRTH_DATE] = Fr::from(19000101u64);
    assert!(!satisfied(&p, &w));
    // Another issuer's key as the public key.
    let mut p2 = params(&f);
    p2.issuer = PrivateKey::from_bytes([8; 32]).public_key();
    assert!(!satisfied(&p2, &witness(&f)));
    // Signed by another issuer, claimed under the trusted one.
    let mut w = witness(&f);
    w.signature = PrivateKey::from_bytes([8; 32]).sign(poseidon_hash(&f.claims));
    assert!(!satisfied(&p, &w));
}

#[test]
fn another_holder_secret_cannot_satisfy() {
    let f = fixture();
    let mut w = witness(&f);
    w.holder_secret = f.secret + Fr::from(1u64);
    // The nullifier is recomputed for that secret: only the holder binding refuses it.
    assert!(!satisfied(&params(&f), &w));
}

#[test]
fn a_revoked_credential_cannot_satisfy() {
    let mut f = fixture();
    f.tree.revoke(CREDENTIAL_ID).unwrap();
    let p = params(&f);
    assert!(!satisfied(&p, &witness(&f)));
    // Nor with the path of the neighbouring (non-revoked) slot.
    let mut w = witness(&f);
    w.revocation_path = f.tree.non_membership(CREDENTIAL_ID ^ 2).unwrap();
    assert!(!satisfied(&p, &w));
    // Nor with an old root where it was not revoked yet.
    let old = fixture();
    let mut w = witness(&f);
    w.revocation_path = old.tree.path(CREDENTIAL_ID);
    assert!(!satisfied(&p, &w));
}

#[test]
fn unmet_predicates_cannot_satisfy() {
    let f = fixture();
    let w = witness(&f);
    let base = params(&f);
    // 24 on 2024-06-01, not 25.
    let mut p = base.clone();
    p.min_age = 25;
    assert!(!satisfied(&p, &w));
    // A document that expired the day before the reference date (re-signed claims).
    let mut w2 = w.clone();
    w2.claims[claim::DOCUMENT_EXPIRY] = Fr::from(20240531u64);
    w2.signature = f.key.sign(poseidon_hash(&w2.claims));
    assert!(!satisfied(&p_with(&base, |_| {}), &w2));
    let mut relaxed = base.clone();
    relaxed.not_expired = false;
    assert!(satisfied(&relaxed, &w2), "expiry only matters when asked");
    // Nationality not in the list / in the excluded list.
    let mut p = base.clone();
    p.nationality_list = [250, 380, 0, 0, 0, 0, 0, 0];
    assert!(!satisfied(&p, &w));
    p.nationality_mode = NATIONALITY_NOT_IN;
    p.nationality_list = [276, 0, 0, 0, 0, 0, 0, 0];
    assert!(!satisfied(&p, &w));
    p.nationality_mode = 3;
    assert!(!satisfied(&p, &w));
}

fn p_with(base: &QueryParams, change: impl FnOnce(&mut QueryParams)) -> QueryParams {
    let mut p = base.clone();
    change(&mut p);
    p
}

#[test]
fn expired_validity_cannot_satisfy() {
    let f = fixture();
    let w = witness(&f);
    let p = p_with(&params(&f), |p| p.reference_date = 20290102);
    assert!(!satisfied(&p, &w));
    // Even with every predicate off.
    let p = p_with(&p, |p| {
        p.min_age = 0;
        p.not_expired = false;
        p.nationality_mode = NATIONALITY_NONE;
    });
    assert!(!satisfied(&p, &w));
}

#[test]
fn tampered_public_outputs_cannot_satisfy() {
    let f = fixture();
    let honest = CredentialQueryCircuit::new(&params(&f), &witness(&f));
    for (name, value) in [
        ("nullifier", honest.public[query_signal_index("nullifier")] + Fr::from(1u64)),
        ("disclosedNationality", Fr::from(250u64)),
        ("disclosedNationality", Fr::from(0u64)),
        ("discloseNationality", Fr::from(2u64)),
        ("notExpired", Fr::from(2u64)),
        ("referenceDate", Fr::from(1u64 << 27)),
        ("minAge", Fr::from(256u64)),
    ] {
        let mut c = honest.clone();
        c.public[query_signal_index(name)] = value;
        assert!(!run(c).0, "{name} = {value}");
    }
}

#[test]
fn signal_names_are_unique_and_indexed() {
    for (i, name) in QUERY_PUBLIC_SIGNALS.iter().enumerate() {
        assert_eq!(query_signal_index(name), i);
    }
}

/// The circuit's size (recorded in docs/zk.md).
const EXPECTED_CONSTRAINTS: usize = 10_351;

#[test]
fn groth16_setup_prove_verify_round_trip() {
    use rand::{rngs::StdRng, SeedableRng};

    use crate::{
        error::ProveError,
        groth::{setup_with_rng, PreparedKey},
        prover::prove_circuit_with_rng,
    };

    let f = fixture();
    let (pk, vk) = setup_with_rng(CredentialQueryCircuit::blank(), &mut StdRng::seed_from_u64(31)).unwrap();
    let key = PreparedKey::new(&vk, "credential_query");
    let circuit = CredentialQueryCircuit::new(&params(&f), &witness(&f));
    let public = circuit.public;
    let proof = prove_circuit_with_rng(&pk, circuit, QUERY_N_PUBLIC, &mut StdRng::seed_from_u64(32)).unwrap();
    assert_eq!(key.verify(&proof, &public), Ok(true));
    // The proof is bound to every public signal, the nonce included.
    for name in ["nonce", "scope", "minAge", "nullifier", "nationalityList[7]", "revocationRoot"] {
        let mut other = public;
        other[query_signal_index(name)] += Fr::from(1u64);
        assert_eq!(key.verify(&proof, &other), Ok(false), "{name}");
    }
    // A false statement yields no proof.
    let unmet = p_with(&params(&f), |p| p.min_age = 30);
    let refused = prove_circuit_with_rng(
        &pk,
        CredentialQueryCircuit::new(&unmet, &witness(&f)),
        QUERY_N_PUBLIC,
        &mut StdRng::seed_from_u64(33),
    );
    assert!(matches!(refused, Err(ProveError::Unsatisfied(_))), "{refused:?}");
}
