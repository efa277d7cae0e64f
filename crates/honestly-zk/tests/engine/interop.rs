//! Interop with snarkjs (npm `snarkjs@0.7`) and circomlibjs.
//!
//! Tests that run node need `scripts/zk-interop/node_modules` (`npm ci` there). When it is
//! missing they fail loudly under `CI=true` and are skipped with a message elsewhere. The
//! committed circom fixture is checked without node in every run.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use ark_ff::{One, UniformRand};
use honestly_zk::{keyfile::prepare_verification_key_json, poseidon_hash, snarkjs, Fr};

use crate::common::*;

fn interop_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/zk-interop");
    // node resolves `..` lexically; give it the real path.
    dir.canonicalize().unwrap_or(dir)
}

/// `Some(dir)` when node and the npm packages are there; `None` (skip) locally otherwise.
pub fn node_modules() -> Option<PathBuf> {
    let dir = interop_dir();
    let present = dir.join("node_modules/snarkjs").is_dir()
        && Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if present {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "CI=true but {} has no node_modules (or node is missing): run `npm ci` in \
             scripts/zk-interop before `cargo test`",
            dir.display()
        );
    }
    eprintln!("SKIPPED: snarkjs interop needs node and `npm ci` in {}", dir.display());
    None
}

/// Runs `snarkjs groth16 verify`; `true` when it says OK.
pub fn snarkjs_verify(dir: &Path, vk: &str, public: &str, proof: &str) -> bool {
    let tmp = tempfile::tempdir().unwrap();
    let (v, pu, pr) =
        (tmp.path().join("vk.json"), tmp.path().join("public.json"), tmp.path().join("proof.json"));
    std::fs::write(&v, vk).unwrap();
    std::fs::write(&pu, public).unwrap();
    std::fs::write(&pr, proof).unwrap();
    let out = Command::new("node")
        .arg(dir.join("node_modules/snarkjs/build/cli.cjs"))
        .args(["groth16", "verify"])
        .args([&v, &pu, &pr])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    let ok = text.contains("OK!");
    assert_eq!(ok, out.status.success(), "snarkjs exit status vs output: {text}");
    ok
}

#[test]
fn our_proofs_pass_snarkjs_and_fail_when_a_signal_changes() {
    let Some(dir) = node_modules() else { return };
    let (proof, public) = age_proof();
    let signals = public.to_signals();
    let proof_json = snarkjs::proof_to_json(proof);
    let vk = &age_keys().json;
    assert!(snarkjs_verify(&dir, vk, &snarkjs::public_signals_to_json(&signals), &proof_json));
    let mut bad = signals.clone();
    bad[0] += Fr::one();
    assert!(!snarkjs_verify(&dir, vk, &snarkjs::public_signals_to_json(&bad), &proof_json));

    let (_, claim) = auth_claim();
    let (p, pubs) =
        honestly_zk::prover::prove_authenticity_with_rng(&auth_keys().pk, &claim, &mut rng(20)).unwrap();
    let pj = snarkjs::proof_to_json(&p);
    let s = pubs.to_signals();
    assert!(snarkjs_verify(&dir, &auth_keys().json, &snarkjs::public_signals_to_json(&s), &pj));
    let mut bad = s;
    bad[3] += Fr::one();
    assert!(!snarkjs_verify(&dir, &auth_keys().json, &snarkjs::public_signals_to_json(&bad), &pj));
}

fn check_external(fixture: &Path) {
    let read = |n: &str| std::fs::read(fixture.join(n)).unwrap();
    let key = prepare_verification_key_json(&read("verification_key.json")).unwrap();
    assert_eq!(key.n_public(), 2);
    let proof = snarkjs::parse_proof(&read("proof.json")).unwrap();
    let public = snarkjs::parse_public_signals(&read("public.json")).unwrap();
    assert_eq!(key.verify(&proof, &public), Ok(true));
    for i in 0..public.len() {
        let mut bad = public.clone();
        bad[i] += Fr::one();
        assert_eq!(key.verify(&proof, &bad), Ok(false));
    }
    // Printing and re-parsing the external proof keeps it valid.
    let again = snarkjs::parse_proof(snarkjs::proof_to_json(&proof).as_bytes()).unwrap();
    assert_eq!(again, proof);
}

#[test]
fn committed_circom_fixture_verifies_through_the_external_key_path() {
    check_external(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/circom_multiplier"));
}

#[test]
fn freshly_compiled_circom_proof_verifies_through_the_external_key_path() {
    let Some(dir) = node_modules() else { return };
    let out = tempfile::tempdir().unwrap();
    let status =
        Command::new("bash").arg(dir.join("make-circom-fixture.sh")).arg(out.path()).output().unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    check_external(out.path());
}

#[test]
fn poseidon_equals_circomlibjs_on_random_inputs() {
    let Some(dir) = node_modules() else { return };
    let mut r = rng(21);
    let vectors: Vec<Vec<Fr>> = (0..24).map(|i| (0..=i % 4).map(|_| Fr::rand(&mut r)).collect()).collect();
    let arg = serde_json::to_string(
        &vectors
            .iter()
            .map(|v| v.iter().map(honestly_zk::fr_to_decimal).collect::<Vec<_>>())
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let out = Command::new("node").arg(dir.join("poseidon.js")).arg(arg).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let theirs: Vec<String> = String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect();
    assert_eq!(theirs.len(), vectors.len());
    for (v, t) in vectors.iter().zip(&theirs) {
        assert_eq!(&honestly_zk::fr_to_decimal(&poseidon_hash(v)), t, "inputs {v:?}");
    }
}
