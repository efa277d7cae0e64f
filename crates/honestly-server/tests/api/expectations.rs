//! One rule for expectations everywhere they are taken: an expectation the proof type cannot
//! check is a 400 naming it in `fields` (never silently ignored), and nothing is consumed.

use serde_json::{json, Value};

use crate::agent_support::{ai_app, assert_refused, proven_document, Agent};
use crate::helpers::{assert_error, TestApp};

async fn authenticity_proof(app: &TestApp, token: &str, document_id: &str) -> Value {
    let created: Value = app
        .client
        .post(app.url(&format!("/vault/documents/{document_id}/proofs")))
        .bearer_auth(token)
        .json(&json!({"proof_type": "authenticity_proof"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    created["proof"].clone()
}

#[tokio::test]
async fn zkp_verify_refuses_expectations_the_proof_type_cannot_check() {
    let app = TestApp::spawn().await;
    let p = proven_document(&app, "alice").await;
    let age = json!({"proof_type": "age_proof_v2", "proof": p.proof, "public_signals": p.public_signals});

    // registry_root on an age proof: 400 naming it, whatever the other expectations.
    let mut body = age.clone();
    body["expected"] = json!({"min_age": 18, "registry_root": "1"});
    let refused = assert_error(app.post_json("/zkp/verify", &body).await, 400, "VALIDATION_FAILED").await;
    let fields = refused["error"]["fields"].as_object().unwrap();
    assert_eq!(fields.keys().collect::<Vec<_>>(), ["expected.registry_root"], "{refused}");
    assert!(fields["expected.registry_root"].as_str().unwrap().contains("age_proof"), "{refused}");

    // min_age and max_proof_age_seconds on an authenticity proof: both named.
    let a = authenticity_proof(&app, &p.token, &p.document_id).await;
    let auth = json!({"proof_type": "authenticity_proof", "proof": a["proof"], "public_signals": a["public_signals"]});
    let mut body = auth.clone();
    body["expected"] = json!({"min_age": 18, "max_proof_age_seconds": 60, "document_sha256": p.sha256});
    let refused = assert_error(app.post_json("/zkp/verify", &body).await, 400, "VALIDATION_FAILED").await;
    let fields = refused["error"]["fields"].as_object().unwrap();
    assert_eq!(
        fields.keys().collect::<Vec<_>>(),
        ["expected.max_proof_age_seconds", "expected.min_age"],
        "{refused}"
    );

    // What each type can check still works.
    let mut body = auth;
    body["expected"] = json!({"document_sha256": p.sha256});
    let ok: Value = app.post_json("/zkp/verify", &body).await.json().await.unwrap();
    assert_eq!(ok["verified"], true, "{ok}");
    let mut body = age;
    body["expected"] = json!({"min_age": 18, "document_sha256": p.sha256, "max_proof_age_seconds": 600});
    let ok: Value = app.post_json("/zkp/verify", &body).await.json().await.unwrap();
    assert_eq!(ok["verified"], true, "{ok}");

    // An unknown proof type checks nothing and says so as before.
    body["proof_type"] = json!("nope");
    let unknown: Value = app.post_json("/zkp/verify", &body).await.json().await.unwrap();
    assert_eq!(unknown["reason"], "unknown_circuit", "{unknown}");
}

#[tokio::test]
async fn signed_agents_and_batches_refuse_them_too_and_consume_nothing() {
    let app = ai_app(&[]).await;
    let p = proven_document(&app, "bob").await;
    let agent = Agent::service("expectation-checker");
    let good = json!({"proof_type": "age_proof_v2", "proof": p.proof, "public_signals": p.public_signals,
                      "expected": {"min_age": 18}});
    let mut bad = good.clone();
    bad["expected"] = json!({"registry_root": "1"});

    let (status, body) = agent.call(&app, "/ai/verify-proof", "verify_proof", bad.clone()).await;
    assert_refused(status, &body, 400, "VALIDATION_FAILED");
    assert!(body["error"]["fields"]["expected.registry_root"].is_string(), "{body}");

    // proof_data form: the same rule.
    let proof_data = json!({"proof": p.proof, "publicSignals": p.public_signals}).to_string();
    let data_form =
        json!({"proof_type": "age_proof", "proof_data": proof_data, "expected": {"registry_root": "1"}});
    let (status, body) = agent.call(&app, "/ai/verify-proof", "verify_proof", data_form).await;
    assert_refused(status, &body, 400, "VALIDATION_FAILED");
    assert!(body["error"]["fields"]["expected.registry_root"].is_string(), "{body}");

    // A batch names the item; the whole batch is refused, so the good proof's nullifier is
    // not consumed.
    let (status, body) = agent
        .call(&app, "/ai/verify-proofs-batch", "verify_proofs_batch", json!({"proofs": [good.clone(), bad]}))
        .await;
    assert_refused(status, &body, 400, "VALIDATION_FAILED");
    let fields = body["error"]["fields"].as_object().unwrap();
    assert_eq!(fields.keys().collect::<Vec<_>>(), ["proofs[1].expected.registry_root"], "{body}");
    let (status, body) = agent.call(&app, "/ai/verify-proof", "verify_proof", good).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["verified"], true, "{body}");
}

/// Without `expected`, a valid age proof of any `minAge` verifies: the answer says so, listing
/// `min_age` (and the rest) as unchecked; stating it moves it to `checked` and fails the proof.
#[tokio::test]
async fn the_answer_says_what_was_checked_and_what_was_not() {
    let app = TestApp::spawn().await;
    let token = app.register_and_login("carol").await["access_token"].as_str().unwrap().to_string();
    let doc: Value =
        app.upload(&token, "id.pdf", b"carol's id".to_vec(), "identity").await.json().await.unwrap();
    let document_id = doc["document"]["id"].as_str().unwrap();
    // A proof of "at least 0 years old".
    let created: Value = app
        .client
        .post(app.url(&format!("/vault/documents/{document_id}/proofs")))
        .bearer_auth(&token)
        .json(&json!({"proof_type": "age_proof", "birth_date": "2020-01-01", "min_age": 0}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let p = &created["proof"];
    let mut body =
        json!({"proof_type": "age_proof_v2", "proof": p["proof"], "public_signals": p["public_signals"]});
    let answer: Value = app.post_json("/zkp/verify", &body).await.json().await.unwrap();
    assert_eq!(
        answer,
        json!({"verified": true, "checked": [], "unchecked": ["min_age", "document_sha256", "max_proof_age_seconds"],
               "attestation": "self_declared"})
    );
    body["expected"] = json!({"min_age": 18, "max_proof_age_seconds": 600});
    let answer: Value = app.post_json("/zkp/verify", &body).await.json().await.unwrap();
    assert_eq!(
        answer,
        json!({"verified": false, "reason": "expectation_failed", "checked": ["min_age", "max_proof_age_seconds"],
               "unchecked": ["document_sha256"], "attestation": "self_declared"})
    );
    // An unknown proof type checks nothing.
    body["proof_type"] = json!("nope");
    let answer: Value = app.post_json("/zkp/verify", &body).await.json().await.unwrap();
    assert_eq!(
        answer,
        json!({"verified": false, "reason": "unknown_circuit", "checked": [], "unchecked": []})
    );

    // The OpenAPI document carries both lists, always present.
    let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
    let schema = &doc["components"]["schemas"]["VerifyResponse"];
    for name in ["checked", "unchecked"] {
        assert_eq!(schema["properties"][name]["type"], "array", "{schema}");
        assert!(schema["required"].as_array().unwrap().contains(&json!(name)), "{schema}");
    }
}

/// An expectation whose value cannot mean anything (a `document_sha256` that is not a SHA-256,
/// a `registry_root` that is not a field element) is the verifier's mistake: a 400 naming it,
/// not a 200 blaming the proof as `malformed`; nothing is consumed.
#[tokio::test]
async fn expectations_that_cannot_mean_anything_are_refused_by_name() {
    let app = ai_app(&[]).await;
    let p = proven_document(&app, "dave").await;
    let a = authenticity_proof(&app, &p.token, &p.document_id).await;
    let auth = json!({"proof_type": "authenticity_proof", "proof": a["proof"], "public_signals": a["public_signals"]});
    for (expected, field) in [
        (json!({"document_sha256": "not-hex"}), "expected.document_sha256"),
        (json!({"document_sha256": "abcd"}), "expected.document_sha256"),
        (json!({"registry_root": "-1"}), "expected.registry_root"),
        (json!({"registry_root": "0x12"}), "expected.registry_root"),
    ] {
        let mut body = auth.clone();
        body["expected"] = expected.clone();
        let refused = assert_error(app.post_json("/zkp/verify", &body).await, 400, "VALIDATION_FAILED").await;
        let fields = refused["error"]["fields"].as_object().unwrap();
        assert_eq!(fields.keys().collect::<Vec<_>>(), [field], "{expected}: {refused}");
    }
    let age = json!({"proof_type": "age_proof_v2", "proof": p.proof, "public_signals": p.public_signals,
                     "expected": {"min_age": 18, "document_sha256": "zz"}});
    let agent = Agent::service("expectation-typo");
    let (status, body) = agent.call(&app, "/ai/verify-proof", "verify_proof", age.clone()).await;
    assert_refused(status, &body, 400, "VALIDATION_FAILED");
    assert!(body["error"]["fields"]["expected.document_sha256"].is_string(), "{body}");
    // Refused before verifying: the proof's nullifier is still unused.
    let mut fixed = age;
    fixed["expected"] = json!({"min_age": 18, "document_sha256": p.sha256});
    let (status, body) = agent.call(&app, "/ai/verify-proof", "verify_proof", fixed).await;
    assert_eq!((status, &body["data"]["verified"]), (200, &json!(true)), "{body}");
}
