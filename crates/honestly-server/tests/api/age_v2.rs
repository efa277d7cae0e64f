//! Age proofs with `YYYYMMDD` dates (`age_proof_v2`): birth dates before 1970 prove, `age_proof`
//! requests make `age_proof_v2` proofs, proofs of the older `age_proof` circuit keep verifying,
//! and every answer a verifier sees says the birth date is self-declared.

use honestly_core::ids::{DocumentId, UserId};
use honestly_core::zk::ProofRequest;
use serde_json::{json, Value};

use crate::agent_support::{ai_app, Agent};
use crate::helpers::{assert_error, TestApp};
use crate::share::{create_link, path_of, Owner};
use crate::share_page::get_page;

/// A user with one identity document: (login answer, document as uploaded).
async fn with_document(app: &TestApp, user: &str) -> (Value, Value) {
    let login = app.register_and_login(user).await;
    let token = login["access_token"].as_str().unwrap();
    let doc: Value = app
        .upload(token, "passport.pdf", format!("{user}'s passport").into_bytes(), "identity")
        .await
        .json()
        .await
        .unwrap();
    (login, doc["document"].clone())
}

async fn prove(app: &TestApp, token: &str, document_id: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/vault/documents/{document_id}/proofs")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn verify(app: &TestApp, body: &Value) -> Value {
    let r = app.post_json("/zkp/verify", body).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_birth_date_before_1970_proves_as_age_proof_v2_and_is_labelled_self_declared() {
    let app = ai_app(&[]).await;
    let (login, doc) = with_document(&app, "elder").await;
    let token = login["access_token"].as_str().unwrap();
    let document_id = doc["id"].as_str().unwrap();
    let created = prove(
        &app,
        token,
        document_id,
        json!({"proof_type": "age_proof", "birth_date": "1950-03-01", "min_age": 76}),
    )
    .await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let p = &created["proof"];
    assert_eq!(p["proof_type"], "age_proof_v2", "{p}");
    assert_eq!(p["public_inputs"]["minAge"], "76");
    // The reference date is today (UTC) as YYYYMMDD, and no signal carries the birth date.
    let reference: u32 = p["public_inputs"]["referenceDate"].as_str().unwrap().parse().unwrap();
    assert!((20260301..=99991231).contains(&reference), "{reference}");
    assert!(p["public_signals"].as_array().unwrap().iter().all(|v| v != "19500301"), "birth date leaked");

    let mut body = json!({"proof_type": "age_proof_v2", "proof": p["proof"], "public_signals": p["public_signals"],
                          "expected": {"min_age": 76, "document_sha256": doc["sha256"], "max_proof_age_seconds": 60}});
    assert_eq!(
        verify(&app, &body).await,
        json!({"verified": true, "checked": ["min_age", "document_sha256", "max_proof_age_seconds"], "unchecked": [],
               "attestation": "self_declared"})
    );
    // Asking for more than was proven fails; so does the proof under the old circuit's key.
    body["expected"] = json!({"min_age": 77});
    assert_eq!(verify(&app, &body).await["reason"], "expectation_failed");
    body["expected"] = json!({});
    body["proof_type"] = json!("age_proof");
    let old_key = verify(&app, &body).await;
    assert_eq!(
        (&old_key["reason"], &old_key["attestation"]),
        (&json!("invalid_proof"), &json!("self_declared"))
    );

    // The circuit can be named explicitly; a false statement is still refused.
    let explicit = prove(
        &app,
        token,
        document_id,
        json!({"proof_type": "age_proof_v2", "birth_date": "1000-01-01", "min_age": 150}),
    )
    .await;
    assert_eq!(explicit.status(), 201);
    let explicit: Value = explicit.json().await.unwrap();
    assert_eq!(explicit["proof"]["proof_type"], "age_proof_v2");
    let too_old = json!({"proof_type": "age_proof_v2", "birth_date": "1950-03-01", "min_age": 150});
    assert_error(prove(&app, token, document_id, too_old).await, 422, "STATEMENT_FALSE").await;

    // A signed agent sees the same label.
    let params = json!({"proof_type": "age_proof_v2", "proof": p["proof"], "public_signals": p["public_signals"],
                        "expected": {"min_age": 76}});
    let (status, answer) =
        Agent::service("age-checker").call(&app, "/ai/verify-proof", "verify_proof", params).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["data"]["verified"], true, "{answer}");
    assert_eq!(answer["data"]["attestation"], "self_declared", "{answer}");
    assert_eq!(answer["data"]["public_inputs"]["referenceDate"], p["public_inputs"]["referenceDate"]);

    // The OpenAPI document names the label and the new request.
    let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
    let schemas = &doc["components"]["schemas"];
    assert!(
        schemas["VerifyResponse"]["properties"]["attestation"].is_object(),
        "{}",
        schemas["VerifyResponse"]
    );
    assert!(schemas["CreateProof"].to_string().contains("age_proof_v2"), "{}", schemas["CreateProof"]);
}

