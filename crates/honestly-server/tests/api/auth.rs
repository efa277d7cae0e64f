//! Accounts: register, login, me, refresh rotation, logout, reuse detection, lockout, roles.

use honestly_core::auth::{Password, Role, Username};
use serde_json::json;

use crate::helpers::{assert_error, Options, TestApp, PASSWORD, STRONG, STRONG_2};

#[tokio::test]
async fn register_login_me_refresh_me() {
    let app = TestApp::spawn().await;
    let registered =
        app.post_json("/auth/register", &json!({"username": "Alice", "password": PASSWORD})).await;
    assert_eq!(registered.status(), 201);
    let registered: serde_json::Value = registered.json().await.unwrap();
    assert_eq!(registered["user"]["username"], "Alice");
    assert_eq!(registered["user"]["role"], "user");
    assert!(registered["user"]["id"].as_str().unwrap().starts_with("usr_"));
    assert!(registered["user"].get("password_hash").is_none());

    // Case-insensitive login.
    let login = app.post_json("/auth/login", &json!({"username": "alice", "password": PASSWORD})).await;
    assert_eq!(login.status(), 200);
    let login: serde_json::Value = login.json().await.unwrap();
    assert_eq!(login["token_type"], "bearer");
    assert_eq!(login["expires_in"], 3600);
    let access = login["access_token"].as_str().unwrap();

    let me: serde_json::Value = app.get_bearer("/auth/me", access).await.json().await.unwrap();
    assert_eq!(me["user"]["id"], registered["user"]["id"]);

    let refreshed = app.post_json("/auth/refresh", &json!({"refresh_token": login["refresh_token"]})).await;
    assert_eq!(refreshed.status(), 200);
    let refreshed: serde_json::Value = refreshed.json().await.unwrap();
    assert_ne!(refreshed["refresh_token"], login["refresh_token"]);
    let me = app.get_bearer("/auth/me", refreshed["access_token"].as_str().unwrap()).await;
    assert_eq!(me.status(), 200);
    assert_eq!(me.json::<serde_json::Value>().await.unwrap()["user"]["username"], "Alice");
}

#[tokio::test]
async fn invalid_registrations_are_refused_with_reasons() {
    let app = TestApp::spawn().await;
    let bad = app.post_json("/auth/register", &json!({"username": "a b", "password": "short"})).await;
    let body = assert_error(bad, 400, "VALIDATION_FAILED").await;
    assert!(body["error"]["fields"]["username"].is_string(), "{body}");
    assert!(body["error"]["fields"]["password"].is_string(), "{body}");

    for (password, reason) in [
        ("password1234", "is too easy to guess"),
        ("aaaaaaaaaaaa", "is too easy to guess"),
        ("Bob-the-builder-2026!", "must not contain the username"),
    ] {
        let weak = app.post_json("/auth/register", &json!({"username": "bob", "password": password})).await;
        let body = assert_error(weak, 400, "VALIDATION_FAILED").await;
        let said = body["error"]["fields"]["password"].as_str().unwrap_or_default();
        assert!(said.starts_with(reason), "{password}: {body}");
    }
    app.register_and_login("bob").await;
    let taken = app.post_json("/auth/register", &json!({"username": "BOB", "password": PASSWORD})).await;
    assert_error(taken, 409, "CONFLICT").await;
}

#[tokio::test]
async fn logout_revokes_the_access_token_and_the_refresh_family() {
    let app = TestApp::spawn().await;
    let login = app.register_and_login("carol").await;
    let access = login["access_token"].as_str().unwrap();
    let out = app.client.post(app.url("/auth/logout")).bearer_auth(access).send().await.unwrap();
    assert_eq!(out.status(), 204);
    assert_error(app.get_bearer("/auth/me", access).await, 401, "UNAUTHORIZED").await;
    let refresh = app.post_json("/auth/refresh", &json!({"refresh_token": login["refresh_token"]})).await;
    assert_error(refresh, 401, "UNAUTHORIZED").await;
}

