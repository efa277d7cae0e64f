//! Webhook deliveries end to end: the outbox and its worker over a real store (SQLite, and
//! Neo4j when configured), the HTTP transport, and receivers on loopback whose every received
//! signature is checked with the Python `standardwebhooks` package.

mod support;

use std::sync::Arc;

use honestly_core::config::Environment::{Development, Production};
use honestly_core::store::Store;
use honestly_core::webhooks::{signature, DeliveryView, NewEvent, WebhookService};
use serde_json::json;

use support::{eventually, fast, new_user, outbox, per_id, sqlite, verify_all, worker, Answer, Receiver};

fn event(owner: &honestly_core::ids::UserId, subject: &str, url: &str) -> NewEvent {
    NewEvent {
        owner: owner.clone(),
        subject: subject.into(),
        event_type: "proof_request.completed".into(),
        url: url.into(),
        payload: json!({"id": subject, "status": "completed"}),
    }
}

async fn deliveries(
    outbox: &WebhookService,
    owner: &honestly_core::ids::UserId,
    subject: &str,
) -> Vec<DeliveryView> {
    outbox.deliveries_for_subject(owner, subject).await.expect("deliveries")
}

async fn settled(outbox: &WebhookService, owner: &honestly_core::ids::UserId, subject: &str) -> bool {
    deliveries(outbox, owner, subject).await.first().is_some_and(|d| d.status != "pending")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_failures_then_success_is_one_delivery_and_four_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite(&dir).await;
    let owner = new_user(&store).await;
    let receiver = Receiver::start(|n| Answer::Status(if n < 3 { 500 } else { 200 })).await;
    let outbox = outbox(&store, fast(Development));
    let (secret, made) = outbox.current_secret(&owner).await.unwrap();
    assert!(made);
    let handle = worker(&outbox);
    let queued = outbox.enqueue(event(&owner, "req_retry", &receiver.url())).await.unwrap();
    assert!(queued.created);
    assert!(!outbox.enqueue(event(&owner, "req_retry", &receiver.url())).await.unwrap().created, "once");
    eventually("delivered", || settled(&outbox, &owner, "req_retry")).await;
    handle.stop().await;

    let listed = deliveries(&outbox, &owner, "req_retry").await;
    assert_eq!(listed.len(), 1);
    let d = &listed[0];
    assert_eq!((d.id.as_str(), d.status), (queued.id.as_str(), "delivered"));
    let codes: Vec<Option<u16>> = d.attempts.iter().map(|a| a.status_code).collect();
    assert_eq!(codes, [Some(500), Some(500), Some(500), Some(200)]);
    assert_eq!(d.attempts.iter().map(|a| a.attempt).collect::<Vec<_>>(), [1, 2, 3, 4]);
    let received = receiver.received();
    assert_eq!(received.len(), 4);
    assert!(
        received.iter().all(|r| r.id == queued.id && r.body == received[0].body),
        "the same bytes each time"
    );
    let body: serde_json::Value = serde_json::from_slice(&received[0].body).unwrap();
    assert_eq!(body["type"], "proof_request.completed");
    assert_eq!(body["data"]["id"], "req_retry");
    assert!(body["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')));
    verify_all(&received, &[secret.as_str()]);
    assert!(deliveries(&outbox, &new_user(&store).await, "req_retry").await.is_empty(), "the owner's only");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_receiver_that_never_answers_does_not_delay_another() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite(&dir).await;
    let owner = new_user(&store).await;
    let silent = Receiver::start(|_| Answer::Hang).await;
    let prompt = Receiver::start(|_| Answer::Status(204)).await;
    let outbox = outbox(&store, fast(Development));
    let (secret, _) = outbox.current_secret(&owner).await.unwrap();
    let handle = worker(&outbox);
    outbox.enqueue(event(&owner, "req_silent", &silent.url())).await.unwrap();
    eventually("the silent receiver holds its request", || async { !silent.received().is_empty() }).await;
    outbox.enqueue(event(&owner, "req_prompt", &prompt.url())).await.unwrap();
    eventually("the prompt receiver's delivery", || settled(&outbox, &owner, "req_prompt")).await;
    let silent_state = deliveries(&outbox, &owner, "req_silent").await;
    assert_eq!(silent_state[0].status, "pending");
    assert!(silent_state[0].attempts.is_empty(), "its first attempt is still waiting for an answer");
    assert_eq!(deliveries(&outbox, &owner, "req_prompt").await[0].status, "delivered");
    verify_all(&prompt.received(), &[secret.as_str()]);
    handle.stop().await;
}

/// Two replicas' workers on one store: each event is delivered exactly once.
/// Two replicas: each its own store handle (its own connections) on one database, its own
/// outbox and worker.
async fn two_workers_deliver_each_event_once(store: Arc<dyn Store>, other: Arc<dyn Store>) {
    let owner = new_user(&store).await;
    let receiver = Receiver::start(|_| Answer::Status(200)).await;
    let (a, b) = (outbox(&store, fast(Development)), outbox(&other, fast(Development)));
    let (secret, _) = a.current_secret(&owner).await.unwrap();
    let (wa, wb) = (worker(&a), worker(&b));
    let tag = &owner.as_str()[4..14];
    let subjects: Vec<String> = (0..12).map(|i| format!("req_{tag}_{i}")).collect();
    for (i, subject) in subjects.iter().enumerate() {
        let via = if i % 2 == 0 { &a } else { &b };
        via.enqueue(event(&owner, subject, &receiver.url())).await.unwrap();
    }
    for subject in &subjects {
        eventually("every event delivered", || settled(&a, &owner, subject)).await;
    }
    wa.stop().await;
    wb.stop().await;
    let received = receiver.received();
    let counts = per_id(&received);
    assert_eq!(counts.len(), subjects.len());
    assert!(counts.values().all(|n| *n == 1), "one delivery per event: {counts:?}");
    for subject in &subjects {
        let d = deliveries(&a, &owner, subject).await;
        assert_eq!((d[0].status, d[0].attempts.len()), ("delivered", 1));
    }
    verify_all(&received, &[secret.as_str()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_on_one_sqlite_store_deliver_each_event_once() {
    let dir = tempfile::tempdir().unwrap();
    two_workers_deliver_each_event_once(sqlite(&dir).await, sqlite(&dir).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_on_one_neo4j_store_deliver_each_event_once() {
    if let (Some(store), Some(other)) = (support::neo4j().await, support::neo4j().await) {
        two_workers_deliver_each_event_once(store, other).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn after_a_rotation_deliveries_carry_both_signatures() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite(&dir).await;
    let owner = new_user(&store).await;
    let receiver = Receiver::start(|_| Answer::Status(200)).await;
    let outbox = outbox(&store, fast(Development));
    let (old, _) = outbox.current_secret(&owner).await.unwrap();
    let rotated = outbox.rotate_secret(&owner).await.unwrap();
    assert!(rotated.previous_valid_until.is_some());
    assert_ne!(rotated.webhook_secret, old);
    let (current, made) = outbox.current_secret(&owner).await.unwrap();
    assert_eq!((current.as_str(), made), (rotated.webhook_secret.as_str(), false));
    let meta = outbox.secret_metadata(&owner).await.unwrap();
    assert_eq!(meta.previous_valid_until, rotated.previous_valid_until);
    let handle = worker(&outbox);
    outbox.enqueue(event(&owner, "req_rotated", &receiver.url())).await.unwrap();
    eventually("delivered", || settled(&outbox, &owner, "req_rotated")).await;
    handle.stop().await;
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].signature.split(' ').count(), 2, "{}", received[0].signature);
    verify_all(&received, &[old.as_str()]);
    verify_all(&received, &[rotated.webhook_secret.as_str()]);
}

/// The outbox's times are kept in the store; the tests move them back, as if the clock had
/// run on (the worker and the secrets compare them with the time now).
fn store_db(dir: &tempfile::TempDir) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.path().join("outbox.db")).expect("the outbox database")
}

const DAY_MS: i64 = 24 * 3600 * 1000;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_event_failing_for_24_hours_is_marked_failed() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite(&dir).await;
    let owner = new_user(&store).await;
    let receiver = Receiver::start(|_| Answer::Status(500)).await;
    let outbox = outbox(&store, fast(Development));
    outbox.current_secret(&owner).await.unwrap();
    let handle = worker(&outbox);
    let queued = outbox.enqueue(event(&owner, "req_failing", &receiver.url())).await.unwrap();
    let attempts = |n: usize| {
        let outbox = &outbox;
        let owner = &owner;
        async move { deliveries(outbox, owner, "req_failing").await[0].attempts.len() >= n }
    };
    eventually("three failed attempts", || attempts(3)).await;
    let db = store_db(&dir);
    // Failing since a minute short of 24 hours: still retried.
    db.execute(
        "UPDATE webhook_events SET first_attempt_ms = ?1 WHERE id = ?2",
        rusqlite::params![honestly_core::webhooks::now_ms() - DAY_MS + 60_000, queued.id],
    )
    .unwrap();
    let before = deliveries(&outbox, &owner, "req_failing").await[0].attempts.len();
    eventually("two more attempts", || attempts(before + 2)).await;
    assert_eq!(deliveries(&outbox, &owner, "req_failing").await[0].status, "pending");
    // Failing since a minute more than 24 hours: the next failure is the last.
    db.execute(
        "UPDATE webhook_events SET first_attempt_ms = first_attempt_ms - 120000 WHERE id = ?1",
        [&queued.id],
    )
    .unwrap();
    eventually("given up", || settled(&outbox, &owner, "req_failing")).await;
    handle.stop().await;
    let d = &deliveries(&outbox, &owner, "req_failing").await[0];
    assert_eq!(d.status, "failed");
    assert!(d.finished_at.is_some() && d.next_attempt_at.is_none(), "{d:?}");
    assert!(d.attempts.iter().all(|a| a.status_code == Some(500)), "{d:?}");
    assert_eq!(
        receiver.received().len(),
        d.attempts.len(),
        "every attempt reached the receiver and was logged"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rotated_out_secret_signs_for_24_hours_only() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite(&dir).await;
    let owner = new_user(&store).await;
    let receiver = Receiver::start(|_| Answer::Status(200)).await;
    let outbox = outbox(&store, fast(Development));
    let (old, _) = outbox.current_secret(&owner).await.unwrap();
    let rotated = outbox.rotate_secret(&owner).await.unwrap();
    let new = rotated.webhook_secret.as_str();
    let handle = worker(&outbox);

    // Within the 24 hours: both sign.
    outbox.enqueue(event(&owner, "req_within", &receiver.url())).await.unwrap();
    eventually("delivered within", || settled(&outbox, &owner, "req_within")).await;
    // The rotation moved 24 hours and a second into the past: only the new secret signs.
    let moved = store_db(&dir)
        .execute(
            "UPDATE webhook_secrets SET retired_until = retired_until - 86401 WHERE retired_until IS NOT NULL",
            [],
        )
        .unwrap();
    assert_eq!(moved, 1);
    assert_eq!(outbox.secret_metadata(&owner).await.unwrap().previous_valid_until, None);
    outbox.enqueue(event(&owner, "req_after", &receiver.url())).await.unwrap();
    eventually("delivered after", || settled(&outbox, &owner, "req_after")).await;
    handle.stop().await;

    let received = receiver.received();
    assert_eq!(received.len(), 2);
    let subject = |r: &support::Received| {
        serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()["data"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let within = received.iter().find(|r| subject(r) == "req_within").unwrap();
    let after = received.iter().find(|r| subject(r) == "req_after").unwrap();
    assert_eq!(within.signature.split(' ').count(), 2, "{}", within.signature);
    verify_all(std::slice::from_ref(within), &[old.as_str(), new]);
    assert_eq!(after.signature.split(' ').count(), 1, "{}", after.signature);
    verify_all(std::slice::from_ref(after), &[new]);
    let old_key = signature::WebhookSecret::parse(&old).unwrap();
    let timestamp: i64 = after.timestamp.parse().unwrap();
    assert!(
        !signature::verify(&old_key, &after.signature, &after.id, timestamp, &after.body),
        "the old one no longer signs"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_name_resolving_to_loopback_is_refused_in_production_at_creation_and_at_delivery() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite(&dir).await;
    let owner = new_user(&store).await;
    let receiver = Receiver::start(|_| Answer::Status(200)).await;
    let outbox = outbox(&store, fast(Production));
    outbox.current_secret(&owner).await.unwrap();
    let url = receiver.url_with_host("localhost");
    let refused = outbox.validate_callback_url(&url).await.unwrap_err();
    assert_eq!(refused.get("callback_url"), Some("loopback addresses are not allowed"));
    let literal = outbox.enqueue(event(&owner, "req_literal", &receiver.url())).await.unwrap_err();
    assert!(
        matches!(literal, honestly_core::webhooks::WebhookError::Invalid(ref f) if f.get("callback_url").is_some())
    );
    // A name passes the checks made without resolving; the delivery resolves it and refuses.
    outbox.enqueue(event(&owner, "req_name", &url)).await.unwrap();
    let handle = worker(&outbox);
    eventually("given up", || settled(&outbox, &owner, "req_name")).await;
    handle.stop().await;
    let d = &deliveries(&outbox, &owner, "req_name").await[0];
    assert_eq!((d.status, d.attempts.len()), ("failed", 1));
    assert_eq!(
        d.attempts[0].error.as_deref(),
        Some("callback URL refused: loopback addresses are not allowed")
    );
    assert!(receiver.received().is_empty(), "nothing reached the receiver");
}

/// A replica dies while its delivery is in flight: the lease runs out and another replica
/// delivers the event.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_delivery_cut_off_by_a_crash_is_made_by_the_next_worker() {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite(&dir).await;
    let owner = new_user(&store).await;
    let receiver = Receiver::start(|n| if n == 0 { Answer::Hang } else { Answer::Status(200) }).await;
    let first = outbox(&store, fast(Development));
    let (secret, _) = first.current_secret(&owner).await.unwrap();
    let crashed = worker(&first);
    first.enqueue(event(&owner, "req_crash", &receiver.url())).await.unwrap();
    eventually("the first attempt is in flight", || async { !receiver.received().is_empty() }).await;
    crashed.abort();
    drop(first);

    let restarted = outbox(&store, fast(Development));
    let handle = worker(&restarted);
    eventually("delivered after the restart", || settled(&restarted, &owner, "req_crash")).await;
    handle.stop().await;
    let d = &deliveries(&restarted, &owner, "req_crash").await[0];
    assert_eq!(d.status, "delivered");
    assert_eq!(d.attempts.len(), 1, "the cut-off attempt left no record");
    let received = receiver.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].id, received[1].id, "the same webhook-id: receivers deduplicate on it");
    verify_all(&received, &[secret.as_str()]);
}
