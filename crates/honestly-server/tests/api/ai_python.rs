//! A Python agent written against the original system — the production guide's exact signing
//! snippet, `requests` on the wire — verifies a real vault proof through `/ai/verify-proof`.
//! Without python3 (and `requests`) the test is skipped with a message, except under
//! `CI=true`, where it fails.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use crate::agent_support::{ai_app, assert_refused, proven_document, SERVICE_SECRET};

fn python_with_requests() -> bool {
    let ok =
        Command::new("python3").args(["-c", "import requests"]).output().is_ok_and(|o| o.status.success());
    if !ok {
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "python3 with requests is required in CI");
        eprintln!("skipping: python3 with the requests package is not available");
    }
    ok
}

#[tokio::test]
async fn a_python_agent_signing_like_the_guide_verifies_a_vault_proof() {
    if !python_with_requests() {
        return;
    }
    let app = ai_app(&[]).await;
    let p = proven_document(&app, "lena").await;
    let dir = tempfile::tempdir().unwrap();
    let proof_file = dir.path().join("proof.json");
    let proof = json!({"proof_type": "age_proof_v2", "proof": p.proof, "public_signals": p.public_signals});
    std::fs::write(&proof_file, proof.to_string()).unwrap();
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = manifest.join("tests/api/python/agent_e2e.py");
    let client_dir = manifest.join("../../clients/python");

    let base = format!("http://{}", app.addr);
    let output = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg(script)
            .env("HONESTLY_URL", base)
            .env("AI_AGENT_SECRET", SERVICE_SECRET)
            .env("PROOF_FILE", &proof_file)
            .env("CLIENT_DIR", client_dir)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(output.status.success(), "agent failed: {}", String::from_utf8_lossy(&output.stderr));
    let results: Value = serde_json::from_slice(&output.stdout).expect("the agent prints JSON");

    let first = &results["first"];
    assert_eq!(first["status"], 200, "{first}");
    assert_eq!(first["body"]["success"], true);
    assert_eq!(first["body"]["data"]["verified"], true, "{first}");
    assert_eq!(first["body"]["metadata"]["agent_id"], "my_agent_001");
    let refused = |name: &str, status: u16, code: &str| {
        let r = &results[name];
        assert_refused(r["status"].as_u64().unwrap() as u16, &r["body"], status, code);
    };
    refused("replayed", 409, "REPLAYED_REQUEST");
    refused("stale", 401, "STALE_REQUEST");
    refused("flipped", 401, "INVALID_SIGNATURE");
    let expectation = &results["expectation"];
    assert_eq!(expectation["status"], 200);
    assert_eq!(expectation["body"]["data"]["verified"], false);
    assert_eq!(expectation["body"]["data"]["reason"], "expectation_failed");
    let again = &results["consumed_again"];
    assert_eq!(again["status"], 200);
    assert_eq!(again["body"]["data"]["verified"], false);
    assert_eq!(again["body"]["data"]["reason"], "nullifier_used");

    assert_eq!(results["client_bad_id"]["body"]["error"]["code"], "VALIDATION_FAILED");
    assert_eq!(results["client_peek"]["body"]["data"]["reason"], "nullifier_used");
    assert_eq!(results["client_health"]["body"]["data"]["status"], "healthy");

    let seen: Value =
        app.get("/monitoring/ai-interactions?agent_id=my_agent_001").await.json().await.unwrap();
    assert_eq!(seen["total"], 6, "{seen}");
}
