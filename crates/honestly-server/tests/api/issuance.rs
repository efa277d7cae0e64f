//! Issuers and credentials over HTTP: an administrator creates an issuer and names a member; a
//! holder asks the issuer to attest a document; the member reviews the document through the
//! request, approves (the credential is signed and stored for the holder) or rejects; holders
//! export and import credentials; the issuer revokes, and its published revocation state
//! changes at once.

use honestly_core::credentials::{Credential, NativeEddsa};
use serde_json::{json, Value};

use crate::accounts::admin_token;
use crate::agent_support::{ai_app, Agent};
use crate::helpers::{assert_error, TestApp, PASSWORD};

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> reqwest::Response {
    send(app, reqwest::Method::POST, path, token, Some(body)).await
}

async fn login(app: &TestApp, name: &str) -> String {
    let r = app.post_json("/auth/login", &json!({"username": name, "password": PASSWORD})).await;
    assert_eq!(r.status(), 200, "login {name}");
    r.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string()
}

/// An issuer named `name` with one member `member`: (issuer id, the member's token).
pub async fn issuer_with_member(app: &TestApp, admin: &str, name: &str, member: &str) -> (String, String) {
    let r = post(app, "/issuers", admin, json!({"name": name})).await;
    assert_eq!(r.status(), 201);
    let issuer: Value = r.json().await.unwrap();
    let issuer_id = issuer["issuer"]["id"].as_str().unwrap().to_string();
    let user = app.register_and_login(member).await;
    let user_id = user["user"]["id"].as_str().unwrap();
    let r = post(app, &format!("/issuers/{issuer_id}/members"), admin, json!({"user_id": user_id})).await;
    assert_eq!(r.status(), 204);
    // Becoming a member ended the old session.
    let old = user["access_token"].as_str().unwrap();
    assert_eq!(app.get_bearer("/auth/me", old).await.status(), 401);
    (issuer_id, login(app, member).await)
}

/// Uploads a document for `token`: its id.
pub async fn document(app: &TestApp, token: &str, content: &[u8]) -> String {
    let r = app.upload(token, "passport.pdf", content.to_vec(), "identity").await;
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["document"]["id"].as_str().unwrap().to_string()
}

