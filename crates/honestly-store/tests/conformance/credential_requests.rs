//! Credential requests: the pending cap and document ownership, lists, decisions (atomic, once,
//! only while the document exists) and withdrawal.

use std::sync::Arc;

use honestly_core::ids::{CredentialRequestId, DocumentId, IssuerId, UserId};
use honestly_core::issuance::{
    CredentialRequestRecord, Decision, DecisionOutcome, HeldCredential, RequestStatus,
};
use honestly_core::store::Store;
use honestly_core::timeline::{TimelineEvent, TimelineKind};
use tokio::task::JoinSet;

use crate::issuers::{approval, new_issuer, request_record};
use crate::support::{at, insert_document, new_user, now};

/// A pending request of `holder` for `document_id` to `issuer_id` made at `created_at`, stored.
async fn stored_request(
    store: &Arc<dyn Store>,
    holder: &UserId,
    document_id: &DocumentId,
    issuer_id: &IssuerId,
    created_at: &str,
) -> CredentialRequestRecord {
    let request = request_record(holder, document_id, issuer_id, at(created_at));
    assert!(store.insert_credential_request(&request, 10).await.unwrap());
    request
}

fn ids(requests: &[CredentialRequestRecord]) -> Vec<&CredentialRequestId> {
    requests.iter().map(|r| &r.id).collect()
}

fn reject(reason: &str) -> Decision {
    Decision::Reject { reason: reason.into() }
}

pub async fn credential_request_insert_limits_and_lists(store: Arc<dyn Store>) {
    let issuer = new_issuer(&store).await;
    let other_issuer = new_issuer(&store).await;
    let holder = new_user(&store).await.user.id;
    let stranger = new_user(&store).await.user.id;
    let doc = insert_document(&store, &holder).await.meta.id;
    let theirs = insert_document(&store, &stranger).await.meta.id;

    let a = stored_request(&store, &holder, &doc, &issuer.id, "2026-11-28T06:00:00Z").await;
    let b = stored_request(&store, &holder, &doc, &other_issuer.id, "2026-11-28T06:00:01Z").await;
    let c = request_record(&holder, &doc, &issuer.id, at("2026-11-28T06:00:02Z"));
    assert!(!store.insert_credential_request(&c, 2).await.unwrap(), "two pending already");
    assert!(store.credential_request(&c.id).await.unwrap().is_none());
    assert!(store.insert_credential_request(&c, 3).await.unwrap());
    assert_eq!(store.credential_request(&a.id).await.unwrap().as_ref(), Some(&a));

    // Another user's document, or one that does not exist, is refused.
    let foreign = request_record(&holder, &theirs, &issuer.id, at(CREATED));
    assert!(!store.insert_credential_request(&foreign, 10).await.unwrap());
    let missing = request_record(&holder, &DocumentId::generate(), &issuer.id, at(CREATED));
    assert!(!store.insert_credential_request(&missing, 10).await.unwrap());
    assert!(store.credential_request(&foreign.id).await.unwrap().is_none());

    // Decided requests no longer count against the cap.
    let done =
        store.decide_credential_request(&issuer.id, &a.id, &stranger, &reject("no"), now()).await.unwrap();
    assert!(matches!(done, DecisionOutcome::Done(_)), "{done:?}");
    let d = request_record(&holder, &doc, &issuer.id, at("2026-11-28T06:00:03Z"));
    assert!(store.insert_credential_request(&d, 3).await.unwrap());

    let of_holder = store.credential_requests_of_holder(&holder, 10).await.unwrap();
    assert_eq!(ids(&of_holder), [&d.id, &c.id, &b.id, &a.id], "newest first");
    assert_eq!(ids(&store.credential_requests_of_holder(&holder, 2).await.unwrap()), [&d.id, &c.id]);
    assert!(store.credential_requests_of_holder(&stranger, 10).await.unwrap().is_empty());

    let to_issuer = store.credential_requests_for_issuer(&issuer.id, None, None, 10).await.unwrap();
    assert_eq!(ids(&to_issuer), [&d.id, &c.id, &a.id]);
    let pending = store.credential_requests_for_issuer(&issuer.id, Some(RequestStatus::Pending), None, 10);
    assert_eq!(ids(&pending.await.unwrap()), [&d.id, &c.id]);
    let rejected = store.credential_requests_for_issuer(&issuer.id, Some(RequestStatus::Rejected), None, 10);
    assert_eq!(ids(&rejected.await.unwrap()), [&a.id]);
    let before =
        store.credential_requests_for_issuer(&issuer.id, None, Some(d.created_at), 10).await.unwrap();
    assert_eq!(ids(&before), [&c.id, &a.id], "strictly before");
    let page = store.credential_requests_for_issuer(&issuer.id, None, Some(d.created_at), 1).await.unwrap();
    assert_eq!(ids(&page), [&c.id]);
    let approved = store.credential_requests_for_issuer(&issuer.id, Some(RequestStatus::Approved), None, 10);
    assert!(approved.await.unwrap().is_empty());
}

