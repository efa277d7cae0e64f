//! A proof made through the vault API (`age_proof_v2`) verifies with `honestly zk verify` and with snarkjs,
//! and fails both with one public signal changed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use crate::process::{honestly, wait_ready, Server};

fn snarkjs_cli() -> Option<PathBuf> {
    let cli = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scripts/zk-interop/node_modules/snarkjs/build/cli.cjs");
    if cli.exists() && Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success()) {
        return Some(cli);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but snarkjs is missing: run `npm ci` in scripts/zk-interop"
    );
    eprintln!("SKIPPED (snarkjs part): run `npm ci` in scripts/zk-interop");
    None
}

#[test]
fn an_api_age_proof_verifies_with_honestly_zk_verify_and_snarkjs() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    wait_ready(&server.url("/monitoring/ready"), Duration::from_secs(30));
    let client = reqwest::blocking::Client::new();
    let creds = json!({"username": "alice", "password": crate::process::TEST_PASSWORD});
    assert_eq!(client.post(server.url("/auth/register")).json(&creds).send().unwrap().status(), 201);
    let login: Value = client.post(server.url("/auth/login")).json(&creds).send().unwrap().json().unwrap();
    let token = login["access_token"].as_str().unwrap();
    let doc = server.upload(&client, token, "id.pdf", b"identity card", "identity");
    let proof: Value = client
        .post(server.url(&format!("/vault/documents/{}/proofs", doc["document"]["id"].as_str().unwrap())))
        .bearer_auth(token)
        .json(&json!({"proof_type": "age_proof", "birth_date": "1990-05-17", "min_age": 18}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let vk = client
        .get(server.url("/zkp/artifacts/age_proof_v2/verification_key.json"))
        .send()
        .unwrap()
        .text()
        .unwrap();

    let files = tempfile::tempdir().unwrap();
    let (vk_path, proof_path, public_path) =
        (files.path().join("vk.json"), files.path().join("proof.json"), files.path().join("public.json"));
    std::fs::write(&vk_path, vk).unwrap();
    std::fs::write(&proof_path, proof["proof"]["proof"].to_string()).unwrap();
    let signals = proof["proof"]["public_signals"].clone();
    let verify = |public: &Value| {
        std::fs::write(&public_path, public.to_string()).unwrap();
        let ours = honestly(files.path(), &[])
            .args(["zk", "verify", "--vk"])
            .arg(&vk_path)
            .arg("--proof")
            .arg(&proof_path)
            .arg("--public")
            .arg(&public_path)
            .status()
            .unwrap()
            .code();
        let theirs = snarkjs_cli().map(|cli| {
            let out = Command::new("node")
                .arg(cli)
                .args(["groth16", "verify"])
                .args([&vk_path, &public_path, &proof_path])
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).contains("OK!")
        });
        (ours, theirs)
    };
    let (ours, theirs) = verify(&signals);
    assert_eq!(ours, Some(0));
    assert_ne!(theirs, Some(false), "snarkjs refused our proof");
    let mut changed = signals;
    changed[0] = json!("19");
    let (ours, theirs) = verify(&changed);
    assert_eq!(ours, Some(1));
    assert_ne!(theirs, Some(true), "snarkjs accepted a changed signal");
}
