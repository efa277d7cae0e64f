//! The webhook outbox: one current secret and rotation, enqueue once, leases that give each
//! due event to one claimer and expire, attempts recorded only under the lease, erasure.

use std::collections::BTreeMap;
use std::sync::Arc;

use honestly_core::crypto::vault::Sealed;
use honestly_core::ids::UserId;
use honestly_core::store::{Erasure, Store};
use honestly_core::webhooks::{
    event_id, now_ms, AfterAttempt, AttemptRecord, DeliveryStatus, WebhookEvent, WebhookSecretRecord,
};
use tokio::task::JoinSet;

use crate::support::{from_now, new_user, now, sealed};

/// Claims ask for this many so that events other tests left due in a shared database never
/// crowd out the ones a test looks for.
const WIDE: u32 = 10_000;

pub fn secret_record(owner: &UserId, sealed: Sealed) -> WebhookSecretRecord {
    WebhookSecretRecord {
        id: format!("whk_{}", &UserId::generate().as_str()[4..]),
        owner: owner.clone(),
        sealed,
        created_at: now(),
        retired_until: None,
    }
}

fn event(owner: &UserId, subject: &str, event_type: &str, due_ms: i64) -> WebhookEvent {
    WebhookEvent {
        id: event_id(subject, event_type),
        owner: owner.clone(),
        subject: subject.into(),
        event_type: event_type.into(),
        url: "https://example.com/hook".into(),
        body: format!("{{\"type\":\"{event_type}\"}}").into_bytes(),
        status: DeliveryStatus::Pending,
        attempts: 0,
        created_at_ms: due_ms,
        next_attempt_ms: due_ms,
        first_attempt_ms: None,
        finished_at_ms: None,
    }
}

fn attempt(n: u32, at_ms: i64, status_code: Option<u16>) -> AttemptRecord {
    AttemptRecord {
        attempt: n,
        at_ms,
        status_code,
        error: status_code.is_none().then(|| "refused".into()),
        duration_ms: 3,
    }
}

fn subject() -> String {
    format!("req_{}", &UserId::generate().as_str()[4..])
}

pub async fn webhook_secret_made_once_and_rotated(store: Arc<dyn Store>) {
    let owner = new_user(&store).await.user.id;
    assert!(store.webhook_secrets(&owner).await.unwrap().is_empty());
    let first = secret_record(&owner, sealed("v1", 1));
    assert_eq!(store.insert_webhook_secret_if_absent(&first).await.unwrap(), Some(true));
    assert_eq!(
        store.insert_webhook_secret_if_absent(&secret_record(&owner, sealed("v1", 2))).await.unwrap(),
        Some(false)
    );
    assert_eq!(store.webhook_secrets(&owner).await.unwrap(), vec![first.clone()]);
    let stranger = secret_record(&UserId::generate(), sealed("v1", 3));
    assert_eq!(store.insert_webhook_secret_if_absent(&stranger).await.unwrap(), None);
    assert_eq!(store.rotate_webhook_secret(&stranger, from_now(60)).await.unwrap(), None);

    let second = secret_record(&owner, sealed("v1", 4));
    let until = from_now(86_400);
    assert_eq!(store.rotate_webhook_secret(&second, until).await.unwrap(), Some(true));
    let secrets = store.webhook_secrets(&owner).await.unwrap();
    assert_eq!(secrets.len(), 2);
    assert_eq!(secrets[0], second, "the current one first");
    assert_eq!((secrets[1].id.as_str(), secrets[1].retired_until), (first.id.as_str(), Some(until)));

    let third = secret_record(&owner, sealed("v1", 5));
    assert_eq!(store.rotate_webhook_secret(&third, until).await.unwrap(), Some(true));
    let ids: Vec<String> = store.webhook_secrets(&owner).await.unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(ids, [third.id.clone(), second.id.clone()], "the oldest is forgotten");

    let fresh = new_user(&store).await.user.id;
    let made = secret_record(&fresh, sealed("v1", 6));
    assert_eq!(store.rotate_webhook_secret(&made, until).await.unwrap(), Some(false), "nothing to retire");
    assert_eq!(store.webhook_secrets(&fresh).await.unwrap(), vec![made]);
}