/// The holder asks the issuer about the document: the request id.
pub async fn ask(app: &TestApp, token: &str, document: &str, issuer: &str) -> String {
    let claims = json!({"birth_date": "1950-03-01", "nationality": "DEU", "document_expiry": "2031-06-30"});
    let r = post(
        app,
        &format!("/vault/documents/{document}/credential-requests"),
        token,
        json!({"issuer_id": issuer, "claims": claims}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["request"]["status"], "pending");
    assert_eq!(body["request"]["claims"]["nationality"], "DEU");
    assert_eq!(body["request"]["claims"]["nationality_code"], 276);
    body["request"]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_issuer_attests_a_document_and_the_holder_keeps_the_signed_credential() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app, "root-admin").await;
    let (issuer_id, member) = issuer_with_member(&app, &admin, "Example Registry Office", "registrar").await;

    // Names are unique; only administrators create issuers; anyone lists them.
    assert_error(
        post(&app, "/issuers", &admin, json!({"name": "Example Registry Office"})).await,
        409,
        "CONFLICT",
    )
    .await;
    let holder = app.register_and_login("holder-anna").await;
    let holder_token = holder["access_token"].as_str().unwrap().to_string();
    assert_error(post(&app, "/issuers", &holder_token, json!({"name": "Mine"})).await, 403, "FORBIDDEN")
        .await;
    let listed: Value = app.get("/issuers").await.json().await.unwrap();
    assert_eq!(listed["issuers"][0]["id"], issuer_id.as_str());
    assert_eq!(listed["issuers"][0]["name"], "Example Registry Office");

    let content = b"passport of anna".to_vec();
    let doc = document(&app, &holder_token, &content).await;
    let request = ask(&app, &holder_token, &doc, &issuer_id).await;

    // The member sees the request and, through it only, the document.
    let queue: Value = app.get_bearer("/issuer/requests", &member).await.json().await.unwrap();
    assert_eq!(queue["issuer"]["id"], issuer_id.as_str());
    assert_eq!(queue["requests"].as_array().unwrap().len(), 1);
    let review: Value =
        app.get_bearer(&format!("/issuer/requests/{request}"), &member).await.json().await.unwrap();
    assert_eq!(review["request"]["claims"]["birth_date"], "1950-03-01");
    let url = review["document"]["content_url"].as_str().unwrap().to_string();
    let r = app.get_bearer(&url, &member).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().as_ref(), content.as_slice());
    // Not to the holder's other documents, and not to anyone else.
    assert_error(app.get_bearer(&format!("/vault/documents/{doc}/content"), &member).await, 404, "NOT_FOUND")
        .await;
    assert_error(app.get_bearer(&url, &holder_token).await, 403, "FORBIDDEN").await;

    // Approval signs the credential for the holder; a second approval is a conflict.
    let approve = format!("/issuer/requests/{request}/approve");
    let r = post(&app, &approve, &member, json!({"valid_until": "2030-01-01"})).await;
    assert_eq!(r.status(), 200);
    let approved: Value = r.json().await.unwrap();
    assert_eq!(approved["request"]["status"], "approved");
    let credential_id = approved["request"]["credential_id"].as_str().unwrap().to_string();
    let credential = Credential::from_json(approved["credential"].to_string().as_bytes()).unwrap();
    assert!(credential.verify_signature(&NativeEddsa));
    assert_eq!(credential.claims.valid_until.to_string(), "2030-01-01");
    assert_eq!(credential.claims.birth_date.to_string(), "1950-03-01");
    assert_eq!(credential.issuer.id(), Some(issuer_id.as_str()));
    let holder_view: Value = app.get_bearer("/vault/holder", &holder_token).await.json().await.unwrap();
    assert_eq!(
        honestly_core::credentials::field_decimal(&credential.claims.holder),
        holder_view["holder_commitment"].as_str().unwrap()
    );
    assert_error(post(&app, &approve, &member, json!({})).await, 409, "CONFLICT").await;
    // Once decided, the document is no longer readable through the request.
    assert_error(app.get_bearer(&url, &member).await, 404, "NOT_FOUND").await;

    // The holder keeps it, can read and export the JSON.
    let mine: Value = app.get_bearer("/vault/credentials", &holder_token).await.json().await.unwrap();
    assert_eq!(mine["credentials"][0]["id"], credential_id.as_str());
    assert_eq!(mine["credentials"][0]["issuer_name"], "Example Registry Office");
    assert_eq!(mine["credentials"][0]["revoked"], false);
    let one: Value = app
        .get_bearer(&format!("/vault/credentials/{credential_id}"), &holder_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["credential_json"], approved["credential"]);

    // The issuer revokes it: the holder sees it, the published state changes at once.
    let before: Value = app.get("/.well-known/honestly-issuers.json").await.json().await.unwrap();
    let r = send(
        &app,
        reqwest::Method::POST,
        &format!("/issuer/credentials/{credential_id}/revoke"),
        &member,
        None,
    )
    .await;
    assert_eq!(r.status(), 204);
    let after: Value = app.get("/.well-known/honestly-issuers.json").await.json().await.unwrap();
    assert_ne!(
        before["issuers"][0]["revocation_state"]["root"],
        after["issuers"][0]["revocation_state"]["root"]
    );
    let one: Value = app
        .get_bearer(&format!("/vault/credentials/{credential_id}"), &holder_token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["credential"]["revoked"], true);
    let issued: Value = app.get_bearer("/issuer/credentials", &member).await.json().await.unwrap();
    assert!(issued["credentials"][0]["revoked_at"].is_string());
}

