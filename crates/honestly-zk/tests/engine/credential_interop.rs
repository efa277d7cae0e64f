//! `credential_query` over credentials signed by circomlibjs and by @zk-kit/eddsa-poseidon:
//! both prove through our circuit and verify with our key, and snarkjs accepts our proof
//! with our exported verification key (node needed for that part; skipped without it
//! outside CI, like the other snarkjs tests).

use honestly_zk::{
    circuits::credential_query::{query_signal_index, QueryPublic},
    snarkjs, Fr,
};

use crate::common::*;
use crate::credential::*;
use crate::interop::{node_modules, snarkjs_verify};

#[test]
fn a_circomlibjs_signed_credential_proves_and_verifies() {
    let (proof, public) = honest_proof();
    assert_eq!(query_keys().prepared.verify(proof, public), Ok(true));
    let read = QueryPublic::from_signals(public).unwrap();
    assert_eq!(read.disclosed_nationality, 276);
    assert_eq!(read.issuer, (circomlibjs().issuer.point().x(), circomlibjs().issuer.point().y()));
    assert_eq!(read.nullifier, honestly_zk::poseidon_hash(&[Fr::from(1u64), Fr::from(1_000u64)]));
}

#[test]
fn a_zk_kit_signed_credential_proves_and_verifies() {
    let (f, t) = (zk_kit(), tree());
    // Born 2008-02-29: 18 on 2026-03-01. French, outside the excluded list; no expiry.
    let mut p = params(&f, &t);
    p.reference_date = 20_260_301;
    p.min_age = 18;
    p.nationality_mode = honestly_zk::circuits::predicates::NATIONALITY_NOT_IN;
    p.nationality_list = [276, 40, 0, 0, 0, 0, 0, 0];
    let (proof, public) = prove(&p, &f.witness(&t), 12).unwrap();
    assert_eq!(query_keys().prepared.verify(&proof, &public), Ok(true));
    assert_eq!(public[query_signal_index("disclosedNationality")], Fr::from(250u64));
    // A day earlier the holder is 17: no proof.
    p.reference_date = 20_260_228;
    assert!(prove(&p, &f.witness(&t), 13).is_err());
}

#[test]
fn snarkjs_verifies_our_credential_query_proof_with_our_key() {
    let Some(dir) = node_modules() else { return };
    let (proof, public) = honest_proof();
    let vk = &query_keys().json;
    let proof_json = snarkjs::proof_to_json(proof);
    assert!(snarkjs_verify(&dir, vk, &snarkjs::public_signals_to_json(public), &proof_json));
    let mut other = public.clone();
    other[query_signal_index("nonce")] += Fr::from(1u64);
    assert!(!snarkjs_verify(&dir, vk, &snarkjs::public_signals_to_json(&other), &proof_json));
}
