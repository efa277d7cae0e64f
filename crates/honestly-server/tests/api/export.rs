//! `GET /vault/export`: one ZIP archive with every document's bytes and a manifest whose sizes
//! and hashes match; the caller's data only, and no secret; audited and limited per account.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read};

use honestly_core::audit::Outcome;
use rand::RngCore;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::{assert_error, TestApp};
use crate::share::{create_link, owner_with_proof, path_of};

type Zip = zip::ZipArchive<Cursor<Vec<u8>>>;

fn read(zip: &mut Zip, path: &str) -> Vec<u8> {
    let mut out = Vec::new();
    zip.by_name(path).unwrap_or_else(|e| panic!("{path}: {e}")).read_to_end(&mut out).unwrap();
    out
}

fn json_file(zip: &mut Zip, path: &str) -> Value {
    serde_json::from_slice(&read(zip, path)).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
}

async fn export(app: &TestApp, token: &str) -> reqwest::Response {
    app.get_bearer("/vault/export", token).await
}

#[tokio::test]
async fn the_archive_holds_every_document_and_a_manifest_whose_hashes_match() {
    let app = TestApp::spawn_env(&[("RATE_LIMIT_BURST", "1000")]).await;
    let owner = owner_with_proof(&app).await;
    let mut uploaded = BTreeMap::from([("passport.pdf".to_string(), b"the owner's passport".to_vec())]);
    let mut scan = vec![0u8; 300 * 1024];
    rand::thread_rng().fill_bytes(&mut scan);
    uploaded.insert("scan.bin".into(), scan);
    uploaded.insert("résumé.txt".into(), "un résumé".as_bytes().to_vec());
    for name in ["scan.bin", "résumé.txt"] {
        assert_eq!(app.upload(&owner.token, name, uploaded[name].clone(), "other").await.status(), 201);
    }
    let link = create_link(&app, &owner, json!({"passphrase": "open sesame", "max_accesses": 500})).await;
    // More than a page of timeline events (each view is one).
    for _ in 0..110 {
        let view = app.client.get(app.url(&path_of(&link))).header("x-share-passphrase", "open sesame");
        assert_eq!(view.send().await.unwrap().status(), 200);
    }
    let agent =
        app.client.post(app.url("/ai/agents")).bearer_auth(&owner.token).json(&json!({"name": "helper"}));
    let agent: Value = agent.send().await.unwrap().json().await.unwrap();
    let stranger = app.register_and_login("stranger").await["access_token"].as_str().unwrap().to_string();
    app.upload(&stranger, "theirs.txt", b"not the owner's".to_vec(), "other").await;

    let response = export(&app, &owner.token).await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/zip");
    assert_eq!(headers["cache-control"], "no-store");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment; filename=\"honestly-export-"), "{disposition}");
    let bytes = response.bytes().await.unwrap().to_vec();
    let mut zip = Zip::new(Cursor::new(bytes)).expect("a complete ZIP archive");

    let manifest = json_file(&mut zip, "manifest.json");
    assert_eq!(
        (manifest["format"].as_str(), manifest["version"].as_u64()),
        (Some("honestly-export"), Some(1))
    );
    assert_eq!(manifest["account"]["username"], "owner");
    assert!(manifest["account"]["id"].as_str().unwrap().starts_with("usr_"));
    assert!(manifest["exported_at"].as_str().unwrap().ends_with('Z'));
    let files = manifest["files"].as_array().unwrap();
    let mut in_archive: BTreeSet<String> = zip.file_names().map(String::from).collect();
    assert!(in_archive.remove("manifest.json"));
    let listed: BTreeSet<String> = files.iter().map(|f| f["path"].as_str().unwrap().to_string()).collect();
    assert_eq!(listed, in_archive, "the manifest lists every other file");
    let mut whole_text = String::new();
    for file in files {
        let path = file["path"].as_str().unwrap();
        let content = read(&mut zip, path);
        assert_eq!(file["size_bytes"], content.len(), "{path}");
        assert_eq!(file["sha256"], hex::encode(Sha256::digest(&content)), "{path}");
        assert!(!file["description"].as_str().unwrap().is_empty());
        whole_text.push_str(&String::from_utf8_lossy(&content));
    }

    let documents = json_file(&mut zip, "documents.json");
    let documents = documents.as_array().unwrap();
    assert_eq!(documents.len(), 3);
    for document in documents {
        let name = document["file_name"].as_str().unwrap();
        let content = read(&mut zip, document["path"].as_str().unwrap());
        assert_eq!(content, uploaded[name], "{name}");
        assert_eq!(document["sha256"], hex::encode(Sha256::digest(&content)));
        let listed = files.iter().find(|f| f["path"] == document["path"]).unwrap();
        assert_eq!(listed["sha256"], document["sha256"]);
    }
    let proofs = json_file(&mut zip, "proofs.json");
    assert_eq!(proofs.as_array().unwrap().len(), 1);
    assert_eq!(proofs[0]["id"], owner.proof_id.as_str());
    assert!(proofs[0]["public_inputs"]["minAge"].is_string(), "{}", proofs[0]);
    let links = json_file(&mut zip, "share_links.json");
    assert_eq!(links[0]["id"], link["id"]);
    assert_eq!(
        (links[0]["has_passphrase"].as_bool(), links[0]["access_count"].as_u64()),
        (Some(true), Some(110))
    );
    let agents = json_file(&mut zip, "agents.json");
    assert_eq!(
        agents,
        json!([{"agent_id": agent["data"]["agent_id"], "name": "helper", "created_at": agent["data"]["created_at"]}])
    );
    let timeline = json_file(&mut zip, "timeline.json");
    let kinds: Vec<&str> = timeline.as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "link_accessed").count(), 110);
    assert_eq!(kinds.iter().filter(|k| **k == "document_uploaded").count(), 3);
    assert_eq!(kinds.len(), 3 + 1 + 1 + 110);

    // Nothing secret, nothing of anyone else's.
    for secret in [
        link["token"].as_str().unwrap(),
        agent["data"]["secret"].as_str().unwrap(),
        "argon2",
        "not the owner's",
    ] {
        assert!(!whole_text.contains(secret), "the archive holds {secret}");
    }

    app.state.audit.flush().await.unwrap();
    let events = app.state.store.audit_events_after(0, 10_000).await.unwrap();
    let audited = events.iter().find(|e| e.action == "vault.export").expect("the export is audited");
    let user_id = manifest["account"]["id"].as_str().unwrap();
    assert_eq!((audited.outcome, audited.target.as_deref()), (Outcome::Success, Some(user_id)));
    assert_eq!(audited.actor, format!("user:{user_id}"));
}

#[tokio::test]
async fn an_empty_vault_exports_and_exports_are_limited_per_account() {
    let app = TestApp::spawn().await;
    let alice = app.register_and_login("alice").await["access_token"].as_str().unwrap().to_string();
    let bob = app.register_and_login("bob").await["access_token"].as_str().unwrap().to_string();
    assert_error(app.get("/vault/export").await, 401, "UNAUTHORIZED").await;
    for _ in 0..3 {
        let response = export(&app, &alice).await;
        assert_eq!(response.status(), 200);
        let mut zip = Zip::new(Cursor::new(response.bytes().await.unwrap().to_vec())).unwrap();
        assert_eq!(json_file(&mut zip, "documents.json"), json!([]));
        assert_eq!(json_file(&mut zip, "timeline.json"), json!([]));
    }
    let limited = export(&app, &alice).await;
    assert!(limited.headers().contains_key("retry-after"));
    assert_error(limited, 429, "RATE_LIMITED").await;
    assert_eq!(export(&app, &bob).await.status(), 200, "another account is not limited");
}
