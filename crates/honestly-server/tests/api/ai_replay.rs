//! The replay memory of signed requests without Redis lives in the store: a request accepted
//! before a restart, or by another server on the same store, is refused as a replay.

use serde_json::{json, Value};

use crate::agent_support::{assert_refused, proven_document, Agent, SERVICE_SECRET};
use crate::helpers::{TestApp, STRONG, STRONG_2};

/// Fixed secrets, so a delegated agent's sealed secret opens on every server of the data.
const ENV: [(&str, &str); 3] =
    [("AI_AGENT_SECRET", SERVICE_SECRET), ("JWT_SECRET", STRONG), ("VAULT_MASTER_KEY", STRONG_2)];

/// Creates a delegated agent for the user with `token`.
async fn delegated_agent(app: &TestApp, token: &str) -> Agent {
    let r = app.client.post(app.url("/ai/agents")).bearer_auth(token).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    Agent {
        id: body["data"]["agent_id"].as_str().unwrap().to_string(),
        secret: body["data"]["secret"].as_str().unwrap().to_string(),
    }
}

/// How many share links the user with `token` has.
async fn link_count(app: &TestApp, token: &str) -> usize {
    let list: Value = app.get_bearer("/vault/share-links", token).await.json().await.unwrap();
    list["links"].as_array().unwrap().len()
}

/// Posts the signed `envelope`; the status and the answer.
async fn send(agent: &Agent, app: &TestApp, envelope: &Value) -> (u16, Value) {
    let r = agent.post(app, "/ai/create-share-link", envelope).await;
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn a_share_link_request_replayed_after_a_restart_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let first = TestApp::spawn_in(dir.path(), &ENV).await;
    let p = proven_document(&first, "olga").await;
    let agent = delegated_agent(&first, &p.token).await;
    let envelope = agent
        .envelope("create_share_link", json!({"document_id": p.document_id, "access_level": "proof_only"}));
    let (status, body) = send(&agent, &first, &envelope).await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = send(&agent, &first, &envelope).await;
    assert_refused(status, &body, 409, "REPLAYED_REQUEST");
    first.stop().await;

    // The same data directory, a new process's memory: still a replay, no second link.
    let second = TestApp::spawn_in(dir.path(), &ENV).await;
    let (status, body) = send(&agent, &second, &envelope).await;
    assert_refused(status, &body, 409, "REPLAYED_REQUEST");
    assert_eq!(link_count(&second, &p.token).await, 1, "the replay minted no link");
    // A fresh request of the same agent is fine.
    let fresh = agent
        .envelope("create_share_link", json!({"document_id": p.document_id, "access_level": "proof_only"}));
    let (status, body) = send(&agent, &second, &fresh).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(link_count(&second, &p.token).await, 2);
}

#[tokio::test]
async fn two_servers_on_one_store_accept_a_signed_request_once() {
    let dir = tempfile::tempdir().unwrap();
    let a = TestApp::spawn_in(dir.path(), &ENV).await;
    let b = TestApp::spawn_in(dir.path(), &ENV).await;
    let p = proven_document(&a, "pia").await;
    let agent = delegated_agent(&a, &p.token).await;
    let link = json!({"document_id": p.document_id, "access_level": "proof_only"});

    // Accepted by A: a replay on B.
    let envelope = agent.envelope("create_share_link", link.clone());
    let (status, body) = send(&agent, &a, &envelope).await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = send(&agent, &b, &envelope).await;
    assert_refused(status, &body, 409, "REPLAYED_REQUEST");

    // One request sent to both at once, several times: exactly one is accepted.
    let envelope = agent.envelope("create_share_link", link);
    let sends = (0..8).map(|i| {
        let (agent, envelope) = (agent.clone(), envelope.clone());
        let app = if i % 2 == 0 { &a } else { &b };
        async move { send(&agent, app, &envelope).await.0 }
    });
    let mut statuses = futures::future::join_all(sends).await;
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409, 409, 409, 409, 409, 409, 409]);
    assert_eq!(link_count(&b, &p.token).await, 2);

    // A service agent's request too.
    let service = Agent::service("shared-bot");
    let envelope = service.envelope("get_document_hash", json!({"document_sha256": "ab".repeat(32)}));
    let r = service.post(&b, "/ai/get-document-hash", &envelope).await;
    assert_eq!(r.status(), 404);
    let r = service.post(&a, "/ai/get-document-hash", &envelope).await;
    let status = r.status().as_u16();
    assert_refused(status, &r.json().await.unwrap(), 409, "REPLAYED_REQUEST");
}

/// With Redis configured but not answering, the replay memory falls back to the store, not to
/// each process's own memory: a request accepted by one server is a replay on the other.
#[tokio::test]
async fn with_redis_down_the_store_still_remembers_across_servers() {
    let unused = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let redis_url = format!("redis://127.0.0.1:{}", unused.local_addr().unwrap().port());
    drop(unused);
    let mut env = ENV.to_vec();
    env.push(("RATE_LIMIT_REDIS_URL", redis_url.as_str()));
    let dir = tempfile::tempdir().unwrap();
    let a = TestApp::spawn_in(dir.path(), &env).await;
    let b = TestApp::spawn_in(dir.path(), &env).await;
    let p = proven_document(&a, "rhea").await;
    let agent = delegated_agent(&a, &p.token).await;
    let envelope = agent
        .envelope("create_share_link", json!({"document_id": p.document_id, "access_level": "proof_only"}));
    let (status, body) = send(&agent, &a, &envelope).await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = send(&agent, &b, &envelope).await;
    assert_refused(status, &body, 409, "REPLAYED_REQUEST");
    assert_eq!(link_count(&b, &p.token).await, 1, "the replay minted no link");
}
