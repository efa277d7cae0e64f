//! Golden proof: a committed `age_proof` key, proof and public signals made by this engine.
//!
//! They must keep verifying (wire-format stability), and the deterministic test setup must
//! still reproduce the committed key (circuit-layout stability: any change to the circuit
//! changes the key). Regenerate on purpose with `HONESTLY_ZK_BLESS=1 cargo test -p honestly-zk
//! golden`.

use std::path::{Path, PathBuf};

use ark_ff::One;
use honestly_zk::{keyfile::prepare_verification_key_json, snarkjs, Fr};

use crate::common::*;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/golden_age")
}

#[test]
fn golden_age_proof_still_verifies_and_the_circuit_is_unchanged() {
    let d = dir();
    if std::env::var("HONESTLY_ZK_BLESS").as_deref() == Ok("1") {
        let (proof, public) = age_proof();
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("verification_key.json"), &age_keys().json).unwrap();
        std::fs::write(d.join("proof.json"), snarkjs::proof_to_json(proof)).unwrap();
        std::fs::write(d.join("public.json"), snarkjs::public_signals_to_json(&public.to_signals())).unwrap();
    }
    let read = |n: &str| std::fs::read(d.join(n)).unwrap();
    let key = prepare_verification_key_json(&read("verification_key.json")).unwrap();
    let proof = snarkjs::parse_proof(&read("proof.json")).unwrap();
    let public = snarkjs::parse_public_signals(&read("public.json")).unwrap();
    assert_eq!(key.verify(&proof, &public), Ok(true));
    let mut bad = public.clone();
    bad[4] += Fr::one();
    assert_eq!(key.verify(&proof, &bad), Ok(false));
    assert_eq!(
        String::from_utf8(read("verification_key.json")).unwrap(),
        age_keys().json,
        "the age_proof circuit (or its key generation) changed; re-bless if intended"
    );
}

/// The fingerprints of the built-in circuits, pinned: a change of any circuit changes its
/// fingerprint, which makes every key made before it stale (`docs/zk.md`, "Keys"). Update the
/// value here only together with such a change.
#[test]
fn circuit_fingerprints_are_pinned() {
    assert_eq!(
        honestly_zk::circuits::fingerprint(honestly_zk::CircuitId::Age).unwrap(),
        "3e9bdec67e907fd224cab39c3db245e53ca32d75b1660d2f3e0c1add70b90e1a",
        "the age_proof circuit changed"
    );
    assert_eq!(
        honestly_zk::circuits::fingerprint(honestly_zk::CircuitId::Authenticity).unwrap(),
        "576f740cb32742af405e34cec5bb0e2ecce4bb49e4342d2f0f69d3f264b05d44",
        "the authenticity_proof circuit changed (leaf ≠ 0 is part of it)"
    );
    assert_eq!(
        honestly_zk::circuits::fingerprint(honestly_zk::CircuitId::CredentialQuery).unwrap(),
        "bbf8babdd4ddc041f47764560ded15cb9ef293db2a90e8ee3b70bb3998d7e7d5",
        "the credential_query circuit changed"
    );
}
