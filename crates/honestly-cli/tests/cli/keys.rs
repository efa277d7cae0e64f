//! `honestly keys rotate`: every document and delegated agent keeps working under the new key
//! alone, and a second run changes nothing.

use std::time::Duration;

use serde_json::{json, Value};

use crate::agent_client::{envelope, post_signed};
use crate::process::{honestly, wait_ready, Server};

const K1: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const K2: &str = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";

/// Posts a signed `get_document_hash` by id as `agent` (id, secret); the HTTP status.
fn agent_lookup(
    client: &reqwest::blocking::Client,
    server: &Server,
    agent: &(String, String),
    doc: &str,
) -> u16 {
    let body = envelope(&agent.0, "get_document_hash", json!({"document_id": doc}));
    post_signed(client, server, "/ai/get-document-hash", &agent.1, &body).0
}

#[test]
fn rotation_keeps_every_document_readable_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let client = reqwest::blocking::Client::new();

    let server = Server::start(dir.path(), &[("VAULT_MASTER_KEY", K1)]);
    wait_ready(&server.url("/monitoring/ready"), Duration::from_secs(10));
    server.register(&client, "alice");
    let token = server.login(&client, "alice");
    let mut documents = Vec::new();
    for i in 0..3u8 {
        let content: Vec<u8> = (0..2000u32).map(|n| (n as u8).wrapping_mul(i + 1)).collect();
        let created = server.upload(&client, &token, &format!("{i}.bin"), &content, "other");
        documents.push((created["document"]["id"].as_str().unwrap().to_string(), content));
    }
    let created: Value = client
        .post(server.url("/ai/agents"))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let agent = (
        created["data"]["agent_id"].as_str().unwrap().to_string(),
        created["data"]["secret"].as_str().unwrap().to_string(),
    );
    assert_eq!(agent_lookup(&client, &server, &agent, &documents[0].0), 200);
    server.signal("TERM");
    server.wait(Duration::from_secs(10));

    let rotate = |key: &str| {
        honestly(dir.path(), &[("DATA_DIR", &data), ("VAULT_MASTER_KEY", key)])
            .args(["keys", "rotate", "--new-key", K2])
            .output()
            .unwrap()
    };
    let first = rotate(K1);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(
        String::from_utf8_lossy(&first.stdout).contains("re-encrypted 3 document(s) and 1 agent secret(s)")
    );
    let second = rotate(K1);
    assert!(second.status.success());
    assert!(
        String::from_utf8_lossy(&second.stdout).contains("re-encrypted 0 document(s) and 0 agent secret(s)")
    );

    // The new key alone now opens everything.
    let server = Server::start(dir.path(), &[("VAULT_MASTER_KEY", K2)]);
    wait_ready(&server.url("/monitoring/ready"), Duration::from_secs(10));
    let token = server.login(&client, "alice");
    for (id, content) in &documents {
        assert_eq!(server.download(&client, &token, id), *content, "document {id} changed");
    }
    assert_eq!(
        agent_lookup(&client, &server, &agent, &documents[0].0),
        200,
        "the agent signs under the new key"
    );
    server.signal("TERM");
    server.wait(Duration::from_secs(10));

    // The old key alone no longer does: the rotation really re-encrypted.
    let server = Server::start(dir.path(), &[("VAULT_MASTER_KEY", K1)]);
    wait_ready(&server.url("/monitoring/ready"), Duration::from_secs(10));
    let token = server.login(&client, "alice");
    let (id, _) = &documents[0];
    let r =
        client.get(server.url(&format!("/vault/documents/{id}/content"))).bearer_auth(&token).send().unwrap();
    assert_eq!(r.status(), 500);
    assert_eq!(
        agent_lookup(&client, &server, &agent, &documents[0].0),
        401,
        "its secret was re-encrypted too"
    );
}

#[test]
fn a_malformed_new_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let out = honestly(dir.path(), &[("DATA_DIR", &data)])
        .args(["keys", "rotate", "--new-key", "short"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
