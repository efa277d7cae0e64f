//! Proof requests: stored and read back whole, listed newest first by page, found by token
//! hash; ended atomically (exactly one of concurrent answers wins, answers after the expiry
//! change nothing, one answer per holder nullifier for a verifier's scope); expired by sweeps
//! that report each request once; erased with their owner. An ended request's webhook event
//! is written with its end, once, and only by the call that ended it.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use honestly_core::ids::{IssuerId, ProofRequestId, UserId};
use honestly_core::proof_requests::{
    Disclosed, Finish, FinishOutcome, IssuerRef, ProofRequestRecord, ProofRequestResult, ProofRequestSpec,
    ProofRequestStatus, RequestedProof,
};
use honestly_core::store::{Announcement, Erasure, Store};
use honestly_core::webhooks::{DeliveryStatus, WebhookEvent};
use honestly_core::zk::credential_proofs::CredentialQuery;
use tokio::task::JoinSet;

use crate::support::{from_now, is_conflict, new_user, now, random_hash};

/// A pending request of `owner` with `scope`, expiring `ttl` seconds from now (in the past
/// when negative).
fn request(owner: &UserId, scope: &str, ttl: i64) -> ProofRequestRecord {
    ProofRequestRecord {
        id: ProofRequestId::generate(),
        owner: owner.clone(),
        spec: ProofRequestSpec {
            purpose: "Entry to the bar".into(),
            proof_type: RequestedProof::CredentialQuery,
            query: CredentialQuery { min_age: Some(18), ..CredentialQuery::default() },
            trusted_issuers: vec![IssuerId::generate()],
            scope: scope.into(),
            nonce: "12345".into(),
            unique_per_holder: true,
            callback_url: Some("https://verifier.example/hook".into()),
            redirect_url: None,
            ttl_seconds: 600,
        },
        token_hash: random_hash(),
        status: ProofRequestStatus::Pending,
        created_at: from_now(-5),
        expires_at: from_now(ttl),
        finished_at: None,
        result: None,
    }
}

fn result(nullifier: &str) -> ProofRequestResult {
    ProofRequestResult {
        verified: true,
        checks: BTreeMap::from([("min_age".to_owned(), true)]),
        disclosed: Disclosed { nationality: Some("DEU".into()) },
        nullifier: nullifier.into(),
        issuer: Some(IssuerRef {
            id: IssuerId::parse(&format!("iss_{}", "0".repeat(32))).unwrap(),
            name: "Registry".into(),
        }),
        self_declared: false,
        proof_type: "credential_query".into(),
        proof: serde_json::json!({"protocol": "groth16"}),
        public_signals: vec!["1".into(), "2".into()],
    }
}

/// An announcement of nothing.
fn silent() -> Arc<Announcement> {
    Arc::new(|_: &ProofRequestRecord| None)
}

/// An announcement of an event named by the request's id and status, counting its calls.
fn announcing(calls: &Arc<AtomicUsize>) -> Arc<Announcement> {
    let calls = Arc::clone(calls);
    Arc::new(move |r: &ProofRequestRecord| {
        calls.fetch_add(1, Ordering::SeqCst);
        Some(WebhookEvent {
            id: format!("msg_{}_{}", r.id, r.status),
            owner: r.owner.clone(),
            subject: r.id.to_string(),
            event_type: format!("proof_request.{}", r.status),
            url: "https://verifier.example/hook".into(),
            body: serde_json::to_vec(&serde_json::json!({"data": {"status": r.status.to_string()}})).unwrap(),
            status: DeliveryStatus::Pending,
            attempts: 0,
            created_at_ms: 1,
            next_attempt_ms: 1,
            first_attempt_ms: None,
            finished_at_ms: None,
        })
    })
}

/// The event types stored about request `r`.
async fn announced(store: &Arc<dyn Store>, r: &ProofRequestRecord) -> Vec<String> {
    let events = store.webhook_events_for_subject(&r.owner, r.id.as_str(), 10).await.unwrap();
    events.into_iter().map(|e| e.event_type).collect()
}

fn complete(nullifier: &str, unique: bool) -> Finish {
    Finish::Complete {
        result: Box::new(result(nullifier)),
        unique_nullifier: unique.then(|| nullifier.to_owned()),
    }
}

async fn stored(store: &Arc<dyn Store>, owner: &UserId, scope: &str, ttl: i64) -> ProofRequestRecord {
    let r = request(owner, scope, ttl);
    store.insert_proof_request(&r).await.unwrap();
    r
}