#[tokio::test]
async fn an_age_proof_of_the_older_circuit_still_verifies_and_shares_with_the_label() {
    let app = TestApp::spawn().await;
    let (login, doc) = with_document(&app, "veteran").await;
    let user_id = UserId::parse(login["user"]["id"].as_str().unwrap()).unwrap();
    let document_id = DocumentId::parse(doc["id"].as_str().unwrap()).unwrap();
    // The API no longer makes `age_proof` proofs: one is made (and stored) through the core.
    let old = app
        .state
        .proofs
        .create(
            &user_id,
            &document_id,
            ProofRequest::LegacyAge { birth_date: "1990-05-17".into(), min_age: 18 },
        )
        .await
        .unwrap();
    assert_eq!(old.proof_type, "age_proof");
    assert!(old.public_inputs().contains_key("referenceTs"));

    let body = json!({"proof_type": "age_proof", "proof": old.proof, "public_signals": old.public_signals,
                      "expected": {"min_age": 18, "document_sha256": doc["sha256"], "max_proof_age_seconds": 600}});
    let answer = verify(&app, &body).await;
    assert_eq!(
        (&answer["verified"], &answer["attestation"]),
        (&json!(true), &json!("self_declared")),
        "{answer}"
    );

    // Its share link: the JSON view, the bundle and the verifier page all carry the label.
    let owner = Owner {
        token: login["access_token"].as_str().unwrap().to_string(),
        document_id: document_id.as_str().to_string(),
        proof_id: old.id.as_str().to_string(),
    };
    let link = create_link(&app, &owner, json!({"max_accesses": 5})).await;
    let view: Value = app.get(&path_of(&link)).await.json().await.unwrap();
    assert_eq!(view["proof_type"], "age_proof");
    assert_eq!(view["proof_status"], "verified");
    assert_eq!(view["attestation"], "self_declared");
    let bundle: Value = app.get(&format!("{}/bundle", path_of(&link))).await.json().await.unwrap();
    assert_eq!(bundle["proof"]["attestation"], "self_declared");
    assert_eq!(bundle["verification"]["vk_url"], "/zkp/artifacts/age_proof/verification_key.json");
    let html = get_page(&app, &path_of(&link)).await.text().await.unwrap();
    assert!(html.contains("The holder is at least 18 years old"), "{html}");
    assert!(html.contains("self-declared, not attested"), "{html}");
    assert!(html.contains("✓ Verified"), "{html}");
}

#[tokio::test]
async fn authenticity_proofs_carry_no_self_declared_label() {
    let app = TestApp::spawn().await;
    let (login, doc) = with_document(&app, "registrant").await;
    let token = login["access_token"].as_str().unwrap();
    let created: Value =
        prove(&app, token, doc["id"].as_str().unwrap(), json!({"proof_type": "authenticity_proof"}))
            .await
            .json()
            .await
            .unwrap();
    let p = &created["proof"];
    let owner = Owner {
        token: token.to_string(),
        document_id: doc["id"].as_str().unwrap().to_string(),
        proof_id: p["id"].as_str().unwrap().to_string(),
    };
    let answer = verify(
        &app,
        &json!({"proof_type": "authenticity_proof", "proof": p["proof"], "public_signals": p["public_signals"]}),
    )
    .await;
    assert_eq!(answer["verified"], true, "{answer}");
    assert!(answer.get("attestation").is_none(), "{answer}");
    let link = create_link(&app, &owner, json!({})).await;
    let view: Value = app.get(&path_of(&link)).await.json().await.unwrap();
    assert!(view.get("attestation").is_none(), "{view}");
}
