//! Proof requests call their verifier back: a receiver on loopback gets each end of a request
//! with a callback URL as a Standard Webhooks delivery (every signature checked with the
//! Python `standardwebhooks` package), and the verifier reads the delivery log.

use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::proof_requests::{create, holder_with_credential, post, proving_app, respond, verifier_token};
use crate::webhook_support::{eventually, verify_all, Answer, Receiver};

async fn deliveries(app: &TestApp, verifier: &str, id: &str) -> Value {
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