const CREATED: &str = "2026-11-28T06:00:00Z";

pub async fn credential_request_decisions(store: Arc<dyn Store>) {
    let issuer = new_issuer(&store).await;
    let other_issuer = new_issuer(&store).await;
    let member = new_user(&store).await.user.id;
    let holder = new_user(&store).await.user.id;
    let doc = insert_document(&store, &holder).await.meta.id;
    let request = stored_request(&store, &holder, &doc, &issuer.id, CREATED).await;
    let decided_at = at("2026-11-29T06:00:00Z");

    // Another issuer's member cannot decide it, nor can anyone decide an unknown request.
    let approve = approval(&request, &issuer);
    let wrong = store.decide_credential_request(&other_issuer.id, &request.id, &member, &approve, decided_at);
    assert_eq!(wrong.await.unwrap(), DecisionOutcome::NotFound);
    let unknown = CredentialRequestId::generate();
    let missing = store.decide_credential_request(&issuer.id, &unknown, &member, &approve, decided_at);
    assert_eq!(missing.await.unwrap(), DecisionOutcome::NotFound);

    // Approval stores the issuer's record and the holder's copy with the decision.
    let Decision::Approve { issued, held } = &approve else { unreachable!() };
    let done = store.decide_credential_request(&issuer.id, &request.id, &member, &approve, decided_at);
    let DecisionOutcome::Done(after) = done.await.unwrap() else { panic!("not done") };
    assert_eq!(after.status, RequestStatus::Approved);
    assert_eq!(after.credential_id.as_ref(), Some(&issued.id));
    assert_eq!((after.decided_by.as_ref(), after.decided_at), (Some(&member), Some(decided_at)));
    assert_eq!((&after.sealed_claims, after.created_at), (&request.sealed_claims, request.created_at));
    assert_eq!(store.credential_request(&request.id).await.unwrap().as_ref(), Some(&after));
    assert_eq!(store.issued_credential(&issuer.id, &issued.id).await.unwrap().as_ref(), Some(issued));
    assert_eq!(store.held_credential(&holder, &held.id).await.unwrap().as_ref(), Some(held));

    // A second decision changes nothing.
    let late = reject("late");
    let again = store.decide_credential_request(&issuer.id, &request.id, &member, &late, now());
    assert_eq!(again.await.unwrap(), DecisionOutcome::NotPending(after.clone()));

    // Rejection keeps the reason; nothing is issued.
    let second = stored_request(&store, &holder, &doc, &issuer.id, CREATED).await;
    let blurry = reject("blurry");
    let done = store.decide_credential_request(&issuer.id, &second.id, &member, &blurry, decided_at);
    let DecisionOutcome::Done(rejected) = done.await.unwrap() else { panic!("not done") };
    assert_eq!((rejected.status, rejected.reason.as_deref()), (RequestStatus::Rejected, Some("blurry")));
    assert_eq!((rejected.credential_id, rejected.decided_at), (None, Some(decided_at)));
    assert_eq!(store.held_credentials(&holder, 10).await.unwrap().len(), 1);

    // An approval whose holder copy conflicts (same key and serial) stores nothing at all.
    let third = stored_request(&store, &holder, &doc, &issuer.id, CREATED).await;
    let Decision::Approve { issued: mut issued3, held: mut held3 } = approval(&third, &issuer) else {
        unreachable!()
    };
    (held3.serial, issued3.serial) = (held.serial, held.serial);
    let clash = Decision::Approve { issued: issued3.clone(), held: held3 };
    let refused = store.decide_credential_request(&issuer.id, &third.id, &member, &clash, decided_at).await;
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(store.credential_request(&third.id).await.unwrap().unwrap().status, RequestStatus::Pending);
    assert!(store.issued_credential(&issuer.id, &issued3.id).await.unwrap().is_none());
}

