//! Proof requests over HTTP: a verifier asks (a link and QR code for the holder), the holder
//! reads what is asked and answers with a credential (the server proves and checks) or
//! declines; exactly one answer completes a request, a holder answers a verifier's scope once,
//! expired requests take no answer, and the verifier follows the status as Server-Sent Events.

use futures::StreamExt;
use honestly_core::auth::{Password, Role, Username};
use serde_json::{json, Value};

use crate::accounts::admin_token;
use crate::agent_support::{ai_app, assert_refused, Agent};
use crate::helpers::{assert_error, TestApp, PASSWORD};
use crate::issuance::{ask, document, issuer_with_member};
use crate::request_webhooks::deliveries;
use crate::webhook_support::{eventually, verify_all, Answer, Receiver};

/// A server that gives proving requests time on a loaded machine (the holder's answer proves
/// on the server).
pub(crate) async fn proving_app() -> TestApp {
    TestApp::spawn_env(&[("REQUEST_TIMEOUT", "600")]).await
}

async fn login(app: &TestApp, name: &str) -> String {
    let r = app.post_json("/auth/login", &json!({"username": name, "password": PASSWORD})).await;
    assert_eq!(r.status(), 200, "login {name}");
    r.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string()
}

/// A verifier account (made as `honestly user create --role verifier` does): its token.
pub(crate) async fn verifier_token(app: &TestApp, name: &str) -> String {
    let username = Username::parse(name).unwrap();
    let password = Password::parse(PASSWORD, &username).unwrap();
    app.state.auth.create_user(&username, &password, Role::Verifier).await.unwrap();
    login(app, name).await
}

pub(crate) async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> reqwest::Response {
    app.client.post(app.url(path)).bearer_auth(token).json(&body).send().await.unwrap()
}

/// An issuer, and a holder with an approved credential of it: (issuer id, holder token,
/// credential id).
pub(crate) async fn holder_with_credential(app: &TestApp, tag: &str) -> (String, String, String) {
    let admin = admin_token(app, &format!("admin-{tag}")).await;
    let (issuer_id, member) =
        issuer_with_member(app, &admin, &format!("Registry {tag}"), &format!("registrar-{tag}")).await;
    let holder =
        app.register_and_login(&format!("holder-{tag}")).await["access_token"].as_str().unwrap().to_string();
    let doc = document(app, &holder, format!("passport of {tag}").as_bytes()).await;
    let request = ask(app, &holder, &doc, &issuer_id).await;
    let r = post(app, &format!("/issuer/requests/{request}/approve"), &member, json!({})).await;
    assert_eq!(r.status(), 200);
    let credential =
        r.json::<Value>().await.unwrap()["request"]["credential_id"].as_str().unwrap().to_string();
    (issuer_id, holder, credential)
}

/// Creates a request: (its id, the holder's token from `request_uri`, the whole answer).
pub(crate) async fn create(app: &TestApp, verifier: &str, body: Value) -> (String, String, Value) {
    let r = post(app, "/verifier/requests", verifier, body).await;
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    let request = &created["request"];
    let uri = request["request_uri"].as_str().unwrap();
    let token = uri.rsplit('/').next().unwrap().to_string();
    (request["id"].as_str().unwrap().to_string(), token, created)
}

pub(crate) async fn respond(app: &TestApp, token: &str, holder: &str, body: Value) -> reqwest::Response {
    post(app, &format!("/requests/{token}/respond"), holder, body).await
}

/// Starts following request `id`'s status stream as `verifier`: the task ends with the
/// stream's events (see [`read_events`]).
pub(crate) async fn follow_events(
    app: &TestApp,
    verifier: &str,
    id: &str,
) -> tokio::task::JoinHandle<Vec<Value>> {
    let response = app
        .client
        .get(app.url(&format!("/verifier/requests/{id}/events")))
        .bearer_auth(verifier)
        .send()
        .await
        .unwrap();
    tokio::spawn(read_events(response))
}

