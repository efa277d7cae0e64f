//! Share links: views by access level, the access budget under concurrency, revocation,
//! expiry, passphrases, signed bundles, content URLs and QR codes.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde_json::{json, Value};

use crate::helpers::{assert_error, TestApp};

pub struct Owner {
    pub token: String,
    pub document_id: String,
    pub proof_id: String,
}

pub async fn owner_with_proof(app: &TestApp) -> Owner {
    owner_with_age_proof(app, 18).await
}

/// A registered owner with one identity document and an age proof of `min_age` about it.
pub async fn owner_with_age_proof(app: &TestApp, min_age: u64) -> Owner {
    let token = app.register_and_login("owner").await["access_token"].as_str().unwrap().to_string();
    let created: Value = app
        .upload(&token, "passport.pdf", b"the owner's passport".to_vec(), "identity")
        .await
        .json()
        .await
        .unwrap();
    let document_id = created["document"]["id"].as_str().unwrap().to_string();
    let proof: Value = app
        .client
        .post(app.url(&format!("/vault/documents/{document_id}/proofs")))
        .bearer_auth(&token)
        .json(&json!({"proof_type": "age_proof", "birth_date": "1990-05-17", "min_age": min_age}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Owner { token, document_id, proof_id: proof["proof"]["id"].as_str().unwrap().to_string() }
}

/// A link request for the owner's document and proof, with `extra` fields set or overridden.
fn link_body(owner: &Owner, extra: Value) -> Value {
    let mut body =
        json!({"document_id": owner.document_id, "proof_id": owner.proof_id, "access_level": "proof_only"});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

async fn post_link(app: &TestApp, owner: &Owner, body: &Value) -> reqwest::Response {
    app.client.post(app.url("/vault/share-links")).bearer_auth(&owner.token).json(body).send().await.unwrap()
}

pub async fn create_link(app: &TestApp, owner: &Owner, extra: Value) -> Value {
    let r = post_link(app, owner, &link_body(owner, extra)).await;
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["link"].clone()
}

pub fn path_of(link: &Value) -> String {
    format!("/vault/share/{}", link["token"].as_str().unwrap())
}

#[tokio::test]
async fn views_show_exactly_what_the_access_level_allows() {
    let app = TestApp::spawn().await;
    let owner = owner_with_proof(&app).await;
    let link = create_link(&app, &owner, json!({})).await;
    assert!(link["id"].as_str().unwrap().starts_with("lnk_"));
    assert_eq!(link["token"].as_str().unwrap().len(), 43);
    assert!(link["url"].as_str().unwrap().ends_with(&path_of(&link)));
    let view: Value = app.get(&path_of(&link)).await.json().await.unwrap();
    assert_eq!(view["proof_status"], "verified");
    assert_eq!(view["proof_type"], "age_proof_v2");
    assert_eq!(view["attestation"], "self_declared");
    assert_eq!(view["document_type"], "identity");
    assert!(view.get("file_name").is_none() && view.get("content_url").is_none());

    let meta = create_link(&app, &owner, json!({"access_level": "metadata"})).await;
    let view: Value = app.get(&path_of(&meta)).await.json().await.unwrap();
    assert_eq!(view["file_name"], "passport.pdf");
    assert!(view.get("content_url").is_none());

    let full = create_link(&app, &owner, json!({"access_level": "full"})).await;
    let view: Value = app.get(&path_of(&full)).await.json().await.unwrap();
    let content_url = view["content_url"].as_str().unwrap();
    let path = &content_url[content_url.find("/vault/").unwrap()..];
    let content = app.get(path).await;
    assert_eq!(content.status(), 200);
    assert_eq!(content.bytes().await.unwrap().as_ref(), b"the owner's passport");
    let forged = path.replace("sig=", "sig=A");
    assert_error(app.get(&forged).await, 404, "NOT_FOUND").await;

    // The owner's list never shows tokens.
    let list: Value = app.get_bearer("/vault/share-links", &owner.token).await.json().await.unwrap();
    assert_eq!(list["links"].as_array().unwrap().len(), 3);
    assert!(list["links"].as_array().unwrap().iter().all(|l| l.get("token").is_none()));
    assert_eq!(list["links"][2]["access_count"], 1);
}

#[tokio::test]
async fn three_accesses_allowed_means_exactly_three_of_twenty_concurrent_requests_succeed() {
    let app = TestApp::spawn_env(&[("RATE_LIMIT_BURST", "1000")]).await;
    let owner = owner_with_proof(&app).await;
    let link = create_link(&app, &owner, json!({"max_accesses": 3})).await;
    let path = path_of(&link);
    let requests = (0..20).map(|i| {
        let url = app.url(&if i % 2 == 0 { path.clone() } else { format!("{path}/bundle") });
        let client = app.client.clone();
        tokio::spawn(async move { client.get(url).send().await.unwrap().status().as_u16() })
    });
    let statuses: Vec<u16> =
        futures::future::join_all(requests).await.into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 3, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 404).count(), 17, "{statuses:?}");
    let list: Value = app.get_bearer("/vault/share-links", &owner.token).await.json().await.unwrap();
    assert_eq!(list["links"][0]["access_count"], 3);
}

#[tokio::test]
async fn revocation_expiry_deletion_and_unknown_tokens_all_look_the_same() {
    let app = TestApp::spawn().await;
    let owner = owner_with_proof(&app).await;
    let unknown =
        assert_error(app.get(&format!("/vault/share/{}", "A".repeat(43))).await, 404, "NOT_FOUND").await;

    // Revoked right after a bundle was served (and cached).
    let link = create_link(&app, &owner, json!({})).await;
    assert_eq!(app.get(&format!("{}/bundle", path_of(&link))).await.status(), 200);
    let r = app
        .client
        .delete(app.url(&format!("/vault/share-links/{}", link["id"].as_str().unwrap())))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let revoked = assert_error(app.get(&format!("{}/bundle", path_of(&link))).await, 404, "NOT_FOUND").await;
    assert_eq!(revoked["error"]["message"], unknown["error"]["message"]);
    assert_error(app.get(&format!("/vault/qr/{}", link["token"].as_str().unwrap())).await, 404, "NOT_FOUND")
        .await;

    // Expired: move the expiry into the past directly in the store.
    let expiring = create_link(&app, &owner, json!({"expires_in_hours": 1})).await;
    let db = rusqlite::Connection::open(app.data_dir().join("honestly.db")).unwrap();
    db.execute("UPDATE share_links SET expires_at = 1 WHERE id = ?1", [expiring["id"].as_str().unwrap()])
        .unwrap();
    let expired = assert_error(app.get(&path_of(&expiring)).await, 404, "NOT_FOUND").await;
    assert_eq!(
        expired["error"],
        json!({"code": "NOT_FOUND", "message": unknown["error"]["message"], "error_id": expired["error"]["error_id"]})
    );

    // The document deleted: its links stop at once.
    let doomed = create_link(&app, &owner, json!({})).await;
    assert_eq!(app.get(&path_of(&doomed)).await.status(), 200);
    let r = app
        .client
        .delete(app.url(&format!("/vault/documents/{}", owner.document_id)))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_error(app.get(&path_of(&doomed)).await, 404, "NOT_FOUND").await;
}

#[tokio::test]
async fn passphrase_protected_links_need_the_passphrase_and_wrong_ones_consume_nothing() {
    let app = TestApp::spawn().await;
    let owner = owner_with_proof(&app).await;
    let link = create_link(&app, &owner, json!({"passphrase": "open sesame", "max_accesses": 2})).await;
    let path = path_of(&link);
    assert_error(app.get(&path).await, 401, "UNAUTHORIZED").await;
    let wrong =
        app.client.get(app.url(&path)).header("x-share-passphrase", "open sesamE").send().await.unwrap();
    assert_error(wrong, 401, "UNAUTHORIZED").await;
    let right =
        app.client.get(app.url(&path)).header("x-share-passphrase", "open sesame").send().await.unwrap();
    assert_eq!(right.status(), 200);
    let list: Value = app.get_bearer("/vault/share-links", &owner.token).await.json().await.unwrap();
    assert_eq!(list["links"][0]["access_count"], 1, "failed attempts consumed accesses");
    assert_eq!(list["links"][0]["has_passphrase"], true);
    // Guessing is rate limited per link.
    let mut last = 0;
    for _ in 0..6 {
        last = app
            .client
            .get(app.url(&path))
            .header("x-share-passphrase", "guess1234")
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
    }
    assert_eq!(last, 429);
}

#[tokio::test]
async fn bundles_are_signed_with_the_published_key_and_any_change_breaks_the_signature() {
    let app = TestApp::spawn().await;
    let owner = owner_with_proof(&app).await;
    let link = create_link(&app, &owner, json!({"max_accesses": 3})).await;
    let bundle: Value = app.get(&format!("{}/bundle", path_of(&link))).await.json().await.unwrap();
    assert_eq!(bundle["version"], 1);
    assert_eq!(bundle["access_count"], 1);
    assert_eq!(bundle["max_accesses"], 3);
    assert_eq!(bundle["proof"]["verified"], true);
    assert_eq!(bundle["verification"]["vk_url"], "/zkp/artifacts/age_proof_v2/verification_key.json");
    assert_eq!(bundle["proof"]["attestation"], "self_declared");

    let keys: Value = app.get("/.well-known/honestly-keys.json").await.json().await.unwrap();
    let jwk = &keys["keys"][0];
    assert_eq!(jwk["kid"], bundle["signature"]["key_id"]);
    let public: [u8; 32] = URL_SAFE_NO_PAD.decode(jwk["x"].as_str().unwrap()).unwrap().try_into().unwrap();
    let key = VerifyingKey::from_bytes(&public).unwrap();
    let signature: [u8; 64] =
        URL_SAFE_NO_PAD.decode(bundle["signature"]["value"].as_str().unwrap()).unwrap().try_into().unwrap();
    let signature = Signature::from_bytes(&signature);
    let mut unsigned = bundle.clone();
    unsigned.as_object_mut().unwrap().remove("signature");
    let canonical = honestly_core::crypto::canonical::sorted_compact(&unsigned);
    assert!(!canonical.contains(' '));
    key.verify(canonical.as_bytes(), &signature).expect("bundle signature verifies");

    for field in ["link_id", "document_sha256", "access_count", "expires_at", "nonce"] {
        let mut changed = unsigned.clone();
        changed[field] = json!("tampered");
        let text = honestly_core::crypto::canonical::sorted_compact(&changed);
        assert!(key.verify(text.as_bytes(), &signature).is_err(), "{field} changed but the signature held");
    }
    let mut changed = unsigned;
    changed["proof"]["public_signals"][0] = json!("21");
    let text = honestly_core::crypto::canonical::sorted_compact(&changed);
    assert!(key.verify(text.as_bytes(), &signature).is_err());
}

#[tokio::test]
async fn qr_codes_come_as_png_and_svg_without_consuming_accesses() {
    let app = TestApp::spawn().await;
    let owner = owner_with_proof(&app).await;
    let link = create_link(&app, &owner, json!({"max_accesses": 1})).await;
    let token = link["token"].as_str().unwrap();
    let png = app.get(&format!("/vault/qr/{token}")).await;
    assert_eq!(png.headers()["content-type"], "image/png");
    assert!(png.bytes().await.unwrap().starts_with(b"\x89PNG\r\n\x1a\n"));
    let svg = app.get(&format!("/vault/qr/{token}?format=svg")).await;
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert!(svg.text().await.unwrap().contains("<svg"));
    assert_error(app.get(&format!("/vault/qr/{token}?format=gif")).await, 400, "VALIDATION_FAILED").await;
    assert_eq!(app.get(&path_of(&link)).await.status(), 200, "the QR code consumed the only access");
}

#[tokio::test]
async fn links_to_foreign_documents_or_proofs_and_bad_settings_are_refused() {
    let app = TestApp::spawn().await;
    let owner = owner_with_proof(&app).await;
    let other = app.register_and_login("other").await["access_token"].as_str().unwrap().to_string();
    let body = json!({"document_id": owner.document_id, "access_level": "full"});
    let r =
        app.client.post(app.url("/vault/share-links")).bearer_auth(&other).json(&body).send().await.unwrap();
    assert_error(r, 404, "NOT_FOUND").await;
    for bad in [
        json!({"access_level": "everything"}),
        json!({"expires_in_hours": 0}),
        json!({"expires_in_hours": 721}),
        json!({"expires_in_hours": 2, "expires_at": "2099-01-01T00:00:00Z"}),
        json!({"expires_at": "2000-01-01T00:00:00Z"}),
        json!({"max_accesses": 0}),
        json!({"passphrase": "short"}),
    ] {
        assert_error(post_link(&app, &owner, &link_body(&owner, bad)).await, 400, "VALIDATION_FAILED").await;
    }
    // A proof of one document cannot be shared through a link to another.
    let second: Value =
        app.upload(&owner.token, "b.pdf", b"second".to_vec(), "other").await.json().await.unwrap();
    let b = json!({"document_id": second["document"]["id"], "proof_id": owner.proof_id, "access_level": "proof_only"});
    let r = post_link(&app, &owner, &b).await;
    let body = assert_error(r, 400, "VALIDATION_FAILED").await;
    assert!(body["error"]["fields"]["proof_id"].is_string(), "{body}");
    let r = app
        .client
        .delete(app.url("/vault/share-links/lnk_00000000000000000000000000000000"))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap();
    assert_error(r, 404, "NOT_FOUND").await;
}

/// The path (from `/vault/`) of a view's `content_url`.
fn content_path(view: &Value) -> String {
    let url = view["content_url"].as_str().expect("a full link's view has a content_url");
    url[url.find("/vault/").unwrap()..].to_string()
}

async fn view_of(app: &TestApp, link: &Value) -> Value {
    let view = app.get(&path_of(link)).await;
    assert_eq!(view.status(), 200);
    view.json().await.unwrap()
}

#[tokio::test]
async fn the_content_url_of_the_last_allowed_view_still_downloads() {
    let app = TestApp::spawn().await;
    let owner = owner_with_proof(&app).await;
    let once = create_link(&app, &owner, json!({"access_level": "full", "max_accesses": 1})).await;
    let content = content_path(&view_of(&app, &once).await);
    assert_error(app.get(&path_of(&once)).await, 404, "NOT_FOUND").await;
    // The view paid for the download: it works (again and again) within its 5 minutes.
    for _ in 0..2 {
        let download = app.get(&content).await;
        assert_eq!(download.status(), 200);
        assert_eq!(download.bytes().await.unwrap().as_ref(), b"the owner's passport");
    }
    let list: Value = app.get_bearer("/vault/share-links", &owner.token).await.json().await.unwrap();
    assert_eq!(list["links"][0]["access_count"], 1, "downloads consumed accesses");
}

#[tokio::test]
async fn a_content_url_stops_with_its_link_revoked_expired_or_its_document_deleted() {
    let app = TestApp::spawn().await;
    let owner = owner_with_proof(&app).await;
    let full = json!({"access_level": "full"});

    let revoked = create_link(&app, &owner, full.clone()).await;
    let content = content_path(&view_of(&app, &revoked).await);
    assert_eq!(app.get(&content).await.status(), 200);
    let revoke =
        app.client.delete(app.url(&format!("/vault/share-links/{}", revoked["id"].as_str().unwrap())));
    assert_eq!(revoke.bearer_auth(&owner.token).send().await.unwrap().status(), 204);
    assert_error(app.get(&content).await, 404, "NOT_FOUND").await;

    let expired = create_link(&app, &owner, full.clone()).await;
    let content = content_path(&view_of(&app, &expired).await);
    let db = rusqlite::Connection::open(app.data_dir().join("honestly.db")).unwrap();
    db.execute("UPDATE share_links SET expires_at = 1 WHERE id = ?1", [expired["id"].as_str().unwrap()])
        .unwrap();
    assert_error(app.get(&content).await, 404, "NOT_FOUND").await;

    // A link expiring within 5 minutes hands out URLs that expire with it.
    let expires_at = honestly_core::clock::Timestamp::now().plus(std::time::Duration::from_secs(120));
    let soon =
        create_link(&app, &owner, json!({"access_level": "full", "expires_at": expires_at.rfc3339()})).await;
    let content = content_path(&view_of(&app, &soon).await);
    let expires: i64 = content.split("expires=").nth(1).unwrap().split('&').next().unwrap().parse().unwrap();
    assert_eq!(expires, expires_at.unix());
    assert_eq!(app.get(&content).await.status(), 200);
    let deleted = app.client.delete(app.url(&format!("/vault/documents/{}", owner.document_id)));
    assert_eq!(deleted.bearer_auth(&owner.token).send().await.unwrap().status(), 204);
    assert_error(app.get(&content).await, 404, "NOT_FOUND").await;
}

async fn delete_document(app: &TestApp, owner: &Owner) {
    let deleted = app.client.delete(app.url(&format!("/vault/documents/{}", owner.document_id)));
    assert_eq!(deleted.bearer_auth(&owner.token).send().await.unwrap().status(), 204);
}

#[tokio::test]
async fn a_deleted_documents_links_lose_their_qr_code_and_leave_the_owners_list() {
    let app = TestApp::spawn().await;
    let owner = owner_with_proof(&app).await;
    let link = create_link(&app, &owner, json!({})).await;
    let qr = format!("/vault/qr/{}", link["token"].as_str().unwrap());
    assert_eq!(app.get(&qr).await.status(), 200);
    delete_document(&app, &owner).await;
    assert_error(app.get(&qr).await, 404, "NOT_FOUND").await;
    assert_error(app.get(&format!("{qr}?format=svg")).await, 404, "NOT_FOUND").await;
    let list: Value = app.get_bearer("/vault/share-links", &owner.token).await.json().await.unwrap();
    assert_eq!(list["links"], json!([]), "a link to a deleted document is listed");
}

#[tokio::test]
async fn deleting_a_document_deletes_its_proofs() {
    let app = TestApp::spawn().await;
    let owner = owner_with_proof(&app).await;
    let kept: Value =
        app.upload(&owner.token, "kept.pdf", b"kept".to_vec(), "other").await.json().await.unwrap();
    let kept_id = kept["document"]["id"].as_str().unwrap();
    let kept_proof = app
        .client
        .post(app.url(&format!("/vault/documents/{kept_id}/proofs")))
        .bearer_auth(&owner.token)
        .json(&json!({"proof_type": "authenticity_proof"}))
        .send()
        .await
        .unwrap();
    assert_eq!(kept_proof.status(), 201);
    let kept_proof: Value = kept_proof.json().await.unwrap();
    delete_document(&app, &owner).await;
    let proof = format!("/vault/proofs/{}", owner.proof_id);
    assert_error(app.get_bearer(&proof, &owner.token).await, 404, "NOT_FOUND").await;
    let list: Value = app.get_bearer("/vault/proofs", &owner.token).await.json().await.unwrap();
    let listed: Vec<&Value> = list["proofs"].as_array().unwrap().iter().map(|p| &p["id"]).collect();
    assert_eq!(listed, vec![&kept_proof["proof"]["id"]], "only the kept document's proof is listed");
}
