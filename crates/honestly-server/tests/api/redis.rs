//! Shared state through a real Redis: two replicas share the agents' replay memory and rate
//! limits and drop each other's cached entries; a Redis outage degrades but never stops them.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::agent_support::{Agent, SERVICE_SECRET};
use crate::helpers::{Options, TestApp, STRONG, STRONG_2};
use crate::redis_support::RedisServer;

/// A replica using `redis`, with fixed secrets so tokens and signatures work on every replica.
async fn replica(redis: &RedisServer, extra: &[(&'static str, String)]) -> TestApp {
    let mut env = vec![
        ("RATE_LIMIT_REDIS_URL", redis.url()),
        ("AI_AGENT_SECRET", SERVICE_SECRET.to_string()),
        ("JWT_SECRET", STRONG.to_string()),
        ("VAULT_MASTER_KEY", STRONG_2.to_string()),
    ];
    env.extend(extra.iter().cloned());
    TestApp::spawn_with(Options { env, production: false }).await
}

async fn wait_for(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn health_status(app: &TestApp) -> String {
    let body: Value = app.get("/monitoring/health").await.json().await.unwrap();
    body["status"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn replicas_share_the_replay_memory_and_each_agents_rate_limit() {
    let Some(redis) = RedisServer::start() else { return };
    let a = replica(&redis, &[("AI_AGENT_RATE_LIMIT", "5".into())]).await;
    let b = replica(&redis, &[("AI_AGENT_RATE_LIMIT", "5".into())]).await;
    let agent = Agent::service("roaming-bot");
    let params = json!({"document_sha256": "ef".repeat(32)});

    let envelope = agent.envelope("get_document_hash", params.clone());
    assert_eq!(agent.post(&a, "/ai/get-document-hash", &envelope).await.status(), 404, "accepted by A");
    let replayed: Value = agent.post(&b, "/ai/get-document-hash", &envelope).await.json().await.unwrap();
    assert_eq!(replayed["error"]["code"], "REPLAYED_REQUEST", "B knows A accepted it: {replayed}");

    // Two calls counted above (a replay counts too); 9 more over both replicas: 3 pass.
    let mut limited = 0;
    for i in 0..9 {
        let app = if i % 2 == 0 { &b } else { &a };
        let (status, _) = agent.call(app, "/ai/get-document-hash", "get_document_hash", params.clone()).await;
        limited += usize::from(status == 429);
    }
    assert_eq!(limited, 6, "the sum over both replicas stays within the agent's limit");
    assert_eq!(health_status(&a).await, "healthy");
}

#[tokio::test]
async fn a_deletion_on_one_replica_clears_the_others_cache() {
    let Some(redis) = RedisServer::start() else { return };
    let shared = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", shared.path().join("shared.db").display());
    let a = replica(&redis, &[("DATABASE_URL", database.clone())]).await;
    let token = a.register_and_login("mia").await["access_token"].as_str().unwrap().to_string();
    let doc: Value = a.upload(&token, "id.pdf", b"mia".to_vec(), "identity").await.json().await.unwrap();
    let id = doc["document"]["id"].as_str().unwrap().to_string();

    let b = replica(&redis, &[("DATABASE_URL", database)]).await;
    let path = format!("/vault/documents/{id}");
    assert_eq!(b.get_bearer(&path, &token).await.status(), 200, "B caches the metadata");
    let deleted = a.client.delete(a.url(&path)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    wait_for("B forgets the deleted document", async || b.get_bearer(&path, &token).await.status() == 404)
        .await;
}

#[tokio::test]
async fn a_redis_outage_degrades_service_and_recovery_is_automatic() {
    let Some(mut redis) = RedisServer::start() else { return };
    let app = replica(&redis, &[]).await;
    assert_eq!(health_status(&app).await, "healthy");
    let agent = Agent::service("steady-bot");
    let params = json!({"document_sha256": "01".repeat(32)});

    redis.stop();
    let started = Instant::now();
    let (status, _) = agent.call(&app, "/ai/get-document-hash", "get_document_hash", params.clone()).await;
    assert_eq!(status, 404, "still serving signed requests");
    assert!(started.elapsed() < Duration::from_secs(3), "no long wait on a dead Redis");
    let envelope = agent.envelope("get_document_hash", params.clone());
    assert_eq!(agent.post(&app, "/ai/get-document-hash", &envelope).await.status(), 404);
    let replayed: Value = agent.post(&app, "/ai/get-document-hash", &envelope).await.json().await.unwrap();
    assert_eq!(replayed["error"]["code"], "REPLAYED_REQUEST", "local replay memory meanwhile");
    wait_for("health degraded", async || health_status(&app).await == "degraded").await;
    let ready = app.get("/monitoring/ready").await;
    assert_eq!(ready.status(), 200, "a replica without Redis still serves correctly");
    let checks: Value = ready.json().await.unwrap();
    assert_eq!(checks["checks"]["redis"]["status"], "degraded");
    assert_eq!(app.get("/monitoring/live").await.status(), 200);

    redis.restart();
    wait_for("health back to healthy", async || health_status(&app).await == "healthy").await;
    let (status, _) = agent.call(&app, "/ai/get-document-hash", "get_document_hash", params).await;
    assert_eq!(status, 404);
}