#[tokio::test]
async fn bad_requests_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app, "root-admin").await;
    let (issuer_id, member) = issuer_with_member(&app, &admin, "Registry A", "registrar-a").await;
    let (_, other_member) = issuer_with_member(&app, &admin, "Registry B", "registrar-b").await;
    let holder = app.register_and_login("holder-ben").await["access_token"].as_str().unwrap().to_string();
    let stranger = app.register_and_login("stranger-eve").await["access_token"].as_str().unwrap().to_string();
    let doc = document(&app, &holder, b"licence of ben").await;
    let path = format!("/vault/documents/{doc}/credential-requests");

    let future = json!({"issuer_id": issuer_id, "claims": {"birth_date": "2999-01-01", "nationality": "DEU", "document_expiry": null}});
    let body = assert_error(post(&app, &path, &holder, future).await, 400, "VALIDATION_FAILED").await;
    assert!(body["error"]["fields"]["claims.birth_date"].is_string(), "{body}");
    let country = json!({"issuer_id": issuer_id, "claims": {"birth_date": "1990-01-01", "nationality": "XXX", "document_expiry": null}});
    assert_error(post(&app, &path, &holder, country).await, 400, "VALIDATION_FAILED").await;
    let unknown = json!({"issuer_id": "iss_00000000000000000000000000000000", "claims": {"birth_date": "1990-01-01", "nationality": 276, "document_expiry": null}});
    assert_error(post(&app, &path, &holder, unknown).await, 400, "VALIDATION_FAILED").await;
    let fine = json!({"issuer_id": issuer_id, "claims": {"birth_date": "1990-01-01", "nationality": 276, "document_expiry": null}});
    assert_error(post(&app, &path, &stranger, fine.clone()).await, 404, "NOT_FOUND").await;
    let mine: Value = app.get_bearer("/vault/credential-requests", &holder).await.json().await.unwrap();
    assert_eq!(mine["requests"].as_array().unwrap().len(), 0, "nothing was stored");

    let r = post(&app, &path, &holder, fine).await;
    assert_eq!(r.status(), 201);
    let request = r.json::<Value>().await.unwrap()["request"]["id"].as_str().unwrap().to_string();
    // Another issuer's member, a holder, and a stranger cannot see or decide it.
    assert_error(
        app.get_bearer(&format!("/issuer/requests/{request}"), &other_member).await,
        404,
        "NOT_FOUND",
    )
    .await;
    assert_error(
        post(&app, &format!("/issuer/requests/{request}/approve"), &other_member, json!({})).await,
        404,
        "NOT_FOUND",
    )
    .await;
    assert_error(app.get_bearer("/issuer/requests", &holder).await, 403, "FORBIDDEN").await;
    assert_error(
        app.get_bearer(&format!("/vault/credential-requests/{request}"), &stranger).await,
        404,
        "NOT_FOUND",
    )
    .await;

    // A rejection carries its reason; then neither approval nor withdrawal is possible.
    let r = post(
        &app,
        &format!("/issuer/requests/{request}/reject"),
        &member,
        json!({"reason": "The scan is unreadable"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let seen: Value =
        app.get_bearer(&format!("/vault/credential-requests/{request}"), &holder).await.json().await.unwrap();
    assert_eq!(seen["request"]["status"], "rejected");
    assert_eq!(seen["request"]["reason"], "The scan is unreadable");
    assert_error(
        post(&app, &format!("/issuer/requests/{request}/approve"), &member, json!({})).await,
        409,
        "CONFLICT",
    )
    .await;
    let r =
        send(&app, reqwest::Method::DELETE, &format!("/vault/credential-requests/{request}"), &holder, None)
            .await;
    assert_error(r, 409, "CONFLICT").await;

    // A request whose document is deleted cannot be approved.
    let again = ask(&app, &holder, &doc, &issuer_id).await;
    assert_eq!(
        send(&app, reqwest::Method::DELETE, &format!("/vault/documents/{doc}"), &holder, None).await.status(),
        204
    );
    assert_error(
        post(&app, &format!("/issuer/requests/{again}/approve"), &member, json!({})).await,
        409,
        "CONFLICT",
    )
    .await;
}

#[tokio::test]
async fn holders_import_credentials_only_when_signed_for_them_and_their_document() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app, "root-admin").await;
    let (issuer_id, member) = issuer_with_member(&app, &admin, "Registry C", "registrar-c").await;
    let holder = app.register_and_login("holder-cleo").await["access_token"].as_str().unwrap().to_string();
    let doc = document(&app, &holder, b"identity card of cleo").await;
    let request = ask(&app, &holder, &doc, &issuer_id).await;
    let approved: Value = post(&app, &format!("/issuer/requests/{request}/approve"), &member, json!({}))
        .await
        .json()
        .await
        .unwrap();
    let json = approved["credential"].clone();
    let id = approved["request"]["credential_id"].as_str().unwrap().to_string();

    let import = |token: String, body: Value| {
        let app = &app;
        async move {
            app.client
                .post(app.url("/vault/credentials"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    // Kept already: a conflict. Deleted, then imported again: back.
    assert_error(import(holder.clone(), json.clone()).await, 409, "CONFLICT").await;
    assert_eq!(
        send(&app, reqwest::Method::DELETE, &format!("/vault/credentials/{id}"), &holder, None)
            .await
            .status(),
        204
    );
    let r = import(holder.clone(), json.clone()).await;
    assert_eq!(r.status(), 201);
    let imported: Value = r.json().await.unwrap();
    assert_eq!(imported["credential"]["issuer_id"], issuer_id.as_str());
    assert_eq!(imported["credential_json"], json);

    // A tampered claim breaks the signature; another holder is not the credential's holder.
    let mut tampered = json.clone();
    tampered["claims"]["birthDate"] = json!("19400301");
    let body = assert_error(import(holder.clone(), tampered).await, 422, "CREDENTIAL_REFUSED").await;
    assert!(body["error"]["fields"]["signature"].is_string(), "{body}");
    let other = app.register_and_login("holder-dan").await["access_token"].as_str().unwrap().to_string();
    document(&app, &other, b"identity card of cleo").await;
    let body = assert_error(import(other, json.clone()).await, 422, "CREDENTIAL_REFUSED").await;
    assert!(body["error"]["fields"]["claims.holder"].is_string(), "{body}");
    // Not JSON of a credential at all.
    assert_error(import(holder.clone(), json!({"claims": 1})).await, 400, "VALIDATION_FAILED").await;
    let r = app
        .client
        .post(app.url("/vault/credentials"))
        .bearer_auth(&holder)
        .body(json.to_string())
        .send()
        .await
        .unwrap();
    assert_error(r, 415, "UNSUPPORTED_MEDIA_TYPE").await;
}

async fn verify(app: &TestApp, proof: &Value, expected: Value) -> Value {
    let body = json!({"proof_type": "credential_query", "proof": proof["proof"], "public_signals": proof["public_signals"], "expected": expected});
    let r = app.post_json("/zkp/verify", &body).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_credential_proof_verifies_for_a_trusting_verifier_until_the_issuer_revokes() {
    let app = ai_app(&[]).await;
    let admin = admin_token(&app, "root-admin").await;
    let (issuer_id, member) =
        issuer_with_member(&app, &admin, "Example Registry Office", "registrar-e").await;
    let (other_issuer, _) = issuer_with_member(&app, &admin, "Another Office", "registrar-f").await;
    let holder = app.register_and_login("holder-erin").await["access_token"].as_str().unwrap().to_string();
    let doc = document(&app, &holder, b"passport of erin").await;
    let request = ask(&app, &holder, &doc, &issuer_id).await;
    let approved: Value = post(&app, &format!("/issuer/requests/{request}/approve"), &member, json!({}))
        .await
        .json()
        .await
        .unwrap();
    let credential = approved["request"]["credential_id"].as_str().unwrap().to_string();
    let prove = format!("/vault/credentials/{credential}/proofs");

    // The holder proves "at least 18, document not expired" for a verifier's action.
    let query =
        json!({"query": {"min_age": 18, "not_expired": true}, "scope": "bar-entry-2026", "nonce": "n-1"});
    let r = post(&app, &prove, &holder, query.clone()).await;
    assert_eq!(r.status(), 201);
    let proof: Value = r.json::<Value>().await.unwrap()["proof"].clone();
    assert_eq!(proof["proof_type"], "credential_query");
    assert_eq!(proof["attestation"], "attested");
    assert_eq!(proof["issuer_name"], "Example Registry Office");
    assert_eq!(proof["public_inputs"]["minAge"], "18");
    assert!(proof["revocation_state"]["root"].is_string());

    // A verifier who trusts the issuer and states what it needs: verified, attested by whom.
    let expected = json!({"trusted_issuers": [issuer_id], "min_age": 18, "not_expired": true, "scope": "bar-entry-2026", "nonce": "n-1"});
    let answer = verify(&app, &proof, expected.clone()).await;
    assert_eq!(answer["verified"], true, "{answer}");
    assert_eq!(answer["attestation"], "attested");
    assert_eq!(answer["credential"]["issuer_name"], "Example Registry Office");
    assert_eq!(answer["credential"]["issuer_id"], issuer_id.as_str());

    // A signed agent gets the same verdict, with who attested it or the expectation it failed.
    let agent = Agent::service("door-agent");
    let params = |expected: Value| {
        json!({"proof_type": "credential_query", "proof": proof["proof"], "public_signals": proof["public_signals"],
               "expected": expected, "consume_nullifier": false})
    };
    let (status, answer) =
        agent.call(&app, "/ai/verify-proof", "verify_proof", params(expected.clone())).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["data"]["verified"], true, "{answer}");
    assert_eq!(answer["data"]["attestation"], "attested");
    assert_eq!(answer["data"]["credential"]["issuer_name"], "Example Registry Office");
    let mut older = expected.clone();
    older["min_age"] = json!(21);
    let (_, answer) = agent.call(&app, "/ai/verify-proof", "verify_proof", params(older)).await;
    assert_eq!(answer["data"]["verified"], false, "{answer}");
    assert_eq!(answer["data"]["failed_expectation"], "min_age", "{answer}");
    assert!(answer["data"]["credential"].is_null(), "{answer}");

    // Each expectation the proof does not meet fails with its own name.
    let mut more = expected.clone();
    more["min_age"] = json!(21);
    let answer = verify(&app, &proof, more).await;
    assert_eq!(
        (answer["verified"].clone(), answer["failed_expectation"].clone()),
        (json!(false), json!("min_age"))
    );
    let mut elsewhere = expected.clone();
    elsewhere["trusted_issuers"] = json!([other_issuer]);
    let answer = verify(&app, &proof, elsewhere).await;
    assert_eq!(answer["reason"], "untrusted_issuer", "{answer}");
    let mut replay = expected.clone();
    replay["scope"] = json!("another-action");
    let answer = verify(&app, &proof, replay).await;
    assert_eq!(answer["failed_expectation"], "scope", "{answer}");
    let mut replay = expected.clone();
    replay["nonce"] = json!("n-2");
    let answer = verify(&app, &proof, replay).await;
    assert_eq!(answer["failed_expectation"], "nonce", "{answer}");

    // A query the credential cannot satisfy is refused, naming the predicate.
    let body = assert_error(
        post(&app, &prove, &holder, json!({"query": {"min_age": 90}, "scope": "bar-entry-2026"})).await,
        422,
        "STATEMENT_FALSE",
    )
    .await;
    assert_eq!(body["error"]["fields"]["predicate"], "min_age", "{body}");

    // Shared by link, the page says in words who vouched for what.
    let link = post(
        &app,
        "/vault/share-links",
        &holder,
        json!({"document_id": doc, "proof_id": proof["id"], "access_level": "proof_only", "max_accesses": 3}),
    )
    .await;
    assert_eq!(link.status(), 201);
    let page_path =
        format!("/vault/share/{}", link.json::<Value>().await.unwrap()["link"]["token"].as_str().unwrap());
    let page = |app: &TestApp| {
        let request = app.client.get(app.url(&page_path)).header("Accept", "text/html");
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let html = page(&app).await;
    assert!(
        html.contains("Attested by Example Registry Office: at least 18 years old, document not expired."),
        "{html}"
    );
    assert!(html.contains("✓ Verified"), "{html}");
    assert!(!html.contains("Self-declared"), "{html}");

    // The issuer revokes: no new proof, and the old one fails against the current state.
    let r =
        send(&app, reqwest::Method::POST, &format!("/issuer/credentials/{credential}/revoke"), &member, None)
            .await;
    assert_eq!(r.status(), 204);
    let body = assert_error(post(&app, &prove, &holder, query).await, 422, "CREDENTIAL_REVOKED").await;
    assert_eq!(body["error"]["fields"]["reason"], "revoked", "{body}");
    let answer = verify(&app, &proof, expected.clone()).await;
    assert_eq!(answer["verified"], false);
    assert_eq!(answer["reason"], "revocation_state", "{answer}");
    assert_eq!(answer["failed_expectation"], "revocation_state", "{answer}");
    let html = page(&app).await;
    assert!(html.contains("✗ Not valid"), "the link's page follows the revocation at once: {html}");
    // Given the state it was made against, it still passes: the verifier chooses the state.
    let mut old_state = expected.clone();
    old_state["revocation_state"] = proof["revocation_state"].clone();
    let answer = verify(&app, &proof, old_state).await;
    assert_eq!(answer["verified"], true, "{answer}");
}