/// The `data:` lines of a Server-Sent Events stream until it ends (bounded, so a stream that
/// never ends fails the test instead of hanging it).
async fn read_events(response: reqwest::Response) -> Vec<Value> {
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let mut text = String::new();
    let mut body = response.bytes_stream();
    let read = async {
        while let Some(chunk) = body.next().await {
            text.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(600), read).await.expect("the stream ends");
    text.lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .map(|d| serde_json::from_str(d.trim()).unwrap())
        .collect()
}

#[tokio::test]
async fn a_verifier_asks_and_a_holder_answers_once() {
    let app = proving_app().await;
    let (issuer_id, holder, credential) = holder_with_credential(&app, "a").await;
    let verifier = verifier_token(&app, "bar-owner").await;
    let ask_body = json!({
        "purpose": "Entry to the Blue Bar",
        "query": {"min_age": 18, "not_expired": true, "disclose": ["nationality"]},
        "trusted_issuers": [issuer_id],
        "callback_url": "https://bar.example/hook",
        "redirect_url": "https://bar.example/welcome"
    });
    let (id, token, created) = create(&app, &verifier, ask_body.clone()).await;
    let request = &created["request"];
    assert_eq!(request["status"], "pending");
    assert!(id.starts_with("req_"));
    assert_eq!(token.len(), 43);
    assert!(request["qr_png_url"].as_str().unwrap().ends_with(&format!("/requests/{token}/qr.png")));
    assert!(request["qr_svg_url"].as_str().unwrap().ends_with(&format!("/requests/{token}/qr.svg")));
    assert!(request["nonce"].as_str().is_some_and(|n| !n.is_empty()));

    // The verifier follows the status while the holder answers.
    let events = follow_events(&app, &verifier, &id).await;

    // The holder reads who asks what, as JSON, as a page and as a QR code.
    let r = app.get(&format!("/requests/{token}")).await;
    assert_eq!(r.status(), 200);
    let description: Value = r.json().await.unwrap();
    assert_eq!(description["verifier"]["name"], "bar-owner");
    assert_eq!(description["purpose"], "Entry to the Blue Bar");
    assert_eq!(description["asks"][0], "You are at least 18 years old");
    assert_eq!(description["trusted_issuers"][0]["name"], "Registry a");
    let page = app.client.get(app.url(&format!("/r/{token}"))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-security-policy"].to_str().unwrap().starts_with("default-src 'none'"));
    let html = page.text().await.unwrap();
    assert!(html.contains("bar-owner asks you to prove something") && html.contains("Entry to the Blue Bar"));
    assert!(!html.contains("<script"));
    let qr = app.get(&format!("/requests/{token}/qr.png")).await;
    assert_eq!((qr.status().as_u16(), qr.headers()["content-type"].to_str().unwrap()), (200, "image/png"));
    assert_error(app.get("/requests/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").await, 404, "NOT_FOUND")
        .await;

    // Answering needs a login; then the server proves and checks.
    let r = app.post_json(&format!("/requests/{token}/respond"), &json!({"credential_id": credential})).await;
    assert_error(r, 401, "UNAUTHORIZED").await;
    let r = respond(&app, &token, &holder, json!({"credential_id": credential})).await;
    let status = r.status();
    let answered: Value = r.json().await.unwrap();
    assert_eq!(status, 200, "{answered}");
    assert_eq!(answered["request"]["status"], "completed");
    assert_eq!(answered["request"]["redirect_url"], "https://bar.example/welcome");

    let r = app.get_bearer(&format!("/verifier/requests/{id}"), &verifier).await;
    assert_eq!(r.status(), 200);
    let done: Value = r.json::<Value>().await.unwrap()["request"].clone();
    assert_eq!(done["status"], "completed");
    let result = &done["result"];
    assert_eq!(result["verified"], true, "{result}");
    assert_eq!(result["checks"]["min_age"], true);
    assert_eq!(result["checks"]["not_expired"], true);
    assert_eq!(result["checks"]["nonce"], true);
    assert_eq!(result["disclosed"]["nationality"], "DEU");
    assert_eq!(result["issuer"]["id"], issuer_id.as_str());
    assert_eq!(result["issuer"]["name"], "Registry a");
    assert_eq!(result["proof_type"], "credential_query");
    assert!(result["nullifier"].as_str().is_some_and(|n| !n.is_empty()));
    assert!(result["public_signals"].as_array().is_some_and(|s| !s.is_empty()));
    assert!(done.get("request_uri").is_none(), "the token is shown only at creation");

    let events = events.await.unwrap();
    let statuses: Vec<&str> = events.iter().map(|e| e["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["pending", "completed"], "{events:?}");
    assert_eq!(events[1]["result"]["verified"], true);

    // Exactly one answer: a second one, or a decline, is refused and changes nothing.
    assert_error(respond(&app, &token, &holder, json!({"credential_id": credential})).await, 409, "CONFLICT")
        .await;
    assert_error(respond(&app, &token, &holder, json!({"decline": true})).await, 409, "CONFLICT").await;
    assert_error(app.get(&format!("/requests/{token}")).await, 410, "GONE").await;
    let again: Value =
        app.get_bearer(&format!("/verifier/requests/{id}"), &verifier).await.json().await.unwrap();
    assert_eq!(again["request"], done);

    // The same purpose again (the same default scope): this holder already answered.
    let (second, second_token, _) = create(&app, &verifier, ask_body.clone()).await;
    let r = respond(&app, &second_token, &holder, json!({"credential_id": credential})).await;
    assert_error(r, 409, "ALREADY_ANSWERED").await;
    let pending: Value =
        app.get_bearer(&format!("/verifier/requests/{second}"), &verifier).await.json().await.unwrap();
    assert_eq!(pending["request"]["status"], "pending");
    let r = respond(&app, &second_token, &holder, json!({"decline": true})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["request"]["status"], "declined");

    // An expired request takes no answer and keeps none.
    let (third, third_token, _) = create(
        &app,
        &verifier,
        json!({"purpose": "Late", "query": {}, "trusted_issuers": [issuer_id], "ttl_seconds": 60}),
    )
    .await;
    let db = rusqlite::Connection::open(app.data_dir().join("honestly.db")).unwrap();
    db.execute("UPDATE proof_requests SET expires_at = expires_at - 3600 WHERE id = ?1", [&third]).unwrap();
    let r = respond(&app, &third_token, &holder, json!({"credential_id": credential})).await;
    assert_error(r, 410, "EXPIRED").await;
    let expired: Value =
        app.get_bearer(&format!("/verifier/requests/{third}"), &verifier).await.json().await.unwrap();
    assert_eq!(expired["request"]["status"], "expired");
    assert!(expired["request"]["result"].is_null());
    assert_error(app.get(&format!("/requests/{third_token}")).await, 410, "EXPIRED").await;

    // The verifier lists its requests, newest first, a page at a time.
    let list: Value = app.get_bearer("/verifier/requests?limit=2", &verifier).await.json().await.unwrap();
    let ids: Vec<&str> =
        list["requests"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [third.as_str(), second.as_str()]);
    let before = list["next_before"].as_i64().unwrap();
    let rest: Value = app
        .get_bearer(&format!("/verifier/requests?limit=2&before={before}"), &verifier)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rest["requests"][0]["id"], id.as_str());
    assert!(rest["next_before"].is_null());

    // Both timelines tell the story: the verifier's asks and their ends, the holder's answers.
    let timeline = |token: String| {
        let app = &app;
        async move {
            let t: Value = app.get_bearer("/vault/timeline", &token).await.json().await.unwrap();
            t["events"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e.get("request_id").is_some())
                .map(|e| {
                    (e["type"].as_str().unwrap().to_string(), e["request_id"].as_str().unwrap().to_string())
                })
                .collect::<Vec<_>>()
        }
    };
    let pair = |kind: &str, id: &str| (kind.to_string(), id.to_string());
    assert_eq!(
        timeline(verifier.clone()).await,
        [
            pair("proof_request_expired", &third),
            pair("proof_request_created", &third),
            pair("proof_request_declined", &second),
            pair("proof_request_created", &second),
            pair("proof_request_completed", &id),
            pair("proof_request_created", &id),
        ]
    );
    assert_eq!(
        timeline(holder.clone()).await,
        [pair("proof_request_answered", &second), pair("proof_request_answered", &id)]
    );
}

#[tokio::test]
async fn twenty_concurrent_answers_complete_a_request_once() {
    // Twenty proofs at once on a small machine queue for the CPU pool: a wait long enough
    // that none is answered 503, so every answer but one meets a completed request.
    let app = TestApp::spawn_env(&[("REQUEST_TIMEOUT", "600"), ("CPU_QUEUE_WAIT", "600")]).await;
    let verifier = verifier_token(&app, "door-keeper").await;
    let holder = app.register_and_login("door-guest").await["access_token"].as_str().unwrap().to_string();
    let doc = document(&app, &holder, b"the guest's passport").await;
    let receiver = Receiver::start(|_| Answer::Status(200)).await;
    let body = json!({"purpose": "Door", "proof_type": "age_proof_v2", "query": {"min_age": 18},
                      "callback_url": receiver.url()});
    let (id, token, created) = create(&app, &verifier, body).await;
    let secret = created["webhook_secret"].as_str().expect("the first callback's secret").to_string();

    // Twenty real answers (each proves on the server), all at once.
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(20));
    let mut answers = Vec::new();
    for _ in 0..20 {
        let request = app
            .client
            .post(app.url(&format!("/requests/{token}/respond")))
            .bearer_auth(&holder)
            .json(&json!({"document_id": doc, "birth_date": "1960-02-29"}));
        let start = std::sync::Arc::clone(&start);
        answers.push(tokio::spawn(async move {
            start.wait().await;
            let r = request.send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }));
    }
    let mut answered = Vec::new();
    for answer in answers {
        answered.push(answer.await.unwrap());
    }
    let won: Vec<&Value> = answered.iter().filter(|(s, _)| *s == 200).map(|(_, b)| b).collect();
    assert_eq!(won.len(), 1, "{answered:?}");
    assert_eq!(won[0]["request"]["status"], "completed", "{}", won[0]);
    let refused: Vec<&(u16, Value)> = answered.iter().filter(|(s, _)| *s != 200).collect();
    assert_eq!(refused.len(), 19);
    for (status, body) in refused {
        assert_eq!((*status, body["error"]["code"].as_str()), (409, Some("CONFLICT")), "{body}");
    }
    let r: Value = app.get_bearer(&format!("/verifier/requests/{id}"), &verifier).await.json().await.unwrap();
    assert_eq!(r["request"]["status"], "completed", "{r}");
    assert_eq!(r["request"]["result"]["verified"], true, "{r}");

    // One end, one event, delivered once: the log of the request holds a single event.
    eventually("the delivery log says delivered", || async {
        deliveries(&app, &verifier, &id).await["deliveries"][0]["status"] == "delivered"
    })
    .await;
    let log = deliveries(&app, &verifier, &id).await;
    let events = log["deliveries"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{log}");
    assert_eq!(events[0]["type"], "proof_request.completed");
    assert_eq!(events[0]["attempts"].as_array().unwrap().len(), 1, "{log}");
    let received = receiver.received();
    assert_eq!(received.len(), 1, "one delivery");
    assert_eq!(received[0].id, events[0]["id"].as_str().unwrap());
    verify_all(&received, &[&secret]);
    let event: Value = serde_json::from_slice(&received[0].body).unwrap();
    assert_eq!(event["type"], "proof_request.completed");
    assert_eq!(event["data"]["id"], id.as_str());
    assert_eq!(event["data"]["result"]["verified"], true);
}

#[tokio::test]
async fn a_self_declared_age_request_is_answered_with_a_birth_date_and_labelled_as_such() {
    let app = proving_app().await;
    let (issuer_id, credential_holder, credential) = holder_with_credential(&app, "s").await;
    let verifier = verifier_token(&app, "kiosk").await;
    let holder = app.register_and_login("declarer").await["access_token"].as_str().unwrap().to_string();
    let doc = document(&app, &holder, b"my own passport scan").await;
    let body =
        json!({"purpose": "Buy a lottery ticket", "proof_type": "age_proof_v2", "query": {"min_age": 18}});
    let (id, token, created) = create(&app, &verifier, body.clone()).await;
    assert_eq!(created["request"]["proof_type"], "age_proof_v2");
    assert_eq!(created["request"]["unique_per_holder"], false);

    // The holder reads that nobody vouches for it.
    let description: Value = app.get(&format!("/requests/{token}")).await.json().await.unwrap();
    assert_eq!(description["proof_type"], "age_proof_v2");
    assert_eq!(
        description["asks"][0],
        "You declare that you are at least 18 years old (self-declared, not attested)"
    );
    let html = app.client.get(app.url(&format!("/r/{token}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("self-declared statement"), "{html}");

    // Answers of the wrong kind, a false statement and another's document change nothing.
    let r = respond(&app, &token, &credential_holder, json!({"credential_id": credential})).await;
    assert_error(r, 400, "VALIDATION_FAILED").await;
    let r = respond(&app, &token, &holder, json!({"document_id": doc, "birth_date": "2015-01-01"})).await;
    assert_eq!(r.status(), 422, "{}", r.text().await.unwrap());
    let r =
        respond(&app, &token, &credential_holder, json!({"document_id": doc, "birth_date": "1990-01-01"}))
            .await;
    assert_error(r, 404, "NOT_FOUND").await;
    let r = respond(&app, &token, &holder, json!({"document_id": doc})).await;
    assert_error(r, 400, "VALIDATION_FAILED").await;
    let pending: Value =
        app.get_bearer(&format!("/verifier/requests/{id}"), &verifier).await.json().await.unwrap();
    assert_eq!(pending["request"]["status"], "pending");

    let r = respond(&app, &token, &holder, json!({"document_id": doc, "birth_date": "1960-02-29"})).await;
    let status = r.status();
    let answered: Value = r.json().await.unwrap();
    assert_eq!(status, 200, "{answered}");
    assert_eq!(answered["request"]["status"], "completed");
    let done: Value =
        app.get_bearer(&format!("/verifier/requests/{id}"), &verifier).await.json().await.unwrap();
    let result = &done["request"]["result"];
    assert_eq!(result["verified"], true, "{result}");
    assert_eq!(result["self_declared"], true);
    assert!(result["issuer"].is_null());
    assert_eq!(result["proof_type"], "age_proof_v2");
    assert_eq!(result["checks"], json!({"min_age": true}));
    // The proof verifies on its own, as a self-declared age.
    let verify = json!({"proof_type": "age_proof_v2", "proof": result["proof"], "public_signals": result["public_signals"],
                        "expected": {"min_age": 18}});
    let checked: Value = app.post_json("/zkp/verify", &verify).await.json().await.unwrap();
    assert_eq!(checked["verified"], true, "{checked}");

    // A credential request still takes no birth date, and a self-declared one asks only an age.
    let (_, cred_token, _) = create(
        &app,
        &verifier,
        json!({"purpose": "Bar", "query": {"min_age": 18}, "trusted_issuers": [issuer_id]}),
    )
    .await;
    let r =
        respond(&app, &cred_token, &holder, json!({"document_id": doc, "birth_date": "1960-02-29"})).await;
    assert_error(r, 400, "VALIDATION_FAILED").await;
    for bad in [
        json!({"purpose": "x", "proof_type": "age_proof_v2", "query": {"min_age": 18, "not_expired": true}}),
        json!({"purpose": "x", "proof_type": "age_proof_v2", "query": {"min_age": 18}, "trusted_issuers": [issuer_id]}),
        json!({"purpose": "x", "proof_type": "age_proof_v2", "query": {"min_age": 18}, "unique_per_holder": true}),
        json!({"purpose": "x", "proof_type": "age_proof_v2", "query": {}}),
        json!({"purpose": "x", "proof_type": "nonsense", "query": {"min_age": 18}}),
    ] {
        assert_error(post(&app, "/verifier/requests", &verifier, bad).await, 400, "VALIDATION_FAILED").await;
    }
}

#[tokio::test]
async fn only_verifiers_ask_only_their_own_requests_show_and_bad_input_is_refused() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app, "root-admin").await;
    let (issuer_id, _) = issuer_with_member(&app, &admin, "Registry r", "registrar-r").await;
    let verifier = verifier_token(&app, "shop-owner").await;
    let other = verifier_token(&app, "other-shop").await;
    let user = app.register_and_login("plain-user").await["access_token"].as_str().unwrap().to_string();
    let good = json!({"purpose": "Buying wine", "query": {"min_age": 18}, "trusted_issuers": [issuer_id]});

    assert_error(post(&app, "/verifier/requests", &user, good.clone()).await, 403, "FORBIDDEN").await;
    assert_error(app.get_bearer("/verifier/requests", &user).await, 403, "FORBIDDEN").await;
    assert_error(app.post_json("/verifier/requests", &good).await, 401, "UNAUTHORIZED").await;
    // Administrators may ask too.
    assert_eq!(post(&app, "/verifier/requests", &admin, good.clone()).await.status(), 201);

    let (id, _, _) = create(&app, &verifier, good.clone()).await;
    assert_error(app.get_bearer(&format!("/verifier/requests/{id}"), &other).await, 404, "NOT_FOUND").await;
    assert_error(app.get_bearer(&format!("/verifier/requests/{id}/events"), &other).await, 404, "NOT_FOUND")
        .await;
    assert_error(app.get_bearer("/verifier/requests/req_nope", &verifier).await, 404, "NOT_FOUND").await;
    let theirs: Value = app.get_bearer("/verifier/requests", &other).await.json().await.unwrap();
    assert_eq!(theirs["requests"], json!([]));

    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body
    };
    for (body, field) in [
        (with("ttl_seconds", json!(59)), "ttl_seconds"),
        (with("ttl_seconds", json!(86_401)), "ttl_seconds"),
        (with("purpose", json!("")), "purpose"),
        (with("purpose", json!("x".repeat(301))), "purpose"),
        (with("callback_url", json!("ftp://shop.example/hook")), "callback_url"),
        (with("callback_url", json!("https://user:pw@shop.example/hook")), "callback_url"),
        (with("redirect_url", json!("javascript:alert(1)")), "redirect_url"),
        (with("trusted_issuers", json!([])), "trusted_issuers"),
        (with("trusted_issuers", json!(["not-an-issuer"])), "trusted_issuers[0]"),
        (with("query", json!({"min_age": 0})), "query.min_age"),
        (with("query", json!({"nationality_in": ["DEU", "XXX"]})), "query.nationality_in[1]"),
    ] {
        let refused =
            assert_error(post(&app, "/verifier/requests", &verifier, body).await, 400, "VALIDATION_FAILED")
                .await;
        assert!(refused["error"]["fields"][field].is_string(), "{field}: {refused}");
    }
    assert_error(
        post(&app, "/verifier/requests", &verifier, with("extra", json!(1))).await,
        400,
        "VALIDATION_FAILED",
    )
    .await;
    let unknown = with("trusted_issuers", json!([format!("iss_{}", "0".repeat(32))]));
    let refused =
        assert_error(post(&app, "/verifier/requests", &verifier, unknown).await, 422, "UNKNOWN_ISSUER").await;
    assert!(refused["error"]["fields"]["trusted_issuers[0]"].is_string());
    let r = app
        .client
        .post(app.url("/verifier/requests"))
        .bearer_auth(&verifier)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    // Nothing was made by the refusals.
    let mine: Value = app.get_bearer("/verifier/requests", &verifier).await.json().await.unwrap();
    assert_eq!(mine["requests"].as_array().unwrap().len(), 1);

    // The holder's answer must be one of the two forms.
    let (_, token, _) = create(&app, &verifier, good.clone()).await;
    for body in [json!({}), json!({"decline": false}), json!({"decline": true, "credential_id": "crd_x"})] {
        assert_error(respond(&app, &token, &user, body).await, 400, "VALIDATION_FAILED").await;
    }
    let missing = json!({"credential_id": format!("crd_{}", "0".repeat(32))});
    assert_error(respond(&app, &token, &user, missing).await, 404, "NOT_FOUND").await;

    // Any logged-in holder may decline; creation and the end are in the audit trail.
    let r = respond(&app, &token, &user, json!({"decline": true})).await;
    assert_eq!(r.status(), 200);
    let declined = r.json::<Value>().await.unwrap()["request"]["id"].as_str().unwrap().to_string();
    app.state.audit.flush().await.expect("audit writer running");
    let events = app.state.store.audit_events_after(0, 10_000).await.unwrap();
    let about: Vec<(&str, &str)> = events
        .iter()
        .filter(|e| e.target.as_deref() == Some(declined.as_str()))
        .map(|e| (e.action.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(about.len(), 2, "{about:?}");
    assert_eq!(about[0].0, "proof_request.create");
    assert_eq!(about[1].0, "proof_request.declined");
    assert!(about[1].1.contains(user_id(&app, &user).await.as_str()), "{about:?}");
}

/// The id of the account with `token`.
async fn user_id(app: &TestApp, token: &str) -> String {
    let me: Value = app.get_bearer("/auth/me", token).await.json().await.unwrap();
    me["user"]["id"].as_str().unwrap().to_string()
}

/// A delegated agent of the account with `token`.
async fn delegated_agent(app: &TestApp, token: &str) -> Agent {
    let r = app.client.post(app.url("/ai/agents")).bearer_auth(token).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let agent: Value = r.json().await.unwrap();
    Agent {
        id: agent["data"]["agent_id"].as_str().unwrap().into(),
        secret: agent["data"]["secret"].as_str().unwrap().into(),
    }
}

#[tokio::test]
async fn a_verifiers_agent_creates_requests_for_its_verifier() {
    let app = ai_app(&[]).await;
    let admin = admin_token(&app, "root-admin").await;
    let (issuer_id, _) = issuer_with_member(&app, &admin, "Registry g", "registrar-g").await;
    let verifier = verifier_token(&app, "ticket-office").await;
    let agent = delegated_agent(&app, &verifier).await;
    let parameters =
        json!({"purpose": "Concert entry", "query": {"min_age": 16}, "trusted_issuers": [issuer_id]});

    let (status, body) =
        agent.call(&app, "/ai/create-proof-request", "create_proof_request", parameters.clone()).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["success"], true);
    let request = &body["data"]["request"];
    assert_eq!(request["status"], "pending");
    assert!(request["request_uri"].as_str().unwrap().contains("/r/"));
    // The request is the verifier's.
    let id = request["id"].as_str().unwrap();
    assert_eq!(app.get_bearer(&format!("/verifier/requests/{id}"), &verifier).await.status(), 200);

    // Bad parameters are refused in the envelope; agents of plain users and service agents
    // cannot ask.
    let mut bad = parameters.clone();
    bad["ttl_seconds"] = json!(10);
    let (status, body) = agent.call(&app, "/ai/create-proof-request", "create_proof_request", bad).await;
    assert_refused(status, &body, 400, "VALIDATION_FAILED");
    let user = app.register_and_login("plain-user-g").await["access_token"].as_str().unwrap().to_string();
    let users_agent = delegated_agent(&app, &user).await;
    let (status, body) =
        users_agent.call(&app, "/ai/create-proof-request", "create_proof_request", parameters.clone()).await;
    assert_refused(status, &body, 403, "FORBIDDEN");
    let (status, body) = Agent::service("svc-bot")
        .call(&app, "/ai/create-proof-request", "create_proof_request", parameters)
        .await;
    assert_refused(status, &body, 403, "FORBIDDEN");
}

/// The dark modules an SVG QR code of the server draws, as a square matrix without the quiet
/// zone: each `M{x} {y}h{w}v{h}H{x}V{y}` of its one path is a dark rectangle.
fn svg_modules(svg: &str, modules: usize) -> Vec<bool> {
    assert!(svg.starts_with("<?xml "), "{svg}");
    assert!(svg.contains(r#"<svg xmlns="http://www.w3.org/2000/svg""#), "{svg}");
    assert!(svg.ends_with(r#""/></svg>"#), "{svg}");
    let attr = |name: &str| -> usize {
        let at = svg.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        svg[at..at + svg[at..].find('"').unwrap()].parse().unwrap()
    };
    let (width, height) = (attr("width"), attr("height"));
    assert_eq!(width, height, "square");
    let side = modules + 8; // a quiet zone of 4 modules on each side
    assert_eq!(width % side, 0, "whole pixels per module");
    let unit = width / side;
    let path = &svg[svg.find(" d=\"").unwrap() + 4..svg.len() - r#""/></svg>"#.len()];
    let mut dark = vec![false; modules * modules];
    for rect in path.split('M').filter(|r| !r.is_empty()) {
        let numbers: Vec<usize> = rect
            .split(|c: char| !c.is_ascii_digit())
            .filter(|n| !n.is_empty())
            .map(|n| n.parse().unwrap())
            .collect();
        let [x, y, w, h, x2, y2] = numbers[..] else { panic!("not a rectangle: {rect}") };
        assert_eq!((x, y), (x2, y2), "{rect}");
        assert!(x % unit == 0 && y % unit == 0 && w % unit == 0 && h % unit == 0, "{rect}");
        for row in y / unit..(y + h) / unit {
            for column in x / unit..(x + w) / unit {
                assert!((4..4 + modules).contains(&row) && (4..4 + modules).contains(&column), "{rect}");
                dark[(row - 4) * modules + column - 4] = true;
            }
        }
    }
    dark
}

#[tokio::test]
async fn the_qr_code_as_svg_encodes_the_request_uri() {
    let app = TestApp::spawn().await;
    let verifier = verifier_token(&app, "qr-shop").await;
    let body = json!({"purpose": "Scan me", "proof_type": "age_proof_v2", "query": {"min_age": 18}});
    let (_, token, created) = create(&app, &verifier, body.clone()).await;
    let uri = created["request"]["request_uri"].as_str().unwrap().to_string();
    let (_, other_token, _) = create(&app, &verifier, body).await;

    let r = app.get(&format!("/requests/{token}/qr.svg")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    let svg = r.text().await.unwrap();
    // No QR decoder among the dependencies: the drawing is compared module by module with the
    // QR code of the request URI (and differs from another request's).
    let expected = qrcode::QrCode::new(uri.as_bytes()).unwrap();
    let want: Vec<bool> = expected.to_colors().iter().map(|c| *c == qrcode::Color::Dark).collect();
    assert_eq!(svg_modules(&svg, expected.width()), want);
    let other = app.get(&format!("/requests/{other_token}/qr.svg")).await.text().await.unwrap();
    assert_ne!(svg_modules(&other, expected.width()), want);
    assert_error(app.get(&format!("/requests/{}/qr.svg", "A".repeat(43))).await, 404, "NOT_FOUND").await;
}
