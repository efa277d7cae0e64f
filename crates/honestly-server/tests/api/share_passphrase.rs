//! The passphrase limiter counts wrong guesses only, per link and client: requests that offer
//! none (link previews, reloads, the form being shown) and right guesses cost nothing, and
//! one client's wrong guesses never lock another client out. With Redis, replicas share the
//! count.

use serde_json::{json, Value};

use crate::helpers::{assert_error, Options, TestApp, STRONG, STRONG_2};
use crate::redis_support::RedisServer;
use crate::share::{create_link, owner_with_proof, path_of};

const PASSPHRASE: &str = "open sesame";

/// `GET` of the link at `path` as the client `ip` (behind the trusted proxy), offering
/// `passphrase`; the status.
async fn guess(app: &TestApp, path: &str, ip: &str, passphrase: &str) -> reqwest::Response {
    let request = app.client.get(app.url(path)).header("x-forwarded-for", ip);
    request.header("x-share-passphrase", passphrase).send().await.unwrap()
}

#[tokio::test]
async fn requests_offering_no_passphrase_never_lock_the_verifier_out() {
    let app = TestApp::spawn().await;
    let owner = owner_with_proof(&app).await;
    let link = create_link(&app, &owner, json!({"passphrase": PASSPHRASE})).await;
    let path = path_of(&link);
    // A link preview, reloads, the form shown again and again.
    for _ in 0..10 {
        assert_error(app.get(&path).await, 401, "UNAUTHORIZED").await;
        let form = app.client.get(app.url(&path)).header("accept", "text/html").send().await.unwrap();
        assert_eq!(form.status(), 200);
        assert!(form.text().await.unwrap().contains("<form"));
    }
    let right = app.client.get(app.url(&path)).header("x-share-passphrase", PASSPHRASE).send().await.unwrap();
    assert_eq!(right.status(), 200);
}

#[tokio::test]
async fn wrong_guesses_lock_out_only_the_client_that_made_them() {
    let app = TestApp::spawn_env(&[("TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    let owner = owner_with_proof(&app).await;
    let link = create_link(&app, &owner, json!({"passphrase": PASSPHRASE})).await;
    let path = path_of(&link);
    let (guesser, verifier) = ("198.51.100.7", "203.0.113.9");
    for _ in 0..5 {
        assert_error(guess(&app, &path, guesser, "wrong guess").await, 401, "UNAUTHORIZED").await;
    }
    let locked = guess(&app, &path, guesser, "wrong guess").await;
    assert!(locked.headers().contains_key("retry-after"));
    assert_error(locked, 429, "RATE_LIMITED").await;
    assert_eq!(guess(&app, &path, guesser, PASSPHRASE).await.status(), 429, "locked out for now");
    // Another client is not affected, and right guesses never count.
    for _ in 0..8 {
        assert_eq!(guess(&app, &path, verifier, PASSPHRASE).await.status(), 200);
    }
    assert_error(guess(&app, &path, verifier, "wrong guess").await, 401, "UNAUTHORIZED").await;
    let list: Value = app.get_bearer("/vault/share-links", &owner.token).await.json().await.unwrap();
    assert_eq!(list["links"][0]["access_count"], 8);
}

#[tokio::test]
async fn replicas_share_the_count_of_wrong_guesses() {
    let Some(redis) = RedisServer::start() else { return };
    let shared = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", shared.path().join("shared.db").display());
    let replica = async || {
        let env = vec![
            ("RATE_LIMIT_REDIS_URL", redis.url()),
            ("DATABASE_URL", database.clone()),
            ("TRUSTED_PROXIES", "127.0.0.1/32".to_string()),
            ("JWT_SECRET", STRONG.to_string()),
            ("VAULT_MASTER_KEY", STRONG_2.to_string()),
        ];
        TestApp::spawn_with(Options { env, production: false }).await
    };
    let a = replica().await;
    let owner = owner_with_proof(&a).await;
    let link = create_link(&a, &owner, json!({"passphrase": PASSPHRASE})).await;
    let path = path_of(&link);
    let b = replica().await;
    let guesser = "198.51.100.7";
    for i in 0..5 {
        let app = if i % 2 == 0 { &a } else { &b };
        assert_eq!(guess(app, &path, guesser, "wrong guess").await.status(), 401);
    }
    assert_eq!(guess(&a, &path, guesser, "wrong guess").await.status(), 429);
    assert_eq!(guess(&b, &path, guesser, "wrong guess").await.status(), 429, "B counts A's guesses");
    assert_eq!(guess(&b, &path, "203.0.113.9", PASSPHRASE).await.status(), 200);
}
