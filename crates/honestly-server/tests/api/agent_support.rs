//! Signing agents for the AI-API tests: envelopes signed like the Python agents sign them
//! (HMAC-SHA256 over Python's `json.dumps(envelope, sort_keys=True)`).

use std::time::{SystemTime, UNIX_EPOCH};

use honestly_core::agents::signature::sign_hex;
use honestly_core::crypto::python_json::{parse, to_python_canonical};
use serde_json::{json, Value};

use crate::helpers::TestApp;

/// The deployment secrets the AI tests configure (rotation: the first is current).
pub const SERVICE_SECRET: &str = "5d41402abc4b2a76b9719d911017c592ae2f3f6b87a9c1e0b6b3f1e3ad7d4c11";
pub const OLD_SERVICE_SECRET: &str = "7c222fb2927d828af22f592134e8932480637c0d1a1f0e6c3b5f1b0e0e0d4a22";

pub fn unix_now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64()
}

/// An agent: its id and the secret it signs with.
#[derive(Clone)]
pub struct Agent {
    pub id: String,
    pub secret: String,
}

impl Agent {
    pub fn service(id: &str) -> Self {
        Self { id: id.into(), secret: SERVICE_SECRET.into() }
    }

    /// An envelope for `action`, stamped now.
    pub fn envelope(&self, action: &str, parameters: Value) -> Value {
        json!({"agent_id": self.id, "action": action, "parameters": parameters, "timestamp": unix_now()})
    }

    /// The signature of `body` (canonical form, as the Python agents sign).
    pub fn sign(&self, body: &Value) -> String {
        let text = serde_json::to_string(body).unwrap();
        sign_hex(self.secret.as_bytes(), to_python_canonical(&parse(text.as_bytes()).unwrap()).as_bytes())
    }

    /// Posts `body` signed to `path`.
    pub async fn post(&self, app: &TestApp, path: &str, body: &Value) -> reqwest::Response {
        app.client
            .post(app.url(path))
            .header("X-AI-Signature", self.sign(body))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// One signed call of `action` on `path`; the status and the response envelope.
    pub async fn call(&self, app: &TestApp, path: &str, action: &str, parameters: Value) -> (u16, Value) {
        let response = self.post(app, path, &self.envelope(action, parameters)).await;
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }
}

/// A user's document with an age proof of it (born 1990-05-17, at least 18).
pub struct Proven {
    pub token: String,
    pub document_id: String,
    pub sha256: String,
    pub proof: Value,
    pub public_signals: Value,
}

pub async fn proven_document(app: &TestApp, user: &str) -> Proven {
    let token = app.register_and_login(user).await["access_token"].as_str().unwrap().to_string();
    let content = format!("{user}'s passport").into_bytes();
    let doc: Value = app.upload(&token, "passport.pdf", content, "identity").await.json().await.unwrap();
    let document_id = doc["document"]["id"].as_str().unwrap().to_string();
    let created = app
        .client
        .post(app.url(&format!("/vault/documents/{document_id}/proofs")))
        .bearer_auth(&token)
        .json(&json!({"proof_type": "age_proof", "birth_date": "1990-05-17", "min_age": 18}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    Proven {
        token,
        document_id,
        sha256: doc["document"]["sha256"].as_str().unwrap().to_string(),
        proof: created["proof"]["proof"].clone(),
        public_signals: created["proof"]["public_signals"].clone(),
    }
}

/// Asserts an `/ai` refusal: the status, the envelope and its error code.
pub fn assert_refused(status: u16, body: &Value, expected_status: u16, code: &str) {
    assert_eq!(status, expected_status, "body: {body}");
    assert_eq!(body["success"], false, "body: {body}");
    assert_eq!(body["data"], Value::Null, "body: {body}");
    assert_eq!(body["error"]["code"], code, "body: {body}");
    assert!(body["error"]["error_id"].as_str().is_some_and(|id| id.starts_with("err_")), "body: {body}");
    assert!(body["metadata"]["request_id"].as_str().is_some_and(|id| !id.is_empty()), "body: {body}");
}

/// A server whose service agents sign with [`SERVICE_SECRET`] (or the older one).
pub async fn ai_app(extra: &[(&'static str, &str)]) -> TestApp {
    let secrets = format!("{SERVICE_SECRET},{OLD_SERVICE_SECRET}");
    let mut env: Vec<(&'static str, &str)> = vec![("AI_AGENT_SECRET", &secrets)];
    env.extend_from_slice(extra);
    TestApp::spawn_env(&env).await
}
