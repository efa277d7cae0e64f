//! No password or token ever reaches a log, even at the most verbose level.

use std::time::Duration;

use serde_json::{json, Value};

use crate::process::{wait_ready, Server};

use crate::process::TEST_PASSWORD as PASSWORD;
const WRONG: &str = "a wrong password value";

#[test]
fn no_password_or_token_reaches_the_log_at_trace_level() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[("LOG_LEVEL", "trace")]);
    wait_ready(&server.url("/monitoring/ready"), Duration::from_secs(10));
    let client = reqwest::blocking::Client::new();
    let post = |path: &str, body: Value| client.post(server.url(path)).json(&body).send().unwrap();

    let creds = json!({"username": "oscar", "password": PASSWORD});
    assert_eq!(post("/auth/register", creds.clone()).status(), 201);
    let login: Value = post("/auth/login", creds).json().unwrap();
    let access = login["access_token"].as_str().unwrap().to_string();
    let refresh = login["refresh_token"].as_str().unwrap().to_string();
    assert_eq!(post("/auth/login", json!({"username": "oscar", "password": WRONG})).status(), 401);
    let rotated: Value = post("/auth/refresh", json!({"refresh_token": refresh})).json().unwrap();
    assert_eq!(post("/auth/refresh", json!({"refresh_token": refresh})).status(), 401);
    let me = client.get(server.url("/auth/me")).bearer_auth(&access).send().unwrap();
    assert_eq!(me.status(), 401, "the reuse above revoked the session");
    let malformed = client
        .post(server.url("/auth/login"))
        .header("content-type", "application/json")
        .body(format!("{{\"username\": \"oscar\", \"password\": \"{PASSWORD}\""))
        .send()
        .unwrap();
    assert_eq!(malformed.status(), 400);

    server.signal("TERM");
    let (_, lines) = server.wait(Duration::from_secs(10));
    let log = lines.join("\n");
    assert!(log.contains("refresh token reuse detected"), "logs were not captured:\n{log}");
    assert!(log.contains("login"), "logs were not captured:\n{log}");
    let secrets = [
        PASSWORD,
        WRONG,
        &access,
        &refresh,
        rotated["access_token"].as_str().unwrap(),
        rotated["refresh_token"].as_str().unwrap(),
    ];
    for secret in secrets {
        assert!(!log.contains(secret), "a secret reached the log: {secret}");
    }
}
