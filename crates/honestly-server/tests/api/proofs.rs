//! Proofs through the API and their public verification.

use serde_json::{json, Value};

use crate::helpers::{assert_error, TestApp, PASSWORD};

const MULTIPLIER_VK: &str =
    include_str!("../../../honestly-zk/tests/fixtures/circom_multiplier/verification_key.json");
const MULTIPLIER_PROOF: &str =
    include_str!("../../../honestly-zk/tests/fixtures/circom_multiplier/proof.json");
const MULTIPLIER_PUBLIC: &str =
    include_str!("../../../honestly-zk/tests/fixtures/circom_multiplier/public.json");

struct Setup {
    token: String,
    document_id: String,
    sha256: String,
}

async fn with_document(app: &TestApp, user: &str, content: &[u8]) -> Setup {
    let token = app.register_and_login(user).await["access_token"].as_str().unwrap().to_string();
    let created: Value =
        app.upload(&token, "id.pdf", content.to_vec(), "identity").await.json().await.unwrap();
    Setup {
        token,
        document_id: created["document"]["id"].as_str().unwrap().to_string(),
        sha256: created["document"]["sha256"].as_str().unwrap().to_string(),
    }
}

async fn prove(app: &TestApp, s: &Setup, body: Value) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/vault/documents/{}/proofs", s.document_id)))
        .bearer_auth(&s.token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn verify(app: &TestApp, body: Value) -> Value {
    let r = app.post_json("/zkp/verify", &body).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn an_age_proof_verifies_and_its_negative_twins_do_not() {
    let app = TestApp::spawn().await;
    let s = with_document(&app, "alice", b"alice's identity card").await;
    let created =
        prove(&app, &s, json!({"proof_type": "age_proof", "birth_date": "1990-05-17", "min_age": 18})).await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let p = &created["proof"];
    assert!(p["id"].as_str().unwrap().starts_with("prf_"));
    assert_eq!(p["proof"]["protocol"], "groth16");
    assert_eq!(p["proof"]["curve"], "bn128");
    // `age_proof` now makes an `age_proof_v2` proof (dates YYYYMMDD).
    assert_eq!(p["proof_type"], "age_proof_v2");
    assert_eq!(p["public_inputs"]["minAge"], "18");
    assert_eq!(p["public_signals"].as_array().unwrap().len(), 5);
    assert_eq!(p["nullifier"], p["public_signals"][4]);
    // No public signal carries the birth date.
    assert!(p["public_signals"].as_array().unwrap().iter().all(|v| v != "19900517"), "birth date leaked");

    let base =
        json!({"proof_type": "age_proof_v2", "proof": p["proof"], "public_signals": p["public_signals"]});
    let age_unchecked = json!(["min_age", "document_sha256", "max_proof_age_seconds"]);
    assert_eq!(
        verify(&app, base.clone()).await,
        json!({"verified": true, "checked": [], "unchecked": age_unchecked, "attestation": "self_declared"})
    );

    let mut changed = base.clone();
    changed["public_signals"][0] = json!("21");
    assert_eq!(
        verify(&app, changed).await,
        json!({"verified": false, "reason": "invalid_proof", "checked": [], "unchecked": age_unchecked,
               "attestation": "self_declared"})
    );

    let mut expected = base.clone();
    expected["expected"] = json!({"min_age": 21});
    assert_eq!(verify(&app, expected.clone()).await["reason"], "expectation_failed");
    expected["expected"] = json!({"min_age": 18, "document_sha256": s.sha256, "max_proof_age_seconds": 3600});
    assert_eq!(verify(&app, expected.clone()).await["verified"], true);
    expected["expected"] = json!({"document_sha256": "00".repeat(32)});
    assert_eq!(verify(&app, expected).await["reason"], "expectation_failed");

    let mut swapped = base.clone();
    swapped["proof"]["pi_a"] = p["proof"]["pi_c"].clone();
    swapped["proof"]["pi_c"] = p["proof"]["pi_a"].clone();
    assert_eq!(verify(&app, swapped).await["verified"], false);
    let mut other_circuit = base.clone();
    other_circuit["proof_type"] = json!("authenticity_proof");
    assert_eq!(verify(&app, other_circuit).await["reason"], "malformed");
    let mut unknown = base.clone();
    unknown["proof_type"] = json!("nope");
    assert_eq!(verify(&app, unknown).await["reason"], "unknown_circuit");
    let mut garbage = base;
    garbage["proof"]["pi_a"] = json!(["1", "3", "1"]);
    assert_eq!(verify(&app, garbage).await["reason"], "malformed");

    let list: Value = app.get_bearer("/vault/proofs", &s.token).await.json().await.unwrap();
    assert_eq!(list["proofs"][0]["id"], p["id"]);
    let one: Value = app
        .get_bearer(&format!("/vault/proofs/{}", p["id"].as_str().unwrap()), &s.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["proof"]["public_signals"], p["public_signals"]);
}

#[tokio::test]
async fn a_false_age_statement_is_422_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let s = with_document(&app, "young", b"a young person's id").await;
    let r =
        prove(&app, &s, json!({"proof_type": "age_proof", "birth_date": "2015-01-01", "min_age": 18})).await;
    assert_error(r, 422, "STATEMENT_FALSE").await;
    for bad in [
        json!({"proof_type": "age_proof", "birth_date": "0999-12-31", "min_age": 18}),
        json!({"proof_type": "age_proof", "birth_date": "1990-02-30", "min_age": 18}),
        json!({"proof_type": "age_proof_v2", "birth_date": "9999-01-01", "min_age": 0}),
        json!({"proof_type": "age_proof", "birth_date": "17/05/1990", "min_age": 18}),
        json!({"proof_type": "age_proof", "birth_date": "1990-05-17", "min_age": 300}),
        json!({"proof_type": "shoe_size_proof"}),
    ] {
        assert_error(prove(&app, &s, bad).await, 400, "VALIDATION_FAILED").await;
    }
    let list: Value = app.get_bearer("/vault/proofs", &s.token).await.json().await.unwrap();
    assert!(list["proofs"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn an_authenticity_proof_verifies_against_current_and_past_roots() {
    let app = TestApp::spawn().await;
    let s = with_document(&app, "alice", b"registered document").await;
    let root_then: Value = app.get("/vault/registry").await.json().await.unwrap();
    let created: Value =
        prove(&app, &s, json!({"proof_type": "authenticity_proof"})).await.json().await.unwrap();
    let p = &created["proof"];
    assert_eq!(p["public_inputs"]["root"], root_then["root"]);
    assert_eq!(p["public_inputs"]["epoch"], "1");
    let mut body = json!({"proof_type": "authenticity_proof", "proof": p["proof"], "public_signals": p["public_signals"],
                          "expected": {"document_sha256": s.sha256, "registry_root": root_then["root"]}});
    assert_eq!(
        verify(&app, body.clone()).await,
        json!({"verified": true, "checked": ["document_sha256", "registry_root"], "unchecked": []})
    );

    // The registry grows: the old root stays known, but it is no longer the current one.
    app.upload(&s.token, "second.pdf", b"another document".to_vec(), "other").await;
    let root_now: Value = app.get("/vault/registry").await.json().await.unwrap();
    assert_ne!(root_now["root"], root_then["root"]);
    body["expected"] = json!({"document_sha256": s.sha256});
    assert_eq!(verify(&app, body.clone()).await["verified"], true);
    body["expected"] = json!({"registry_root": root_now["root"]});
    assert_eq!(verify(&app, body).await["reason"], "expectation_failed");
}

#[tokio::test]
async fn proofs_of_someone_elses_document_are_404() {
    let app = TestApp::spawn().await;
    let s = with_document(&app, "alice", b"alice's doc").await;
    let bob = app.register_and_login("bob").await["access_token"].as_str().unwrap().to_string();
    let r = app
        .client
        .post(app.url(&format!("/vault/documents/{}/proofs", s.document_id)))
        .bearer_auth(&bob)
        .json(&json!({"proof_type": "authenticity_proof"}))
        .send()
        .await
        .unwrap();
    assert_error(r, 404, "NOT_FOUND").await;
    let created: Value =
        prove(&app, &s, json!({"proof_type": "authenticity_proof"})).await.json().await.unwrap();
    let id = created["proof"]["id"].as_str().unwrap();
    assert_error(app.get_bearer(&format!("/vault/proofs/{id}"), &bob).await, 404, "NOT_FOUND").await;
}

#[tokio::test]
async fn circuits_and_verification_keys_are_served_with_etags() {
    let app = TestApp::spawn().await;
    let circuits: Value = app.get("/zkp/circuits").await.json().await.unwrap();
    let names: Vec<&str> = circuits.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["age_proof", "age_proof_v2", "authenticity_proof", "credential_query"]);
    assert_eq!(circuits[1]["public_signals"][1], "referenceDate");
    let age = &circuits[0];
    assert_eq!(age["n_public"], 5);
    assert_eq!(age["public_signals"][4], "nullifier");

    let r = app.get("/zkp/artifacts/age_proof/verification_key.json").await;
    assert_eq!(r.status(), 200);
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    assert_eq!(etag, format!("\"{}\"", age["vk_sha256"].as_str().unwrap()));
    assert!(r.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    let bytes = r.bytes().await.unwrap();
    assert_eq!(
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)),
        age["vk_sha256"].as_str().unwrap()
    );
    let vk: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(vk["nPublic"], 5);
    let again = app
        .client
        .get(app.url("/zkp/artifacts/age_proof/verification_key.json"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_error(app.get("/zkp/artifacts/nope/verification_key.json").await, 404, "NOT_FOUND").await;
}

#[tokio::test]
async fn an_admin_registers_an_external_snarkjs_key_and_its_proofs_verify() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login("someone").await["access_token"].as_str().unwrap().to_string();
    let vk: Value = serde_json::from_str(MULTIPLIER_VK).unwrap();
    let body = json!({"name": "multiplier", "verification_key": vk});
    let r = app.client.post(app.url("/zkp/circuits")).bearer_auth(&user).json(&body).send().await.unwrap();
    assert_error(r, 403, "FORBIDDEN").await;

    let admin = honestly_core::auth::Username::parse("root-admin").unwrap();
    let password = honestly_core::auth::Password::parse(PASSWORD, &admin).unwrap();
    app.state.auth.create_user(&admin, &password, honestly_core::auth::Role::Admin).await.unwrap();
    let login: Value = app
        .post_json("/auth/login", &json!({"username": "root-admin", "password": PASSWORD}))
        .await
        .json()
        .await
        .unwrap();
    let admin_token = login["access_token"].as_str().unwrap();
    let r =
        app.client.post(app.url("/zkp/circuits")).bearer_auth(admin_token).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let circuit: Value = r.json().await.unwrap();
    assert_eq!(circuit["external"], true);
    assert!(app.data_dir().join("zk/external/multiplier.json").exists());

    let proof: Value = serde_json::from_str(MULTIPLIER_PROOF).unwrap();
    let public: Value = serde_json::from_str(MULTIPLIER_PUBLIC).unwrap();
    let ok = json!({"proof_type": "multiplier", "proof": proof, "public_signals": public});
    assert_eq!(verify(&app, ok.clone()).await, json!({"verified": true, "checked": [], "unchecked": []}));
    let mut tampered = ok.clone();
    tampered["public_signals"][0] = json!("34");
    assert_eq!(verify(&app, tampered).await["reason"], "invalid_proof");
    // An external circuit takes no expectations: any is a 400 naming it (not ignored, and not
    // a failed verification either).
    let mut expecting = ok;
    expecting["expected"] = json!({"document_sha256": "00".repeat(32)});
    let refused =
        assert_error(app.post_json("/zkp/verify", &expecting).await, 400, "VALIDATION_FAILED").await;
    assert!(refused["error"]["fields"]["expected.document_sha256"].is_string(), "{refused}");

    let r =
        app.client.post(app.url("/zkp/circuits")).bearer_auth(admin_token).json(&body).send().await.unwrap();
    assert_error(r, 409, "CONFLICT").await;
    let bad = json!({"name": "broken", "verification_key": {"protocol": "groth16"}});
    let r =
        app.client.post(app.url("/zkp/circuits")).bearer_auth(admin_token).json(&bad).send().await.unwrap();
    assert_error(r, 400, "VALIDATION_FAILED").await;
    let r =
        app.client.delete(app.url("/zkp/circuits/multiplier")).bearer_auth(admin_token).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let r =
        app.client.delete(app.url("/zkp/circuits/age_proof")).bearer_auth(admin_token).send().await.unwrap();
    assert_error(r, 404, "NOT_FOUND").await;
}
