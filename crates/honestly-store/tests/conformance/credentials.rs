//! Held credentials (cap, duplicates, ownership) and issued ones (lists, revocation once,
//! revoked serials).

use std::sync::Arc;

use honestly_core::ids::{CredentialId, IssuerId};
use honestly_core::issuance::{Decision, DecisionOutcome, IssuedCredential, IssuerRecord, RevokeOutcome};
use honestly_core::store::Store;
use tokio::task::JoinSet;

use crate::issuers::{approval, held_record, new_issuer, random_key, request_record};
use crate::support::{at, insert_document, is_conflict, new_user, now};

pub async fn held_credential_lifecycle(store: Arc<dyn Store>) {
    let holder = new_user(&store).await.user.id;
    let stranger = new_user(&store).await.user.id;
    let key = random_key();
    let first = held_record(&holder, key, at("2026-11-28T06:00:00Z"));
    let second = held_record(&holder, random_key(), at("2026-11-28T06:00:01Z"));
    assert!(store.insert_held_credential(&first, 2).await.unwrap());
    assert!(store.insert_held_credential(&second, 2).await.unwrap());
    let third = held_record(&holder, key, at("2026-11-28T06:00:02Z"));
    assert!(!store.insert_held_credential(&third, 2).await.unwrap(), "at the cap");
    assert!(store.held_credential(&holder, &third.id).await.unwrap().is_none());

    // The same key and serial twice is a conflict; another holder may keep its own copy.
    let mut duplicate = held_record(&holder, key, at("2026-11-28T06:00:03Z"));
    duplicate.serial = first.serial;
    assert!(is_conflict(store.insert_held_credential(&duplicate, 10).await));
    let mut theirs = held_record(&stranger, key, at("2026-11-28T06:00:03Z"));
    theirs.serial = first.serial;
    assert!(store.insert_held_credential(&theirs, 10).await.unwrap());
    assert!(store.insert_held_credential(&third, 10).await.unwrap());

    assert_eq!(store.held_credential(&holder, &first.id).await.unwrap().as_ref(), Some(&first));
    assert!(store.held_credential(&stranger, &first.id).await.unwrap().is_none());
    let listed: Vec<_> =
        store.held_credentials(&holder, 10).await.unwrap().into_iter().map(|c| c.id).collect();
    assert_eq!(listed, [third.id.clone(), second.id.clone(), first.id.clone()], "newest first");
    assert_eq!(store.held_credentials(&holder, 1).await.unwrap().len(), 1);

    assert!(!store.delete_held_credential(&stranger, &first.id).await.unwrap());
    assert!(store.delete_held_credential(&holder, &first.id).await.unwrap());
    assert!(!store.delete_held_credential(&holder, &first.id).await.unwrap());
    assert!(store.held_credential(&holder, &first.id).await.unwrap().is_none());
    assert_eq!(store.held_credential(&stranger, &theirs.id).await.unwrap().as_ref(), Some(&theirs));
}

/// Issues a credential of `issuer` to a fresh holder (through an approved request).
async fn issue(store: &Arc<dyn Store>, issuer: &IssuerRecord, issued_at: &str) -> IssuedCredential {
    let holder = new_user(store).await.user.id;
    let doc = insert_document(store, &holder).await.meta.id;
    let request = request_record(&holder, &doc, &issuer.id, at(issued_at));
    assert!(store.insert_credential_request(&request, 10).await.unwrap());
    let Decision::Approve { mut issued, held } = approval(&request, issuer) else { unreachable!() };
    issued.issued_at = at(issued_at);
    let decision = Decision::Approve { issued: issued.clone(), held };
    let done =
        store.decide_credential_request(&issuer.id, &request.id, &holder, &decision, now()).await.unwrap();
    assert!(matches!(done, DecisionOutcome::Done(_)), "{done:?}");
    issued
}

