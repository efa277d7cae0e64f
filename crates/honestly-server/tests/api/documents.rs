//! Documents: upload, list, metadata, content, delete, isolation between users, encryption
//! at rest, pagination, timeline and registry.

use rand::RngCore;
use serde_json::Value;

use crate::helpers::{assert_error, TestApp};

async fn token(app: &TestApp, name: &str) -> String {
    app.register_and_login(name).await["access_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn upload_list_metadata_and_content_round_trip_a_5_mib_binary() {
    let app = TestApp::spawn().await;
    let alice = token(&app, "alice").await;
    let mut content = vec![0u8; 5 * 1024 * 1024];
    rand::thread_rng().fill_bytes(&mut content);
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(content.clone())
                .file_name("../../passport scan.bin")
                .mime_str("application/octet-stream")
                .unwrap(),
        )
        .text("document_type", "identity")
        .text("metadata", r#"{"issuer": "Republic of Testland", "pages": 2}"#);
    let created = app
        .client
        .post(app.url("/vault/documents"))
        .bearer_auth(&alice)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let doc = &created["document"];
    let id = doc["id"].as_str().unwrap();
    assert!(id.starts_with("doc_"));
    assert_eq!(doc["file_name"], "passport scan.bin");
    assert_eq!(doc["size_bytes"], content.len());
    assert_eq!(doc["sha256"], hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&content)));
    assert_eq!(doc["metadata"]["issuer"], "Republic of Testland");
    assert_eq!(doc["document_type"], "identity");

    let list: Value = app.get_bearer("/vault/documents", &alice).await.json().await.unwrap();
    assert_eq!(list["documents"].as_array().unwrap().len(), 1);
    assert_eq!(list["documents"][0]["id"], id);
    assert!(list["next_cursor"].is_null());

    let meta: Value = app.get_bearer(&format!("/vault/documents/{id}"), &alice).await.json().await.unwrap();
    assert_eq!(&meta["document"], doc);

    let download = app.get_bearer(&format!("/vault/documents/{id}/content"), &alice).await;
    assert_eq!(download.status(), 200);
    let disposition = download.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.starts_with("attachment; filename=\"passport scan.bin\""), "{disposition}");
    assert_eq!(download.headers()["cache-control"], "no-store");
    let bytes = download.bytes().await.unwrap();
    assert!(bytes.as_ref() == content.as_slice(), "downloaded bytes differ");
}

#[tokio::test]
async fn another_user_gets_404_on_every_route_for_it() {
    let app = TestApp::spawn().await;
    let alice = token(&app, "alice").await;
    let bob = token(&app, "bob").await;
    let created: Value =
        app.upload(&alice, "id.txt", b"alice's passport".to_vec(), "identity").await.json().await.unwrap();
    let id = created["document"]["id"].as_str().unwrap();
    let unknown = "doc_00000000000000000000000000000000";
    for path in [format!("/vault/documents/{id}"), format!("/vault/documents/{id}/content")] {
        let theirs = assert_error(app.get_bearer(&path, &bob).await, 404, "NOT_FOUND").await;
        let missing =
            assert_error(app.get_bearer(&path.replace(id, unknown), &bob).await, 404, "NOT_FOUND").await;
        assert_eq!(theirs["error"]["message"], missing["error"]["message"]);
    }
    let delete =
        app.client.delete(app.url(&format!("/vault/documents/{id}"))).bearer_auth(&bob).send().await.unwrap();
    assert_error(delete, 404, "NOT_FOUND").await;
    let list: Value = app.get_bearer("/vault/documents", &bob).await.json().await.unwrap();
    assert!(list["documents"].as_array().unwrap().is_empty());
    // Still there for its owner.
    assert_eq!(app.get_bearer(&format!("/vault/documents/{id}/content"), &alice).await.status(), 200);
    assert_error(app.get("/vault/documents").await, 401, "UNAUTHORIZED").await;
}

#[tokio::test]
async fn the_database_never_holds_the_plaintext() {
    let app = TestApp::spawn().await;
    let alice = token(&app, "alice").await;
    let marker = b"HONESTLY-PLAINTEXT-MARKER-4f1b2b0b822cd15d".repeat(200);
    let created = app.upload(&alice, "marker.txt", marker.clone(), "other").await;
    assert_eq!(created.status(), 201);
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(app.data_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap().to_string_lossy().starts_with("honestly.db") {
            stored.extend(std::fs::read(&path).unwrap());
        }
    }
    assert!(stored.len() > marker.len(), "the database files were not found");
    assert!(!stored.windows(42).any(|w| w == &marker[..42]), "plaintext found in the database files");
}

