//! `honestly zk setup | prove age | verify`: files written and exit codes.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

fn honestly(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_honestly"))
        .args(["zk"])
        .args(args)
        .env("ENVIRONMENT", "development")
        .output()
        .expect("run honestly")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../honestly-zk/tests/fixtures/circom_multiplier")
}

#[test]
fn setup_prove_verify_and_every_exit_code() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("zk");
    let out = honestly(&["setup", "--circuit", "age", "--out", s(&keys)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let vk = keys.join("age_proof/verification_key.json");
    assert!(keys.join("age_proof/proving_key.bin").is_file());
    assert!(vk.is_file());

    let doc = tmp.path().join("passport.pdf");
    std::fs::write(&doc, b"a scanned passport").unwrap();
    let proof_dir = tmp.path().join("proof");
    let out = honestly(&[
        "prove",
        "age",
        "--keys",
        s(&keys),
        "--birth-date",
        "1990-05-17",
        "--min-age",
        "18",
        "--document",
        s(&doc),
        "--out",
        s(&proof_dir),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (proof, public) = (proof_dir.join("proof.json"), proof_dir.join("public.json"));
    let verify = |vk: &Path, proof: &Path, public: &Path| {
        honestly(&["verify", "--vk", s(vk), "--proof", s(proof), "--public", s(public)]).status.code()
    };
    assert_eq!(verify(&vk, &proof, &public), Some(0));

    // One public signal changed → invalid (1).
    let mut signals: Vec<String> = serde_json::from_slice(&std::fs::read(&public).unwrap()).unwrap();
    signals[0] = "17".into();
    let tampered = tmp.path().join("tampered.json");
    std::fs::write(&tampered, serde_json::to_vec(&signals).unwrap()).unwrap();
    assert_eq!(verify(&vk, &proof, &tampered), Some(1));

    // Malformed inputs (2): garbage, wrong signal count, missing file.
    let garbage = tmp.path().join("garbage.json");
    std::fs::write(&garbage, b"{\"pi_a\": 12").unwrap();
    assert_eq!(verify(&vk, &garbage, &public), Some(2));
    signals.pop();
    let short = tmp.path().join("short.json");
    std::fs::write(&short, serde_json::to_vec(&signals).unwrap()).unwrap();
    assert_eq!(verify(&vk, &proof, &short), Some(2));
    assert_eq!(verify(&vk, &tmp.path().join("missing.json"), &public), Some(2));

    // A false statement: exit 1 and no files.
    let none_dir = tmp.path().join("none");
    let out = honestly(&[
        "prove",
        "age",
        "--keys",
        s(&keys),
        "--birth-date",
        "2015-01-01",
        "--min-age",
        "18",
        "--document",
        s(&doc),
        "--out",
        s(&none_dir),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!none_dir.exists());

    // Bad arguments: exit 2.
    let out = honestly(&[
        "prove",
        "age",
        "--keys",
        s(&keys),
        "--birth-date",
        "17/05/1990",
        "--document",
        s(&doc),
        "--out",
        s(&none_dir),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(honestly(&["setup", "--circuit", "nope", "--out", s(&keys)]).status.code(), Some(2));
}

#[test]
fn verify_accepts_an_external_snarkjs_key_and_proof() {
    let f = fixture();
    let verify = |public: &Path| {
        honestly(&[
            "verify",
            "--vk",
            s(&f.join("verification_key.json")),
            "--proof",
            s(&f.join("proof.json")),
            "--public",
            s(public),
        ])
        .status
        .code()
    };
    assert_eq!(verify(&f.join("public.json")), Some(0));
    let tmp = tempfile::tempdir().unwrap();
    let tampered = tmp.path().join("public.json");
    std::fs::write(&tampered, br#"["34", "14"]"#).unwrap();
    assert_eq!(verify(&tampered), Some(1));
}
