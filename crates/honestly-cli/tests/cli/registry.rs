//! The document registry across restarts: the tree is rebuilt from the stored leaves and
//! root history, so a proof against a past root still verifies after a crash, the registry
//! keeps growing from where it was, and a tampered root history stops the server at start.

use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use serde_json::{json, Value};

use crate::process::{honestly, shared_keys, wait_ready, Server};

fn client() -> Client {
    Client::builder().timeout(Duration::from_secs(30)).build().unwrap()
}

fn upload(server: &Server, client: &Client, token: &str, i: usize) -> String {
    let content = format!("registered document {i}").into_bytes();
    let created = server.upload(client, token, "d.txt", &content, "other");
    created["document"]["id"].as_str().expect("a document id").to_string()
}

fn registry(server: &Server, client: &Client) -> Value {
    client.get(server.url("/vault/registry")).send().unwrap().json().unwrap()
}

fn verify(server: &Server, client: &Client, body: &Value) -> Value {
    client.post(server.url("/zkp/verify")).json(body).send().unwrap().json().unwrap()
}

#[test]
fn the_registry_survives_a_crash_and_a_tampered_history_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let client = client();
    let server = Server::start(dir.path(), &[]);
    wait_ready(&server.url("/monitoring/ready"), Duration::from_secs(30));
    server.register(&client, "alice");
    let token = server.login(&client, "alice");
    let ids: Vec<String> = (0..6).map(|i| upload(&server, &client, &token, i)).collect();
    let before = registry(&server, &client);
    assert_eq!(before["size"], 6, "{before}");
    let created: Value = client
        .post(server.url(&format!("/vault/documents/{}/proofs", ids[2])))
        .bearer_auth(&token)
        .json(&json!({"proof_type": "authenticity_proof"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let proof = &created["proof"];
    let check = json!({"proof_type": "authenticity_proof", "proof": proof["proof"],
                       "public_signals": proof["public_signals"],
                       "expected": {"registry_root": before["root"]}});
    assert_eq!(verify(&server, &client, &check)["verified"], true);
    server.crash();

    // Rebuilt from the store: the same root, the past root still known, growth continues.
    let server = Server::start(dir.path(), &[]);
    wait_ready(&server.url("/monitoring/ready"), Duration::from_secs(30));
    assert_eq!(registry(&server, &client), before);
    assert_eq!(verify(&server, &client, &check)["verified"], true);
    upload(&server, &client, &token, 6);
    let after = registry(&server, &client);
    assert_eq!(after["size"], 7, "{after}");
    assert_ne!(after["root"], before["root"]);
    let mut old_root = check.clone();
    old_root["expected"] = json!({});
    assert_eq!(verify(&server, &client, &old_root)["verified"], true);
    server.crash();

    // A stored root rewritten behind the server's back no longer matches the leaves.
    let db = rusqlite::Connection::open(dir.path().join("honestly.db")).unwrap();
    let changed = db
        .execute(
            "UPDATE registry_roots SET root = '12345' WHERE epoch = (SELECT MAX(epoch) FROM registry_roots)",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(db);
    let keys = shared_keys().display().to_string();
    let data = dir.path().display().to_string();
    let mut child =
        honestly(dir.path(), &[("DATA_DIR", data.as_str()), ("PORT", "0"), ("ZK_KEYS_DIR", keys.as_str())])
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server started on a tampered registry");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(!status.success());
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(stderr.contains("registry: the stored root history does not match the leaves"), "{stderr}");
}