pub async fn proof_request_insert_read_list_and_token(store: Arc<dyn Store>) {
    let owner = new_user(&store).await.user.id;
    let stranger = new_user(&store).await.user.id;
    let a = stored(&store, &owner, "s", 600).await;
    let b = stored(&store, &owner, "s", 600).await;
    let c = stored(&store, &owner, "t", 600).await;
    let theirs = stored(&store, &stranger, "s", 600).await;

    assert_eq!(store.proof_request(&owner, &a.id).await.unwrap().as_ref(), Some(&a));
    assert!(store.proof_request(&stranger, &a.id).await.unwrap().is_none(), "not the stranger's");
    assert!(store.proof_request(&owner, &ProofRequestId::generate()).await.unwrap().is_none());
    assert_eq!(store.proof_request_by_token_hash(&b.token_hash).await.unwrap().as_ref(), Some(&b));
    assert!(store.proof_request_by_token_hash(&random_hash()).await.unwrap().is_none());

    let first = store.proof_requests_page(&owner, None, 2).await.unwrap();
    let ids: Vec<_> = first.iter().map(|(_, r)| r.id.clone()).collect();
    assert_eq!(ids, [c.id.clone(), b.id.clone()], "newest first");
    let rest = store.proof_requests_page(&owner, Some(first[1].0), 10).await.unwrap();
    assert_eq!(rest.iter().map(|(_, r)| &r.id).collect::<Vec<_>>(), [&a.id]);
    let all = store.proof_requests_page(&stranger, None, 10).await.unwrap();
    assert_eq!(all.iter().map(|(_, r)| &r.id).collect::<Vec<_>>(), [&theirs.id]);

    // A request of nobody is refused.
    let orphan = request(&UserId::generate(), "s", 600);
    assert!(is_conflict(store.insert_proof_request(&orphan).await));
    assert!(store.proof_request_by_token_hash(&orphan.token_hash).await.unwrap().is_none());
}

pub async fn proof_request_finish_rules(store: Arc<dyn Store>) {
    let owner = new_user(&store).await.user.id;
    let open = stored(&store, &owner, "rules", 600).await;
    let at = now();
    let done = match store.finish_proof_request(&open.id, &complete("7", false), at, silent()).await.unwrap()
    {
        FinishOutcome::Done(done) => done,
        other => panic!("expected Done, got {other:?}"),
    };
    assert_eq!(done.status, ProofRequestStatus::Completed);
    assert_eq!(done.finished_at, Some(at));
    assert_eq!(done.result, Some(result("7")));
    assert_eq!(store.proof_request(&owner, &open.id).await.unwrap(), Some(done.clone()));
    // Ended once: later answers, declines and expiries change nothing.
    for finish in [complete("8", false), Finish::Decline, Finish::Expire] {
        match store.finish_proof_request(&open.id, &finish, now(), silent()).await.unwrap() {
            FinishOutcome::NotPending(now) => assert_eq!(now, done),
            other => panic!("expected NotPending, got {other:?}"),
        }
    }

    let declined = stored(&store, &owner, "rules", 600).await;
    assert!(matches!(
        store.finish_proof_request(&declined.id, &Finish::Decline, now(), silent()).await.unwrap(),
        FinishOutcome::Done(r) if r.status == ProofRequestStatus::Declined && r.result.is_none()
    ));
    // Not due: no expiry.
    let fresh = stored(&store, &owner, "rules", 600).await;
    assert!(matches!(
        store.finish_proof_request(&fresh.id, &Finish::Expire, now(), silent()).await.unwrap(),
        FinishOutcome::NotPending(r) if r.status == ProofRequestStatus::Pending
    ));
    // Past its expiry: answers are too late and change nothing; the expiry ends it.
    let late = stored(&store, &owner, "rules", -1).await;
    for finish in [complete("9", true), Finish::Decline] {
        assert!(matches!(
            store.finish_proof_request(&late.id, &finish, now(), silent()).await.unwrap(),
            FinishOutcome::TooLate(r) if r == late
        ));
    }
    assert_eq!(store.proof_request(&owner, &late.id).await.unwrap(), Some(late.clone()));
    assert!(matches!(
        store.finish_proof_request(&late.id, &Finish::Expire, now(), silent()).await.unwrap(),
        FinishOutcome::Done(r) if r.status == ProofRequestStatus::Expired
    ));
    // The late answer recorded no nullifier: the same holder may answer another request.
    let other = stored(&store, &owner, "rules", 600).await;
    assert!(matches!(
        store.finish_proof_request(&other.id, &complete("9", true), now(), silent()).await.unwrap(),
        FinishOutcome::Done(_)
    ));
    assert_eq!(
        store
            .finish_proof_request(&ProofRequestId::generate(), &Finish::Decline, now(), silent())
            .await
            .unwrap(),
        FinishOutcome::NotFound
    );
}

