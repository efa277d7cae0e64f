//! A verifier's webhook secret over HTTP: rotation shows the new secret once and keeps the
//! previous one valid for 24 hours; reading shows only when they were made; other roles are
//! refused.

use honestly_core::auth::{Password, Role, Username};
use serde_json::Value;

use crate::helpers::{assert_error, TestApp, PASSWORD};

async fn verifier_token(app: &TestApp, name: &str) -> String {
    let username = Username::parse(name).unwrap();
    let password = Password::parse(PASSWORD, &username).unwrap();
    app.state.auth.create_user(&username, &password, Role::Verifier).await.unwrap();
    let r = app.post_json("/auth/login", &serde_json::json!({"username": name, "password": PASSWORD})).await;
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string()
}

async fn call(app: &TestApp, method: reqwest::Method, path: &str, token: &str) -> reqwest::Response {
    app.client.request(method, app.url(path)).bearer_auth(token).send().await.unwrap()
}

#[tokio::test]
async fn a_verifier_rotates_its_webhook_secret_and_sees_only_metadata() {
    let app = TestApp::spawn().await;
    let token = verifier_token(&app, "verifier-hooks").await;
    let info: Value =
        call(&app, reqwest::Method::GET, "/verifier/webhook-secret", &token).await.json().await.unwrap();
    assert_eq!(info, serde_json::json!({"created_at": null, "previous_valid_until": null}));

    let first = call(&app, reqwest::Method::POST, "/verifier/webhook-secret/rotate", &token).await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["cache-control"], "no-store", "it carries a secret");
    let first: Value = first.json().await.unwrap();
    let secret = first["webhook_secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_") && secret.len() == 50, "{secret}");
    assert_eq!(first["previous_valid_until"], Value::Null, "nothing to keep");

    let second: Value = call(&app, reqwest::Method::POST, "/verifier/webhook-secret/rotate", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(second["webhook_secret"].as_str().unwrap(), secret);
    let until = second["previous_valid_until"].as_str().expect("the previous secret stays valid").to_string();

    let r = call(&app, reqwest::Method::GET, "/verifier/webhook-secret", &token).await;
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(!text.contains("whsec_"), "never the secret: {text}");
    let info: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(info["previous_valid_until"], until.as_str());
    assert!(info["created_at"].is_string());
    app.stop().await;
}

#[tokio::test]
async fn other_roles_and_strangers_are_refused() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login("plain-user").await;
    let token = user["access_token"].as_str().unwrap();
    for (method, path) in [
        (reqwest::Method::GET, "/verifier/webhook-secret"),
        (reqwest::Method::POST, "/verifier/webhook-secret/rotate"),
    ] {
        assert_error(call(&app, method.clone(), path, token).await, 403, "FORBIDDEN").await;
        let anonymous = app.client.request(method, app.url(path)).send().await.unwrap();
        assert_eq!(anonymous.status(), 401);
    }
    app.stop().await;
}