#[tokio::test]
async fn invalid_uploads_are_refused_and_change_nothing() {
    let app = TestApp::spawn_env(&[("MAX_UPLOAD_BYTES", "1000")]).await;
    let alice = token(&app, "alice").await;
    assert_error(app.upload(&alice, "big.bin", vec![7u8; 1001], "other").await, 413, "PAYLOAD_TOO_LARGE")
        .await;
    assert_error(app.upload(&alice, "a.txt", b"x".to_vec(), "passport").await, 400, "VALIDATION_FAILED")
        .await;
    let bad_meta = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("a.txt"))
        .text("document_type", "other")
        .text("metadata", "[1, 2]");
    let r = app
        .client
        .post(app.url("/vault/documents"))
        .bearer_auth(&alice)
        .multipart(bad_meta)
        .send()
        .await
        .unwrap();
    let body = assert_error(r, 400, "VALIDATION_FAILED").await;
    assert!(body["error"]["fields"]["metadata"].is_string(), "{body}");
    let no_file = reqwest::multipart::Form::new().text("document_type", "other");
    let r = app
        .client
        .post(app.url("/vault/documents"))
        .bearer_auth(&alice)
        .multipart(no_file)
        .send()
        .await
        .unwrap();
    assert_error(r, 400, "VALIDATION_FAILED").await;
    let list: Value = app.get_bearer("/vault/documents", &alice).await.json().await.unwrap();
    assert!(list["documents"].as_array().unwrap().is_empty());
    let registry: Value = app.get("/vault/registry").await.json().await.unwrap();
    assert_eq!(registry["size"], 0);
}

#[tokio::test]
async fn pages_follow_cursors_without_gaps_or_repeats() {
    let app = TestApp::spawn().await;
    let alice = token(&app, "alice").await;
    let mut uploaded = Vec::new();
    for i in 0..5 {
        let r: Value =
            app.upload(&alice, &format!("{i}.txt"), vec![i as u8; 10], "other").await.json().await.unwrap();
        uploaded.push(r["document"]["id"].as_str().unwrap().to_string());
    }
    let mut seen = Vec::new();
    let mut path = "/vault/documents?limit=2".to_string();
    loop {
        let page: Value = app.get_bearer(&path, &alice).await.json().await.unwrap();
        seen.extend(
            page["documents"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap().to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/vault/documents?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    uploaded.reverse();
    assert_eq!(seen, uploaded, "newest first, each once");
    for bad in ["/vault/documents?cursor=!!", "/vault/documents?limit=0", "/vault/documents?limit=101"] {
        assert_error(app.get_bearer(bad, &alice).await, 400, "VALIDATION_FAILED").await;
    }
}

#[tokio::test]
async fn delete_removes_the_document_and_the_timeline_and_registry_record_history() {
    let app = TestApp::spawn().await;
    let alice = token(&app, "alice").await;
    let before: Value = app.get("/vault/registry").await.json().await.unwrap();
    let created: Value =
        app.upload(&alice, "a.txt", b"some content".to_vec(), "credential").await.json().await.unwrap();
    let id = created["document"]["id"].as_str().unwrap();
    let after: Value = app.get("/vault/registry").await.json().await.unwrap();
    assert_eq!(after["size"], 1);
    assert_eq!(after["epoch"], 1);
    assert_ne!(after["root"], before["root"]);
    assert!(after["updated_at"].is_string());

    let r = app
        .client
        .delete(app.url(&format!("/vault/documents/{id}")))
        .bearer_auth(&alice)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_error(app.get_bearer(&format!("/vault/documents/{id}"), &alice).await, 404, "NOT_FOUND").await;
    assert_error(app.get_bearer(&format!("/vault/documents/{id}/content"), &alice).await, 404, "NOT_FOUND")
        .await;

    let timeline: Value = app.get_bearer("/vault/timeline", &alice).await.json().await.unwrap();
    let kinds: Vec<&str> =
        timeline["events"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["document_deleted", "document_uploaded"]);
    assert_eq!(timeline["events"][0]["document_id"], id);
    let bob = token(&app, "bob").await;
    let theirs: Value = app.get_bearer("/vault/timeline", &bob).await.json().await.unwrap();
    assert!(theirs["events"].as_array().unwrap().is_empty());
}
