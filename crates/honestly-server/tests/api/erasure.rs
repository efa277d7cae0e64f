//! `DELETE /auth/me`: the password confirms it, a wrong one changes nothing; afterwards no
//! file under `DATA_DIR` (database, write-ahead log, its index, keys) holds the account's
//! username, its documents' plaintext or their SHA-256.

use std::path::Path;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::{assert_error, TestApp, PASSWORD};

/// Every file below `dir` that contains `needle` (as bytes).
pub(crate) fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                if bytes.windows(needle.len()).any(|w| w == needle) {
                    found.push(path.display().to_string());
                }
            }
        }
    }
    found
}

async fn erase(app: &TestApp, token: &str, password: &str) -> reqwest::Response {
    app.client
        .delete(app.url("/auth/me"))
        .bearer_auth(token)
        .json(&json!({"password": password}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn erasing_my_account_leaves_no_trace_of_it_in_the_data_dir() {
    let app = TestApp::spawn().await;
    let username = "Quentin-Erasable";
    let login = app.register_and_login(username).await;
    let token = login["access_token"].as_str().unwrap().to_string();
    let refresh = login["refresh_token"].as_str().unwrap().to_string();
    let plaintext = format!("PLAINTEXT-{}-of-a-passport", rand::random::<u64>());
    let sha256 = hex::encode(Sha256::digest(plaintext.as_bytes()));

    // Upload, prove, share (and open the link once), delegate an agent.
    let created = app.upload(&token, "passport.txt", plaintext.clone().into_bytes(), "identity").await;
    assert_eq!(created.status(), 201);
    let doc: Value = created.json().await.unwrap();
    assert_eq!(doc["document"]["sha256"], sha256.as_str());
    let doc_id = doc["document"]["id"].as_str().unwrap().to_string();
    let proof: Value = app
        .client
        .post(app.url(&format!("/vault/documents/{doc_id}/proofs")))
        .bearer_auth(&token)
        .json(&json!({"proof_type": "authenticity_proof"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let proof_id = proof["proof"]["id"].as_str().expect("proof made").to_string();
    let link: Value = app
        .client
        .post(app.url("/vault/share-links"))
        .bearer_auth(&token)
        .json(&json!({"document_id": doc_id, "proof_id": proof_id, "access_level": "full"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let share_token = link["link"]["token"].as_str().expect("link made").to_string();
    assert_eq!(app.get(&format!("/vault/share/{share_token}")).await.status(), 200);
    let agent =
        app.client.post(app.url("/ai/agents")).bearer_auth(&token).json(&json!({})).send().await.unwrap();
    assert_eq!(agent.status(), 201);
    let other = app.register_and_login("bystander").await;
    let other_token = other["access_token"].as_str().unwrap();
    assert_eq!(app.upload(other_token, "b.txt", b"someone else's".to_vec(), "other").await.status(), 201);

    // A wrong password, a missing one, no token: 401/400 and nothing changes.
    assert_error(erase(&app, &token, "not my password at all").await, 401, "UNAUTHORIZED").await;
    let missing =
        app.client.delete(app.url("/auth/me")).bearer_auth(&token).json(&json!({})).send().await.unwrap();
    assert_error(missing, 400, "VALIDATION_FAILED").await;
    let anonymous =
        app.client.delete(app.url("/auth/me")).json(&json!({"password": PASSWORD})).send().await.unwrap();
    assert_error(anonymous, 401, "UNAUTHORIZED").await;
    assert_eq!(app.get_bearer(&format!("/vault/documents/{doc_id}"), &token).await.status(), 200);

    let erased = erase(&app, &token, PASSWORD).await;
    assert_eq!(erased.status(), 204);

    // Gone for every purpose.
    assert_error(app.get_bearer("/auth/me", &token).await, 401, "UNAUTHORIZED").await;
    let relogin = app.post_json("/auth/login", &json!({"username": username, "password": PASSWORD})).await;
    assert_error(relogin, 401, "UNAUTHORIZED").await;
    let refreshed = app.post_json("/auth/refresh", &json!({"refresh_token": refresh})).await;
    assert_error(refreshed, 401, "UNAUTHORIZED").await;
    assert_error(app.get(&format!("/vault/share/{share_token}")).await, 404, "NOT_FOUND").await;
    assert_eq!(app.get_bearer("/vault/documents", other_token).await.status(), 200, "others unaffected");
    // The username is free again.
    let again = app.post_json("/auth/register", &json!({"username": username, "password": PASSWORD})).await;
    assert_eq!(again.status(), 201);
    let again: Value = again.json().await.unwrap();
    let new_id = again["user"]["id"].as_str().unwrap().to_string();
    // …which a fresh account of that name may take; its row is deleted again for the check.
    let new_id = honestly_core::ids::UserId::parse(&new_id).unwrap();
    app.state.accounts.erase(honestly_core::audit::Actor::Cli, &new_id).await.unwrap();

    // The audit trail keeps a tombstone, and its chain stays whole.
    app.state.audit.flush().await.unwrap();
    let events = app.state.store.audit_events_after(0, 100_000).await.unwrap();
    let user_id = honestly_core::ids::UserId::parse(login["user"]["id"].as_str().unwrap()).unwrap();
    let tombstone = honestly_core::auth::accounts::tombstone(&user_id);
    let erasure = events.iter().find(|e| e.action == "account.erase" && e.outcome.as_str() == "success");
    let erasure = erasure.expect("erasure audited");
    assert_eq!(erasure.target.as_deref(), Some(tombstone.as_str()));
    assert!(
        erasure.reason.as_deref().unwrap().starts_with("1 documents, 1 proofs, 1 links, 1 agents"),
        "{erasure:?}"
    );
    honestly_core::audit::verify_chain(app.state.store.as_ref()).await.expect("the chain is whole");

    // No file holds the username (any case), the plaintext or its hash.
    let dir = app.data_dir();
    for needle in [
        username.to_string(),
        username.to_ascii_lowercase(),
        plaintext.clone(),
        sha256.clone(),
        sha256.to_ascii_uppercase(),
    ] {
        let found = files_containing(dir, needle.as_bytes());
        assert!(found.is_empty(), "{needle:?} is still in {found:?}");
    }
    // The check itself finds what is there: the bystander's name is.
    assert!(!files_containing(dir, b"bystander").is_empty());
}

#[tokio::test]
async fn wrong_passwords_cannot_be_guessed_through_erasure() {
    let app = TestApp::spawn().await;
    let login = app.register_and_login("guarded").await;
    let token = login["access_token"].as_str().unwrap();
    for _ in 0..honestly_core::auth::service::MAX_LOGIN_FAILURES {
        assert_error(erase(&app, token, "a wrong guess, again").await, 401, "UNAUTHORIZED").await;
    }
    // Locked like a login would be: even the right password waits, and nothing was erased.
    let locked = erase(&app, token, PASSWORD).await;
    assert!(locked.headers().contains_key("retry-after"));
    assert_error(locked, 429, "RATE_LIMITED").await;
    assert_eq!(app.get_bearer("/auth/me", token).await.status(), 200);
    let relogin = app.post_json("/auth/login", &json!({"username": "guarded", "password": PASSWORD})).await;
    assert_error(relogin, 429, "RATE_LIMITED").await;
}