pub async fn credential_revocation(store: Arc<dyn Store>) {
    let issuer = new_issuer(&store).await;
    let other = new_issuer(&store).await;
    let a = issue(&store, &issuer, "2026-11-28T06:00:00Z").await;
    let b = issue(&store, &issuer, "2026-11-28T06:00:01Z").await;
    let c = issue(&store, &issuer, "2026-11-28T06:00:02Z").await;

    let listed: Vec<_> = store.issued_credentials(&issuer.id, None, 10).await.unwrap();
    assert_eq!(listed, [c.clone(), b.clone(), a.clone()], "newest first");
    let before: Vec<_> = store.issued_credentials(&issuer.id, Some(c.issued_at), 1).await.unwrap();
    assert_eq!(before.iter().map(|c| &c.id).collect::<Vec<_>>(), [&b.id]);
    assert!(store.issued_credentials(&other.id, None, 10).await.unwrap().is_empty());
    assert!(store.issued_credential(&other.id, &a.id).await.unwrap().is_none());

    let when = at("2026-12-01T06:00:00Z");
    assert_eq!(store.revoke_credential(&other.id, &a.id, when).await.unwrap(), RevokeOutcome::NotFound);
    assert_eq!(
        store.revoke_credential(&issuer.id, &CredentialId::generate(), when).await.unwrap(),
        RevokeOutcome::NotFound
    );
    assert_eq!(store.revoked_serials(&issuer.id, 10).await.unwrap(), Vec::<u128>::new());
    assert_eq!(store.revoke_credential(&issuer.id, &a.id, when).await.unwrap(), RevokeOutcome::Revoked);
    assert_eq!(
        store.revoke_credential(&issuer.id, &a.id, now()).await.unwrap(),
        RevokeOutcome::AlreadyRevoked
    );
    assert_eq!(store.issuer(&issuer.id).await.unwrap().unwrap().revocation_version, 1, "bumped once");
    assert_eq!(store.issuer(&other.id).await.unwrap().unwrap().revocation_version, 0);
    let revoked = store.issued_credential(&issuer.id, &a.id).await.unwrap().unwrap();
    assert_eq!(revoked, IssuedCredential { revoked_at: Some(when), ..a.clone() });
    assert_eq!(store.revoked_serials(&issuer.id, 10).await.unwrap(), [a.serial]);

    assert_eq!(store.revoke_credential(&issuer.id, &c.id, when).await.unwrap(), RevokeOutcome::Revoked);
    assert_eq!(store.issuer(&issuer.id).await.unwrap().unwrap().revocation_version, 2);
    let mut serials = store.revoked_serials(&issuer.id, 10).await.unwrap();
    serials.sort_unstable();
    let mut expected = vec![a.serial, c.serial];
    expected.sort_unstable();
    assert_eq!(serials, expected);
    assert_eq!(store.revoked_serials(&issuer.id, 1).await.unwrap().len(), 1);
    assert!(store.revoked_serials(&IssuerId::generate(), 10).await.unwrap().is_empty());
}

pub async fn credential_concurrent_revocations_one_wins(store: Arc<dyn Store>) {
    let issuer = new_issuer(&store).await;
    let issued = Arc::new(issue(&store, &issuer, "2026-11-28T06:00:00Z").await);
    let mut tasks = JoinSet::new();
    for _ in 0..8 {
        let (store, issued) = (Arc::clone(&store), Arc::clone(&issued));
        tasks.spawn(
            async move { store.revoke_credential(&issued.issuer_id, &issued.id, now()).await.unwrap() },
        );
    }
    let outcomes = tasks.join_all().await;
    assert_eq!(outcomes.iter().filter(|o| **o == RevokeOutcome::Revoked).count(), 1, "{outcomes:?}");
    assert!(outcomes.iter().all(|o| matches!(o, RevokeOutcome::Revoked | RevokeOutcome::AlreadyRevoked)));
    assert_eq!(store.issuer(&issuer.id).await.unwrap().unwrap().revocation_version, 1);
}