pub async fn webhook_enqueue_twice_stores_one_event(store: Arc<dyn Store>) {
    let owner = new_user(&store).await.user.id;
    let subject = subject();
    let e = event(&owner, &subject, "proof_request.completed", now_ms());
    assert!(store.enqueue_webhook_event(&e).await.unwrap());
    let mut again = e.clone();
    again.body = b"{\"other\":true}".to_vec();
    assert!(!store.enqueue_webhook_event(&again).await.unwrap());
    assert_eq!(store.webhook_events_for_subject(&owner, &subject, 10).await.unwrap(), vec![e.clone()]);
    let declined = event(&owner, &subject, "proof_request.declined", now_ms() + 1);
    assert!(store.enqueue_webhook_event(&declined).await.unwrap());
    let listed = store.webhook_events_for_subject(&owner, &subject, 10).await.unwrap();
    assert_eq!(listed, vec![e.clone(), declined]);
    assert_eq!(store.webhook_events_for_subject(&owner, &subject, 1).await.unwrap().len(), 1, "limit");
    let other = new_user(&store).await.user.id;
    assert!(store.webhook_events_for_subject(&other, &subject, 10).await.unwrap().is_empty(), "owner's only");
    assert!(store.webhook_attempts(&e.id, 10).await.unwrap().is_empty());
    assert!(matches!(store.erase_user(&owner, now()).await.unwrap(), Erasure::Erased(_)));
}

pub async fn webhook_racing_claimers_each_event_once(store: Arc<dyn Store>) {
    let owner = new_user(&store).await.user.id;
    let t = now_ms();
    let mine: Vec<String> = {
        let subject = subject();
        let mut ids = Vec::new();
        for i in 0..12 {
            let e = event(&owner, &subject, &format!("test.event_{i}"), t - 1_000);
            assert!(store.enqueue_webhook_event(&e).await.unwrap());
            ids.push(e.id);
        }
        ids
    };
    let mut claimers = JoinSet::new();
    for c in 0..4 {
        let store = Arc::clone(&store);
        claimers.spawn(async move {
            let owner = format!("claimer-{c}-{}", UserId::generate().as_str());
            let claimed = store.claim_due_webhook_events(t, &owner, t + 60_000, WIDE).await.unwrap();
            (owner, claimed)
        });
    }
    let mut holder_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (owner, claimed) in claimers.join_all().await {
        for e in claimed.into_iter().filter(|e| mine.contains(&e.id)) {
            assert_eq!((e.status, e.attempts), (DeliveryStatus::Pending, 0));
            holder_of.entry(e.id).or_default().push(owner.clone());
        }
    }
    assert_eq!(holder_of.len(), mine.len(), "every due event was claimed");
    assert!(holder_of.values().all(|owners| owners.len() == 1), "each by one claimer: {holder_of:?}");
    let again = store.claim_due_webhook_events(t, "late", t + 60_000, WIDE).await.unwrap();
    assert!(!again.iter().any(|e| mine.contains(&e.id)), "leased events are not claimed again");
    for (id, owners) in &holder_of {
        assert!(!store
            .record_webhook_attempt(id, "late", &attempt(1, t, Some(200)), AfterAttempt::Delivered)
            .await
            .unwrap());
        assert!(store
            .record_webhook_attempt(id, &owners[0], &attempt(1, t, Some(200)), AfterAttempt::Delivered)
            .await
            .unwrap());
        assert!(
            !store
                .record_webhook_attempt(id, &owners[0], &attempt(2, t, Some(200)), AfterAttempt::Delivered)
                .await
                .unwrap(),
            "a delivered event takes no more attempts"
        );
    }
    assert!(matches!(store.erase_user(&owner, now()).await.unwrap(), Erasure::Erased(_)));
}

