//! Proof requests call their verifier back: a receiver on loopback gets each end of a request
//! with a callback URL (completed, declined, expired) as a Standard Webhooks delivery (every
//! signature checked in Rust and with the Python `standardwebhooks` package, which is required
//! under `CI=true`), while the request's status stream shows the same end; the verifier reads
//! the delivery log; in production no callback URL may point into a private or loopback range.

use serde_json::{json, Value};

use crate::helpers::{assert_error, Options, TestApp};
use crate::proof_requests::{
    create, follow_events, holder_with_credential, post, proving_app, respond, verifier_token,
};
use crate::webhook_support::{eventually, verify_all, Answer, Receiver};

pub(crate) async fn deliveries(app: &TestApp, verifier: &str, id: &str) -> Value {
    let r = app
        .client
        .get(app.url(&format!("/verifier/requests/{id}/deliveries")))
        .bearer_auth(verifier)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// The audit actions about `target`, oldest first.
async fn audited(app: &TestApp, target: &str) -> Vec<String> {
    app.state.audit.flush().await.expect("audit writer running");
    let events = app.state.store.audit_events_after(0, 10_000).await.unwrap();
    events.iter().filter(|e| e.target.as_deref() == Some(target)).map(|e| e.action.clone()).collect()
}

/// The end-to-end story: a receiver on loopback, a request with that callback, the
/// holder's answer through the JSON twin of `/r/{token}`; the receiver gets
/// `proof_request.completed` with a valid signature and the result, and the request's status
/// stream shows pending → completed.
#[tokio::test]
async fn the_verifier_hears_back_by_signed_webhook() {
    let receiver = Receiver::start(|_| Answer::Status(200)).await;
    let app: TestApp = proving_app().await;
    let (issuer_id, holder, credential) = holder_with_credential(&app, "wh").await;
    let verifier = verifier_token(&app, "shop-owner").await;
    let ask = |purpose: &str| {
        json!({"purpose": purpose, "query": {"min_age": 18}, "trusted_issuers": [issuer_id],
               "callback_url": receiver.url()})
    };

    // The first request with a callback shows the signing secret, once.
    let (id, token, created) = create(&app, &verifier, ask("Age check at the till")).await;
    let secret = created["webhook_secret"].as_str().expect("secret shown once").to_string();
    assert!(secret.starts_with("whsec_"), "{created}");
    let (declined_id, declined_token, again) = create(&app, &verifier, ask("Age check online")).await;
    assert!(again.get("webhook_secret").is_none(), "{again}");
    assert_eq!(deliveries(&app, &verifier, &id).await["deliveries"], json!([]));

    // The verifier follows the first request's status while the holder answers.
    let stream = follow_events(&app, &verifier, &id).await;

    // The holder answers one request and declines the other: one event each.
    assert_eq!(respond(&app, &token, &holder, json!({"credential_id": credential})).await.status(), 200);
    assert_eq!(respond(&app, &declined_token, &holder, json!({"decline": true})).await.status(), 200);
    eventually("both events delivered", || async { receiver.received().len() >= 2 }).await;
    let received = receiver.received();
    assert_eq!(received.len(), 2, "one delivery per event");
    verify_all(&received, &[&secret]);
    let bodies: Vec<Value> = received.iter().map(|r| serde_json::from_slice(&r.body).unwrap()).collect();
    let completed = bodies.iter().find(|b| b["type"] == "proof_request.completed").expect("completed event");
    assert_eq!(completed["data"]["id"], id.as_str());
    assert_eq!(completed["data"]["status"], "completed");
    assert_eq!(completed["data"]["result"]["verified"], true, "{completed}");
    assert!(completed["data"]["result"]["nullifier"].is_string(), "{completed}");
    let declined = bodies.iter().find(|b| b["type"] == "proof_request.declined").expect("declined event");
    assert_eq!(declined["data"]["id"], declined_id.as_str());
    assert!(bodies.iter().all(|b| b["data"].get("token_hash").is_none()), "no token in events");
    let streamed = stream.await.unwrap();
    let statuses: Vec<&str> = streamed.iter().map(|e| e["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["pending", "completed"], "{streamed:?}");
    assert_eq!(streamed[1]["result"], completed["data"]["result"], "the stream and the webhook agree");
    assert_eq!(audited(&app, &id).await, ["proof_request.create", "proof_request.completed"]);

    // The delivery log names the webhook-id, the status and each attempt.
    eventually("the log says delivered", || async {
        deliveries(&app, &verifier, &id).await["deliveries"][0]["status"] == "delivered"
    })
    .await;
    let log = deliveries(&app, &verifier, &id).await;
    let delivery = &log["deliveries"][0];
    assert_eq!(delivery["type"], "proof_request.completed");
    let webhook_id =
        received.iter().find(|r| r.body == serde_json::to_vec(completed).unwrap()).map(|r| &r.id);
    assert!(webhook_id.is_none() || webhook_id.is_some_and(|w| delivery["id"] == w.as_str()), "{log}");
    assert!(received.iter().any(|r| delivery["id"] == r.id.as_str()), "{log}");
    assert_eq!(delivery["attempts"].as_array().unwrap().len(), 1, "{log}");
    assert_eq!(delivery["attempts"][0]["status_code"], 200, "{log}");

    // Another verifier sees none of it.
    let stranger = verifier_token(&app, "other-shop").await;
    let r = app
        .client
        .get(app.url(&format!("/verifier/requests/{id}/deliveries")))
        .bearer_auth(&stranger)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // A callback into a private range is refused at creation, whatever the environment.
    let private = json!({"purpose": "x", "query": {"min_age": 18}, "trusted_issuers": [issuer_id],
                         "callback_url": "http://10.0.0.1/hook"});
    let r = post(&app, "/verifier/requests", &verifier, private).await;
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert!(body["error"]["fields"]["callback_url"].is_string(), "{body}");
}

/// A request that nobody answers in time: the server's expiry sweep ends it and the receiver
/// gets `proof_request.expired`, signed.
#[tokio::test]
async fn an_expired_request_is_announced_by_signed_webhook() {
    let receiver = Receiver::start(|_| Answer::Status(200)).await;
    let app = TestApp::spawn().await;
    let verifier = verifier_token(&app, "late-shop").await;
    let body = json!({"purpose": "Too late", "proof_type": "age_proof_v2", "query": {"min_age": 18},
                      "ttl_seconds": 60, "callback_url": receiver.url()});
    let (id, _, created) = create(&app, &verifier, body).await;
    let secret = created["webhook_secret"].as_str().expect("secret shown once").to_string();
    // The shortest TTL is a minute: the request is made overdue in the store instead, and the
    // server's own sweep (every few seconds) finds it.
    let db = rusqlite::Connection::open(app.data_dir().join("honestly.db")).unwrap();
    db.execute("UPDATE proof_requests SET expires_at = expires_at - 3600 WHERE id = ?1", [&id]).unwrap();
    eventually("the expiry delivered", || async { !receiver.received().is_empty() }).await;
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    verify_all(&received, &[&secret]);
    let event: Value = serde_json::from_slice(&received[0].body).unwrap();
    assert_eq!(event["type"], "proof_request.expired");
    assert_eq!(event["data"]["id"], id.as_str());
    assert_eq!(event["data"]["status"], "expired");
    assert!(event["data"]["result"].is_null(), "{event}");
    let r: Value = app.get_bearer(&format!("/verifier/requests/{id}"), &verifier).await.json().await.unwrap();
    assert_eq!(r["request"]["status"], "expired");
    assert_eq!(audited(&app, &id).await, ["proof_request.create", "proof_request.expired"]);
}

/// In production a callback URL into loopback, a private range or link-local (the cloud
/// metadata address), literal or by a name resolving there, is refused at creation and no
/// request is made.
#[tokio::test]
async fn in_production_callbacks_into_internal_addresses_are_refused() {
    let app = TestApp::spawn_with(Options { production: true, ..Options::default() }).await;
    let verifier = verifier_token(&app, "prod-shop").await;
    let ask = |url: &str| {
        json!({"purpose": "Age check", "proof_type": "age_proof_v2", "query": {"min_age": 18},
               "callback_url": url})
    };
    for url in [
        "http://127.0.0.1/hook",
        "http://127.0.0.1:8080/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://localhost/hook",
    ] {
        let r = post(&app, "/verifier/requests", &verifier, ask(url)).await;
        let refused = assert_error(r, 400, "VALIDATION_FAILED").await;
        assert!(refused["error"]["fields"]["callback_url"].is_string(), "{url}: {refused}");
        let mine: Value = app.get_bearer("/verifier/requests", &verifier).await.json().await.unwrap();
        assert_eq!(mine["requests"], json!([]), "{url} made a request");
    }
    // The same request without a callback is made: the refusals were about the URL.
    let mut fine = ask("");
    fine.as_object_mut().unwrap().remove("callback_url");
    create(&app, &verifier, fine).await;
    let mine: Value = app.get_bearer("/verifier/requests", &verifier).await.json().await.unwrap();
    assert_eq!(mine["requests"].as_array().unwrap().len(), 1);
}
