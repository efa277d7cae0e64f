//! EdDSA-Poseidon interop: our keys and signatures equal circomlibjs' and
//! `@zk-kit/eddsa-poseidon`'s byte for byte (committed known answers, made by
//! `scripts/zk-interop/eddsa.js vectors`), and both libraries accept our signatures.
//!
//! Tests that run node need `scripts/zk-interop/node_modules` (`npm ci` there, which
//! `scripts/install-test-deps.sh` does). When it is missing they fail loudly when `CI` is set
//! and are skipped with a printed reason elsewhere.

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use ark_ff::{One, UniformRand};
use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar};
use ark_relations::gr1cs::ConstraintSystem;
use honestly_zk::{
    babyjub::PointJson,
    eddsa::{
        gadget::{enforce_eddsa_poseidon, PointVar},
        PrivateKey, PublicKey, Signature, SignatureJson,
    },
    fr_from_decimal, Fr,
};
use serde::Deserialize;
use serde_json::json;

use crate::common::rng;

#[derive(Deserialize)]
struct Vectors {
    vectors: Vec<KeyVector>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyVector {
    private_key: String,
    public_key: PointJson,
    signatures: Vec<SignatureVector>,
}

#[derive(Deserialize)]
struct SignatureVector {
    message: String,
    signature: SignatureJson,
}

const FIXTURE: &str = "tests/fixtures/eddsa_poseidon/vectors.json";

fn fixture_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE)).unwrap()
}

fn private_key(hex_key: &str) -> PrivateKey {
    PrivateKey::from_bytes(hex::decode(hex_key).unwrap().try_into().unwrap())
}

#[test]
fn our_keys_and_signatures_equal_the_committed_circomlibjs_and_zk_kit_vectors() {
    let vectors: Vectors = serde_json::from_str(&fixture_text()).unwrap();
    assert!(vectors.vectors.len() >= 8);
    for v in &vectors.vectors {
        let key = private_key(&v.private_key);
        let pk = key.public_key();
        assert_eq!(pk.to_json(), v.public_key, "public key of {}", v.private_key);
        let theirs_pk: PublicKey = serde_json::from_value(json!(v.public_key)).unwrap();
        assert_eq!(theirs_pk, pk);
        for s in &v.signatures {
            let m = fr_from_decimal(&s.message).unwrap();
            let ours = key.sign(m);
            assert_eq!(ours.to_json(), s.signature, "key {} message {}", v.private_key, s.message);
            assert_eq!(
                serde_json::to_value(&ours).unwrap(),
                json!({"R8x": s.signature.r8x, "R8y": s.signature.r8y, "S": s.signature.s})
            );
            let theirs: Signature = serde_json::from_value(json!(s.signature)).unwrap();
            assert!(pk.verify(m, &theirs));
            assert!(!pk.verify(m + Fr::one(), &theirs));
        }
    }
}

#[test]
fn committed_circomlibjs_signatures_satisfy_the_verification_gadget() {
    let vectors: Vectors = serde_json::from_str(&fixture_text()).unwrap();
    for v in vectors.vectors.iter().take(3) {
        let pk: PublicKey = serde_json::from_value(json!(v.public_key)).unwrap();
        for s in v.signatures.iter().take(2) {
            let sig: Signature = serde_json::from_value(json!(s.signature)).unwrap();
            let m = fr_from_decimal(&s.message).unwrap();
            let satisfied = |m: Fr| {
                let cs = ConstraintSystem::<Fr>::new_ref();
                let a = PointVar::new_input(cs.clone(), pk.point().x(), pk.point().y()).unwrap();
                let r8 = PointVar::new_witness(cs.clone(), sig.r8().x(), sig.r8().y()).unwrap();
                let s_var =
                    FpVar::new_witness(cs.clone(), || Ok(fr_from_decimal(&sig.s().to_string()).unwrap()))
                        .unwrap();
                let m_var = FpVar::new_input(cs.clone(), || Ok(m)).unwrap();
                enforce_eddsa_poseidon(&a, &r8, &s_var, &m_var).unwrap();
                cs.is_satisfied().unwrap()
            };
            assert!(satisfied(m), "key {} message {}", v.private_key, s.message);
            assert!(!satisfied(m + Fr::one()));
        }
    }
}

fn interop_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/zk-interop");
    dir.canonicalize().unwrap_or(dir)
}

/// `Some(dir)` when node, circomlibjs and @zk-kit/eddsa-poseidon are there; `None` (skip)
/// locally otherwise; a panic when `CI` is set.
fn node_packages() -> Option<PathBuf> {
    let dir = interop_dir();
    let present = dir.join("node_modules/circomlibjs").is_dir()
        && dir.join("node_modules/@zk-kit/eddsa-poseidon").is_dir()
        && Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if present {
        return Some(dir);
    }
    // Any CI value but empty, "0" or "false" means CI (GitHub sets "true", others "1").
    let in_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    if in_ci {
        panic!(
            "CI is set but node, circomlibjs or @zk-kit/eddsa-poseidon is missing in {}: run \
             scripts/install-test-deps.sh (npm ci in scripts/zk-interop) before `cargo test`",
            dir.display()
        );
    }
    eprintln!(
        "SKIPPED: EdDSA-Poseidon interop needs node and `npm ci` in {} (scripts/install-test-deps.sh)",
        dir.display()
    );
    None
}

/// Asks circomlibjs and @zk-kit (both must agree) whether each signature verifies.
fn node_verify(dir: &Path, items: &[(PublicKey, Fr, Signature)]) -> Vec<bool> {
    let input: Vec<_> = items
        .iter()
        .map(|(pk, m, s)| json!({"publicKey": pk, "message": honestly_zk::fr_to_decimal(m), "signature": s}))
        .collect();
    let mut child = Command::new("node")
        .arg(dir.join("eddsa.js"))
        .arg("verify")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(serde_json::to_string(&input).unwrap().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let answers: Vec<bool> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| match l {
            "true" => true,
            "false" => false,
            other => panic!("unexpected answer {other:?}"),
        })
        .collect();
    assert_eq!(answers.len(), items.len());
    answers
}

#[test]
fn circomlibjs_and_zk_kit_accept_our_signatures_and_refuse_altered_ones() {
    let Some(dir) = node_packages() else { return };
    let mut r = rng(31);
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for _ in 0..6 {
        let key = PrivateKey::generate(&mut r);
        let other = PrivateKey::generate(&mut r);
        let m = Fr::rand(&mut r);
        let sig = key.sign(m);
        let pk = key.public_key();
        assert!(pk.verify(m, &sig));
        good.push((pk, m, sig.clone()));
        bad.push((pk, m + Fr::one(), sig.clone()));
        bad.push((other.public_key(), m, sig.clone()));
        let s2 = Signature::new(sig.r8(), (sig.s() + 1u32) % honestly_zk::babyjub::subgroup_order()).unwrap();
        bad.push((pk, m, s2));
    }
    assert!(node_verify(&dir, &good).iter().all(|ok| *ok), "circomlibjs refused one of our signatures");
    assert!(node_verify(&dir, &bad).iter().all(|ok| !*ok), "circomlibjs accepted an altered signature");
}

#[test]
fn committed_vectors_equal_a_fresh_run_of_the_script() {
    let Some(dir) = node_packages() else { return };
    let out = Command::new("node").arg(dir.join("eddsa.js")).arg("vectors").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let fresh: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let committed: serde_json::Value = serde_json::from_str(&fixture_text()).unwrap();
    assert_eq!(fresh, committed, "regenerate {FIXTURE} with `node scripts/zk-interop/eddsa.js vectors`");
}