pub async fn proof_request_concurrent_answers_one_wins(store: Arc<dyn Store>) {
    let owner = new_user(&store).await.user.id;
    let r = stored(&store, &owner, "race", 600).await;
    let mut tasks = JoinSet::new();
    for i in 0..20 {
        let (store, id) = (Arc::clone(&store), r.id.clone());
        tasks.spawn(async move {
            let finish = if i % 5 == 0 { Finish::Decline } else { complete(&format!("{i}"), i % 2 == 0) };
            store.finish_proof_request(&id, &finish, now(), silent()).await.unwrap()
        });
    }
    let mut done = 0;
    while let Some(outcome) = tasks.join_next().await {
        match outcome.unwrap() {
            FinishOutcome::Done(_) => done += 1,
            FinishOutcome::NotPending(now) => assert_ne!(now.status, ProofRequestStatus::Pending),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(done, 1, "exactly one answer ends the request");
}

pub async fn proof_request_one_answer_per_holder_and_scope(store: Arc<dyn Store>) {
    let owner = new_user(&store).await.user.id;
    let other_owner = new_user(&store).await.user.id;
    let first = stored(&store, &owner, "club", 600).await;
    let second = stored(&store, &owner, "club", 600).await;
    assert!(matches!(
        store.finish_proof_request(&first.id, &complete("42", true), now(), silent()).await.unwrap(),
        FinishOutcome::Done(_)
    ));
    assert_eq!(
        store.finish_proof_request(&second.id, &complete("42", true), now(), silent()).await.unwrap(),
        FinishOutcome::AlreadyAnswered
    );
    assert_eq!(store.proof_request(&owner, &second.id).await.unwrap(), Some(second.clone()), "unchanged");
    // Another holder (nullifier), another scope, another verifier, or a request that allows
    // repeats: all fine.
    assert!(matches!(
        store.finish_proof_request(&second.id, &complete("43", true), now(), silent()).await.unwrap(),
        FinishOutcome::Done(_)
    ));
    for r in
        [stored(&store, &owner, "other-scope", 600).await, stored(&store, &other_owner, "club", 600).await]
    {
        assert!(matches!(
            store.finish_proof_request(&r.id, &complete("42", true), now(), silent()).await.unwrap(),
            FinishOutcome::Done(_)
        ));
    }
    let repeatable = stored(&store, &owner, "club", 600).await;
    assert!(matches!(
        store.finish_proof_request(&repeatable.id, &complete("42", false), now(), silent()).await.unwrap(),
        FinishOutcome::Done(_)
    ));

    // The same holder answering several requests of one scope at once: one wins.
    let mut tasks = JoinSet::new();
    for _ in 0..8 {
        let r = stored(&store, &owner, "rush", 600).await;
        let store = Arc::clone(&store);
        tasks.spawn(async move {
            store.finish_proof_request(&r.id, &complete("77", true), now(), silent()).await.unwrap()
        });
    }
    let mut outcomes = Vec::new();
    while let Some(outcome) = tasks.join_next().await {
        outcomes.push(outcome.unwrap());
    }
    assert_eq!(outcomes.iter().filter(|o| matches!(o, FinishOutcome::Done(_))).count(), 1);
    assert_eq!(outcomes.iter().filter(|o| **o == FinishOutcome::AlreadyAnswered).count(), 7);
}

pub async fn proof_request_expiry_sweeps_report_each_once(store: Arc<dyn Store>) {
    let owner = new_user(&store).await.user.id;
    let mut due = HashSet::new();
    for _ in 0..5 {
        due.insert(stored(&store, &owner, "sweep", -2).await.id);
    }
    let fresh = stored(&store, &owner, "sweep", 600).await;
    let mut tasks = JoinSet::new();
    for _ in 0..4 {
        let store = Arc::clone(&store);
        tasks.spawn(async move { store.expire_due_proof_requests(now(), 1000, silent()).await.unwrap() });
    }
    let mut seen = Vec::new();
    while let Some(expired) = tasks.join_next().await {
        for r in expired.unwrap() {
            assert_eq!(r.status, ProofRequestStatus::Expired);
            assert!(r.finished_at.is_some());
            // Requests of other tests may expire in the same sweep (a shared database).
            if r.owner == owner {
                seen.push(r.id);
            }
        }
    }
    let unique: HashSet<_> = seen.iter().cloned().collect();
    assert_eq!(seen.len(), unique.len(), "each request reported once");
    assert_eq!(unique, due);
    assert_eq!(
        store.proof_request(&owner, &fresh.id).await.unwrap().map(|r| r.status),
        Some(ProofRequestStatus::Pending)
    );
    // A sweep takes at most its batch.
    for _ in 0..3 {
        stored(&store, &owner, "batch", -2).await;
    }
    assert_eq!(store.expire_due_proof_requests(now(), 1, silent()).await.unwrap().len(), 1);
}

pub async fn proof_request_erased_with_owner(store: Arc<dyn Store>) {
    let owner = new_user(&store).await.user.id;
    let answered = stored(&store, &owner, "gone", 600).await;
    assert!(matches!(
        store.finish_proof_request(&answered.id, &complete("5", true), now(), silent()).await.unwrap(),
        FinishOutcome::Done(_)
    ));
    let open = stored(&store, &owner, "gone", 600).await;
    assert!(matches!(store.erase_user(&owner, now()).await.unwrap(), Erasure::Erased(_)));
    assert!(store.proof_request_by_token_hash(&open.token_hash).await.unwrap().is_none());
    assert!(store.proof_request_by_token_hash(&answered.token_hash).await.unwrap().is_none());
    assert!(store.proof_requests_page(&owner, None, 10).await.unwrap().is_empty());
}

pub async fn proof_request_end_and_its_event_are_one_write(store: Arc<dyn Store>) {
    let owner = new_user(&store).await.user.id;
    let calls = Arc::new(AtomicUsize::new(0));
    let open = stored(&store, &owner, "announce", 600).await;
    let done =
        store.finish_proof_request(&open.id, &complete("3", true), now(), announcing(&calls)).await.unwrap();
    assert!(matches!(done, FinishOutcome::Done(_)));
    assert_eq!(announced(&store, &open).await, ["proof_request.completed"]);
    let event = &store.webhook_events_for_subject(&owner, open.id.as_str(), 10).await.unwrap()[0];
    assert_eq!(event.status, DeliveryStatus::Pending);
    assert_eq!(event.body, br#"{"data":{"status":"completed"}}"#);

    // Calls that end nothing announce nothing.
    let before = calls.load(Ordering::SeqCst);
    for finish in [Finish::Decline, Finish::Expire, complete("4", false)] {
        let outcome = store.finish_proof_request(&open.id, &finish, now(), announcing(&calls)).await.unwrap();
        assert!(matches!(outcome, FinishOutcome::NotPending(_)));
    }
    let twin = stored(&store, &owner, "announce", 600).await;
    let refused = store.finish_proof_request(&twin.id, &complete("3", true), now(), announcing(&calls)).await;
    assert_eq!(refused.unwrap(), FinishOutcome::AlreadyAnswered);
    let late = stored(&store, &owner, "announce", -2).await;
    let too_late = store.finish_proof_request(&late.id, &Finish::Decline, now(), announcing(&calls)).await;
    assert!(matches!(too_late.unwrap(), FinishOutcome::TooLate(_)));
    assert_eq!(calls.load(Ordering::SeqCst), before, "announced only by an end");
    assert_eq!(announced(&store, &open).await, ["proof_request.completed"]);
    assert!(announced(&store, &twin).await.is_empty());
    assert!(announced(&store, &late).await.is_empty());

    // A declined request announces its decline; an expiry sweep announces each expiry.
    let declined = stored(&store, &owner, "announce", 600).await;
    store.finish_proof_request(&declined.id, &Finish::Decline, now(), announcing(&calls)).await.unwrap();
    assert_eq!(announced(&store, &declined).await, ["proof_request.declined"]);
    let expired = store.expire_due_proof_requests(now(), 1000, announcing(&calls)).await.unwrap();
    assert!(expired.iter().any(|r| r.id == late.id));
    assert_eq!(announced(&store, &late).await, ["proof_request.expired"]);

    // An event id stored before is kept as it was.
    let again = stored(&store, &owner, "announce", 600).await;
    let first = WebhookEvent { id: format!("msg_{}_completed", again.id), ..event.clone() };
    assert!(store.enqueue_webhook_event(&first).await.unwrap());
    store.finish_proof_request(&again.id, &complete("5", false), now(), announcing(&calls)).await.unwrap();
    let kept = store.webhook_events_for_subject(&owner, open.id.as_str(), 10).await.unwrap();
    assert_eq!(kept.len(), 2, "the request's own event and the earlier one of the same subject");
    assert!(announced(&store, &again).await.is_empty(), "the earlier event keeps its subject");
}