#[tokio::test]
async fn reusing_a_spent_refresh_token_kills_the_whole_family() {
    let app = TestApp::spawn().await;
    let login = app.register_and_login("dave").await;
    let first = login["refresh_token"].clone();
    let rotated: serde_json::Value =
        app.post_json("/auth/refresh", &json!({"refresh_token": first})).await.json().await.unwrap();
    // The attacker replays the spent token.
    let replay = app.post_json("/auth/refresh", &json!({"refresh_token": first})).await;
    assert_error(replay, 401, "UNAUTHORIZED").await;
    // The victim's newer tokens are dead too.
    let newer = app.post_json("/auth/refresh", &json!({"refresh_token": rotated["refresh_token"]})).await;
    assert_error(newer, 401, "UNAUTHORIZED").await;
    let me = app.get_bearer("/auth/me", rotated["access_token"].as_str().unwrap()).await;
    assert_error(me, 401, "UNAUTHORIZED").await;
    // A fresh login still works.
    let again = app.post_json("/auth/login", &json!({"username": "dave", "password": PASSWORD})).await;
    assert_eq!(again.status(), 200);
}

#[tokio::test]
async fn concurrent_refreshes_with_one_token_have_exactly_one_winner() {
    let app = TestApp::spawn().await;
    let login = app.register_and_login("erin").await;
    let body = json!({"refresh_token": login["refresh_token"]});
    let attempts = (0..8).map(|_| app.post_json("/auth/refresh", &body));
    let statuses: Vec<u16> =
        futures::future::join_all(attempts).await.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 7, "{statuses:?}");
}

#[tokio::test]
async fn unknown_user_and_wrong_password_get_the_same_answer() {
    let app = TestApp::spawn().await;
    app.register_and_login("frank").await;
    let wrong =
        app.post_json("/auth/login", &json!({"username": "frank", "password": "not the password!"})).await;
    let unknown =
        app.post_json("/auth/login", &json!({"username": "nobody", "password": "not the password!"})).await;
    let wrong = assert_error(wrong, 401, "UNAUTHORIZED").await;
    let unknown = assert_error(unknown, 401, "UNAUTHORIZED").await;
    assert_eq!(wrong["error"]["message"], unknown["error"]["message"]);
}

#[tokio::test]
async fn repeated_failures_lock_the_username_for_this_client() {
    let app = TestApp::spawn().await;
    app.register_and_login("grace").await;
    app.register_and_login("heidi").await;
    for _ in 0..5 {
        let r =
            app.post_json("/auth/login", &json!({"username": "grace", "password": "wrong password!!"})).await;
        assert_error(r, 401, "UNAUTHORIZED").await;
    }
    // Locked: even the right password is refused until the window passes.
    let locked = app.post_json("/auth/login", &json!({"username": "Grace", "password": PASSWORD})).await;
    let retry: u64 = locked.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((850..=900).contains(&retry), "retry-after {retry}");
    assert_error(locked, 429, "RATE_LIMITED").await;
    // Another account is unaffected.
    let other = app.post_json("/auth/login", &json!({"username": "heidi", "password": PASSWORD})).await;
    assert_eq!(other.status(), 200);
}

#[tokio::test]
async fn registration_is_closed_by_default_in_production() {
    let app = TestApp::spawn_with(Options {
        env: vec![
            ("ENVIRONMENT", "production".into()),
            ("JWT_SECRET", STRONG.into()),
            ("AI_AGENT_SECRET", STRONG_2.into()),
            ("VAULT_MASTER_KEY", STRONG.into()),
            ("ALLOWED_ORIGINS", "https://app.example.org".into()),
        ],
        production: false,
    })
    .await;
    let r = app.post_json("/auth/register", &json!({"username": "ivan", "password": PASSWORD})).await;
    let body = assert_error(r, 403, "FORBIDDEN").await;
    assert_eq!(body["error"]["message"], "Registration is closed");
}

#[tokio::test]
async fn a_user_cannot_read_metrics_but_an_admin_can() {
    let app = TestApp::spawn_with(Options { production: true, ..Options::default() }).await;
    let user = app.register_and_login("judy").await;
    let r = app.get_bearer("/monitoring/metrics", user["access_token"].as_str().unwrap()).await;
    assert_error(r, 403, "FORBIDDEN").await;

    let admin = Username::parse("root-admin").unwrap();
    let password = Password::parse(PASSWORD, &admin).unwrap();
    app.state.auth.create_user(&admin, &password, Role::Admin).await.unwrap();
    let login: serde_json::Value = app
        .post_json("/auth/login", &json!({"username": "root-admin", "password": PASSWORD}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(login["user"]["role"], "admin");
    for path in ["/monitoring/metrics", "/metrics"] {
        let r = app.get_bearer(path, login["access_token"].as_str().unwrap()).await;
        assert_eq!(r.status(), 200, "{path}");
    }
}
