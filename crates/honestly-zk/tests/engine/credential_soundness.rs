//! `credential_query` soundness with real keys: each false statement either cannot be proven
//! (the prover refuses the unsatisfied witness) or its proof fails verification once a public
//! signal is edited; public signals outside the field are malformed.

use honestly_zk::{
    circuits::{
        credential_query::{claim, query_signal_index, CredentialQueryCircuit, QueryParams, QueryWitness},
        predicates::NATIONALITY_NOT_IN,
    },
    eddsa::PrivateKey,
    poseidon_hash, snarkjs, Fr, ParseError, ProveError,
};

use crate::common::*;
use crate::credential::*;

/// Asserts that no proof of `params` over `witness` can be made.
fn refused(params: &QueryParams, witness: &QueryWitness, what: &str) {
    let result = prove(params, witness, 21);
    assert!(matches!(result, Err(ProveError::Unsatisfied(_))), "{what}: {:?}", result.err());
}

/// Whether the honest proof verifies with signal `name` set to `value`.
fn verifies_with(name: &str, value: Fr) -> bool {
    let (proof, public) = honest_proof();
    let mut edited = public.clone();
    edited[query_signal_index(name)] = value;
    query_keys().prepared.verify(proof, &edited).unwrap()
}

#[test]
fn another_issuer_key_in_the_public_signals_fails() {
    let other = PrivateKey::from_bytes([9; 32]).public_key().point();
    assert!(!verifies_with("issuerAx", other.x()));
    assert!(!verifies_with("issuerAy", other.y()));
    // Claimed under another issuer from the start: no proof.
    let (f, t) = (circomlibjs(), tree());
    let mut p = params(&f, &t);
    p.issuer = PrivateKey::from_bytes([9; 32]).public_key();
    refused(&p, &f.witness(&t), "another issuer");
}

#[test]
fn a_replayed_proof_under_another_nonce_or_scope_fails() {
    let (_, public) = honest_proof();
    assert!(!verifies_with("nonce", public[query_signal_index("nonce")] + Fr::from(1u64)));
    assert!(!verifies_with("scope", public[query_signal_index("scope")] + Fr::from(1u64)));
    // With the nullifier the other scope would have, too.
    let mut edited = public.clone();
    edited[query_signal_index("scope")] = Fr::from(1_001u64);
    edited[query_signal_index("nullifier")] = poseidon_hash(&[Fr::from(1u64), Fr::from(1_001u64)]);
    assert_eq!(query_keys().prepared.verify(&honest_proof().0, &edited), Ok(false));
}

#[test]
fn tampered_claims_and_another_holder_cannot_prove() {
    let (f, t) = (circomlibjs(), tree());
    let p = params(&f, &t);
    let mut w = f.witness(&t);
    w.claims[claim::BIRTH_DATE] = Fr::from(19_400_101u64);
    refused(&p, &w, "tampered birth date");
    let mut w = f.witness(&t);
    w.holder_secret = Fr::from(2u64);
    refused(&p, &w, "another holder's secret");
}

#[test]
fn a_revoked_credential_cannot_prove_against_the_current_root() {
    let f = circomlibjs();
    let mut t = tree();
    t.revoke(f.credential_id()).unwrap();
    refused(&params(&f, &t), &f.witness(&t), "revoked");
}

#[test]
fn unmet_predicates_cannot_prove() {
    let (f, t) = (circomlibjs(), tree());
    let w = f.witness(&t);
    let base = params(&f, &t);
    // 81 on 2026-12-02, not 82.
    refused(&QueryParams { min_age: 82, ..base.clone() }, &w, "min_age 82");
    // German: outside [AUT, FRA], inside the excluded [DEU].
    let mut p = base.clone();
    p.nationality_list = [40, 250, 0, 0, 0, 0, 0, 0];
    refused(&p, &w, "nationality in");
    p.nationality_mode = NATIONALITY_NOT_IN;
    p.nationality_list = [276, 0, 0, 0, 0, 0, 0, 0];
    refused(&p, &w, "nationality not in");
}

#[test]
fn an_expired_document_cannot_prove_not_expired() {
    // The fixture's claims with a document that expires 2026-12-31, signed by a test key.
    let f = circomlibjs();
    let key = PrivateKey::from_bytes([9; 32]);
    let mut claims = f.claims;
    claims[claim::DOCUMENT_EXPIRY] = Fr::from(20_261_231u64);
    let t = tree();
    let w = QueryWitness { claims, signature: key.sign(poseidon_hash(&claims)), ..f.witness(&t) };
    let p = QueryParams { issuer: key.public_key(), reference_date: 20_270_101, ..params(&f, &t) };
    refused(&p, &w, "expired document");
    // Only the predicate refuses it: without notExpired the statement holds.
    let relaxed = QueryParams { not_expired: false, ..p };
    assert_eq!(CredentialQueryCircuit::new(&relaxed, &w).first_unsatisfied().unwrap(), None);
}

#[test]
fn public_signals_outside_the_field_are_malformed() {
    let (proof, public) = honest_proof();
    let r = "21888242871839275222246405745257275088548364400416034343698204186575808495617";
    let mut signals: Vec<String> = public.iter().map(honestly_zk::fr_to_decimal).collect();
    let proof_json = snarkjs::proof_to_json(proof);
    assert_eq!(
        query_keys()
            .prepared
            .verify_json(proof_json.as_bytes(), snarkjs::public_signals_to_json(public).as_bytes()),
        Ok(true)
    );
    for value in [
        r.to_string(),
        format!("{r}0"),
        "21888242871839275222246405745257275088548364400416034343698204186575808495618".into(),
    ] {
        // The nullifier plus r would be the same field element: refused, not reduced.
        signals[query_signal_index("nullifier")] = value.clone();
        let json = serde_json::to_string(&signals).unwrap();
        let result = query_keys().prepared.verify_json(proof_json.as_bytes(), json.as_bytes());
        assert!(
            matches!(result, Err(ParseError::OutOfField(_)) | Err(ParseError::NotDecimal(_))),
            "{value}: {result:?}"
        );
    }
}