pub async fn webhook_expired_lease_is_claimed_again(store: Arc<dyn Store>) {
    let owner = new_user(&store).await.user.id;
    let subject = subject();
    let t = now_ms();
    let e = event(&owner, &subject, "proof_request.expired", t - 10);
    assert!(store.enqueue_webhook_event(&e).await.unwrap());
    let ours = |claimed: Vec<WebhookEvent>| claimed.into_iter().find(|c| c.id == e.id);
    assert!(ours(store.claim_due_webhook_events(t, "a", t + 1_000, WIDE).await.unwrap()).is_some());
    assert!(
        ours(store.claim_due_webhook_events(t + 500, "b", t + 1_500, WIDE).await.unwrap()).is_none(),
        "still a's"
    );
    // A crashed: its lease runs out and b takes the event over.
    assert!(ours(store.claim_due_webhook_events(t + 1_000, "b", t + 2_000, WIDE).await.unwrap()).is_some());
    assert!(
        !store
            .record_webhook_attempt(&e.id, "a", &attempt(1, t, None), AfterAttempt::Delivered)
            .await
            .unwrap(),
        "a lost it"
    );
    let retry_at = t + 5_000;
    assert!(store
        .record_webhook_attempt(
            &e.id,
            "b",
            &attempt(1, t + 1_000, Some(500)),
            AfterAttempt::Retry { at_ms: retry_at }
        )
        .await
        .unwrap());
    let stored = store.webhook_events_for_subject(&owner, &subject, 10).await.unwrap().remove(0);
    assert_eq!(
        (
            stored.status,
            stored.attempts,
            stored.first_attempt_ms,
            stored.next_attempt_ms,
            stored.finished_at_ms
        ),
        (DeliveryStatus::Pending, 1, Some(t + 1_000), retry_at, None)
    );
    assert!(
        ours(store.claim_due_webhook_events(retry_at - 1, "c", t + 9_000, WIDE).await.unwrap()).is_none(),
        "not due yet"
    );
    let claimed = ours(store.claim_due_webhook_events(retry_at, "c", retry_at + 1_000, WIDE).await.unwrap())
        .expect("due");
    assert_eq!(claimed.attempts, 1);
    assert!(store
        .record_webhook_attempt(&e.id, "c", &attempt(2, retry_at, None), AfterAttempt::Failed)
        .await
        .unwrap());
    let stored = store.webhook_events_for_subject(&owner, &subject, 10).await.unwrap().remove(0);
    assert_eq!(
        (stored.status, stored.attempts, stored.finished_at_ms),
        (DeliveryStatus::Failed, 2, Some(retry_at + 3))
    );
    assert!(ours(
        store.claim_due_webhook_events(retry_at + 10_000, "d", retry_at + 20_000, WIDE).await.unwrap()
    )
    .is_none());
    let attempts = store.webhook_attempts(&e.id, 10).await.unwrap();
    assert_eq!(attempts, vec![attempt(1, t + 1_000, Some(500)), attempt(2, retry_at, None)]);
    assert_eq!(store.webhook_attempts(&e.id, 1).await.unwrap().len(), 1, "limit");
    assert!(matches!(store.erase_user(&owner, now()).await.unwrap(), Erasure::Erased(_)));
}

pub async fn webhook_erasure_takes_secrets_events_and_attempts(store: Arc<dyn Store>) {
    let owner = new_user(&store).await.user.id;
    let keeper = new_user(&store).await.user.id;
    let subject = subject();
    for who in [&owner, &keeper] {
        assert_eq!(
            store.insert_webhook_secret_if_absent(&secret_record(who, sealed("v1", 1))).await.unwrap(),
            Some(true)
        );
    }
    let t = now_ms();
    let gone = event(&owner, &subject, "proof_request.completed", t - 10);
    let kept = event(&keeper, &format!("{subject}-kept"), "proof_request.completed", t - 10);
    for e in [&gone, &kept] {
        assert!(store.enqueue_webhook_event(e).await.unwrap());
    }
    let claimed = store.claim_due_webhook_events(t, "w", t + 60_000, WIDE).await.unwrap();
    assert!(claimed.iter().any(|c| c.id == gone.id));
    assert!(store
        .record_webhook_attempt(
            &gone.id,
            "w",
            &attempt(1, t, Some(503)),
            AfterAttempt::Retry { at_ms: t + 10 }
        )
        .await
        .unwrap());

    assert!(matches!(store.erase_user(&owner, now()).await.unwrap(), Erasure::Erased(_)));
    assert!(store.webhook_secrets(&owner).await.unwrap().is_empty());
    assert!(store.webhook_events_for_subject(&owner, &subject, 10).await.unwrap().is_empty());
    assert!(store.webhook_attempts(&gone.id, 10).await.unwrap().is_empty());
    assert_eq!(store.webhook_secrets(&keeper).await.unwrap().len(), 1, "others keep theirs");
    assert_eq!(
        store.webhook_events_for_subject(&keeper, &format!("{subject}-kept"), 10).await.unwrap().len(),
        1
    );
    assert!(matches!(store.erase_user(&keeper, now()).await.unwrap(), Erasure::Erased(_)));
}