pub async fn credential_request_concurrent_decisions_one_done(store: Arc<dyn Store>) {
    let issuer = Arc::new(new_issuer(&store).await);
    let member = new_user(&store).await.user.id;
    let holder = new_user(&store).await.user.id;
    let doc = insert_document(&store, &holder).await.meta.id;
    let request = Arc::new(stored_request(&store, &holder, &doc, &issuer.id, CREATED).await);
    let mut tasks = JoinSet::new();
    for i in 0..8 {
        let (store, issuer, request, member) =
            (Arc::clone(&store), Arc::clone(&issuer), Arc::clone(&request), member.clone());
        tasks.spawn(async move {
            let decision = if i % 2 == 0 { approval(&request, &issuer) } else { reject("no") };
            store.decide_credential_request(&issuer.id, &request.id, &member, &decision, now()).await.unwrap()
        });
    }
    let outcomes = tasks.join_all().await;
    let done: Vec<_> = outcomes.iter().filter(|o| matches!(o, DecisionOutcome::Done(_))).collect();
    assert_eq!(done.len(), 1, "{outcomes:?}");
    let DecisionOutcome::Done(decided) = done[0] else { unreachable!() };
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, DecisionOutcome::Done(_))
                || *o == DecisionOutcome::NotPending(decided.clone()))
    );
    let held = store.held_credentials(&holder, 10).await.unwrap();
    let issued = store.issued_credentials(&issuer.id, None, 10).await.unwrap();
    let expected = usize::from(decided.status == RequestStatus::Approved);
    assert_eq!((held.len(), issued.len()), (expected, expected));
}

pub async fn credential_request_document_deleted(store: Arc<dyn Store>) {
    let issuer = new_issuer(&store).await;
    let member = new_user(&store).await.user.id;
    let holder = new_user(&store).await.user.id;
    let doc = insert_document(&store, &holder).await.meta.id;
    let kept = insert_document(&store, &holder).await.meta.id;
    let approved = stored_request(&store, &holder, &doc, &issuer.id, CREATED).await;
    let approve = approval(&approved, &issuer);
    let done =
        store.decide_credential_request(&issuer.id, &approved.id, &member, &approve, now()).await.unwrap();
    assert!(matches!(done, DecisionOutcome::Done(_)));
    let Decision::Approve { held, .. } = &approve else { unreachable!() };
    let pending = stored_request(&store, &holder, &doc, &issuer.id, CREATED).await;
    let elsewhere = stored_request(&store, &holder, &kept, &issuer.id, CREATED).await;

    let event = TimelineEvent::new(&holder, TimelineKind::DocumentDeleted).document(&doc);
    assert!(store.delete_document(&holder, &doc, &event).await.unwrap());

    // Its pending requests are withdrawn, the decided one stays as it was, the credential
    // stays without its document, and a late decision changes nothing.
    let withdrawn = store.credential_request(&pending.id).await.unwrap().unwrap();
    assert_eq!(
        (withdrawn.status, withdrawn.reason.as_deref()),
        (RequestStatus::Withdrawn, Some("document deleted"))
    );
    assert_eq!(withdrawn.decided_at, Some(event.at));
    assert_eq!(
        store.credential_request(&approved.id).await.unwrap().unwrap().status,
        RequestStatus::Approved
    );
    assert_eq!(
        store.credential_request(&elsewhere.id).await.unwrap().unwrap().status,
        RequestStatus::Pending
    );
    let copy = store.held_credential(&holder, &held.id).await.unwrap().expect("kept");
    assert_eq!(copy.document_id, None);
    assert_eq!(copy, HeldCredential { document_id: None, ..held.clone() });
    let approve_late = approval(&pending, &issuer);
    let late = store.decide_credential_request(&issuer.id, &pending.id, &member, &approve_late, now());
    assert_eq!(late.await.unwrap(), DecisionOutcome::NotPending(withdrawn));
}

pub async fn credential_request_withdraw(store: Arc<dyn Store>) {
    let issuer = new_issuer(&store).await;
    let holder = new_user(&store).await.user.id;
    let stranger = new_user(&store).await.user.id;
    let doc = insert_document(&store, &holder).await.meta.id;
    let request = stored_request(&store, &holder, &doc, &issuer.id, CREATED).await;
    let when = at("2026-11-30T06:00:00Z");

    assert_eq!(
        store.withdraw_credential_request(&stranger, &request.id, when).await.unwrap(),
        DecisionOutcome::NotFound
    );
    let unknown = CredentialRequestId::generate();
    assert_eq!(
        store.withdraw_credential_request(&holder, &unknown, when).await.unwrap(),
        DecisionOutcome::NotFound
    );
    let DecisionOutcome::Done(withdrawn) =
        store.withdraw_credential_request(&holder, &request.id, when).await.unwrap()
    else {
        panic!("not withdrawn")
    };
    assert_eq!((withdrawn.status, withdrawn.decided_at), (RequestStatus::Withdrawn, Some(when)));
    assert_eq!(
        store.withdraw_credential_request(&holder, &request.id, now()).await.unwrap(),
        DecisionOutcome::NotPending(withdrawn.clone())
    );
    let member = new_user(&store).await.user.id;
    let no = reject("no");
    let decide = store.decide_credential_request(&issuer.id, &request.id, &member, &no, now());
    assert_eq!(decide.await.unwrap(), DecisionOutcome::NotPending(withdrawn));
}
