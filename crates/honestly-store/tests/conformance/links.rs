//! Share links and the atomic consumption of accesses.

use std::sync::Arc;

use honestly_core::ids::{DocumentId, LinkId, ProofId, UserId};
use honestly_core::links::ShareLink;
use honestly_core::store::Store;
use honestly_core::timeline::{TimelineEvent, TimelineKind};
use tokio::task::JoinSet;

use crate::support::{from_now, insert_document, new_link, new_user, now};

fn accessed() -> TimelineEvent {
    // The store fills in the owner, the link and the document.
    TimelineEvent::new(&UserId::generate(), TimelineKind::LinkAccessed)
}

/// How many `link_accessed` events the user's timeline holds.
async fn accesses(store: &Arc<dyn Store>, user_id: &UserId) -> usize {
    let events = store.timeline(user_id, 100).await.unwrap();
    events.into_iter().filter(|e| e.kind == TimelineKind::LinkAccessed).count()
}

pub async fn link_lifecycle(store: Arc<dyn Store>) {
    let owner = new_user(&store).await;
    let other = new_user(&store).await;
    let uid = &owner.user.id;
    let doc = insert_document(&store, uid).await;
    let mut first = new_link(uid, &doc.meta.id, Some(3), 0);
    first.proof_id = Some(ProofId::generate());
    first.passphrase_hash = Some("$argon2id$passphrase".into());
    let second = new_link(uid, &doc.meta.id, None, 0);
    for l in [&first, &second] {
        assert!(store
            .insert_link(l, &TimelineEvent::new(uid, TimelineKind::LinkCreated).link(&l.id))
            .await
            .unwrap());
    }
    assert_eq!(store.link_by_token_hash(&first.token_hash).await.unwrap(), Some(first.clone()));
    assert_eq!(store.link_by_token_hash("missing").await.unwrap(), None);
    assert_eq!(store.links_of_user(uid, 10).await.unwrap(), vec![second.clone(), first.clone()]);
    assert_eq!(store.links_of_user(uid, 1).await.unwrap(), vec![second.clone()]);
    assert!(store.links_of_user(&other.user.id, 10).await.unwrap().is_empty());

    let consumed = store.consume_link_access(&first.token_hash, now(), &accessed()).await.unwrap();
    assert_eq!(consumed.map(|l| l.access_count), Some(1));
    let unlimited = store.consume_link_access(&second.token_hash, now(), &accessed()).await.unwrap();
    assert_eq!(unlimited.map(|l| l.access_count), Some(1));
    assert_eq!(store.link_by_token_hash(&first.token_hash).await.unwrap().unwrap().access_count, 1);
    let event = &store.timeline(uid, 1).await.unwrap()[0];
    assert_eq!(
        (event.kind, event.link_id.as_ref(), event.document_id.as_ref()),
        (TimelineKind::LinkAccessed, Some(&second.id), Some(&doc.meta.id))
    );

    let revoked = TimelineEvent::new(uid, TimelineKind::LinkRevoked).link(&first.id);
    assert!(!store.revoke_link(&other.user.id, &first.id, now(), &revoked).await.unwrap());
    assert!(store.revoke_link(uid, &first.id, now(), &revoked).await.unwrap());
    assert!(!store.revoke_link(uid, &first.id, now(), &revoked).await.unwrap());
    assert!(!store.revoke_link(uid, &LinkId::generate(), now(), &revoked).await.unwrap());
    assert!(store.link_by_token_hash(&first.token_hash).await.unwrap().unwrap().revoked_at.is_some());
    assert_eq!(store.consume_link_access(&first.token_hash, now(), &accessed()).await.unwrap(), None);
    assert_eq!(store.consume_link_access("missing", now(), &accessed()).await.unwrap(), None);
    assert_eq!(store.timeline(uid, 1).await.unwrap()[0].kind, TimelineKind::LinkRevoked);
}

pub async fn link_refused_when_expired_exhausted_or_document_gone(store: Arc<dyn Store>) {
    let owner = new_user(&store).await;
    let uid = &owner.user.id;
    let doc = insert_document(&store, uid).await;
    let created = |l: &ShareLink| TimelineEvent::new(uid, TimelineKind::LinkCreated).link(&l.id);

    let mut expired = new_link(uid, &doc.meta.id, None, 0);
    expired.expires_at = from_now(-1);
    let exhausted = new_link(uid, &doc.meta.id, Some(2), 2);
    let doomed = new_link(uid, &doc.meta.id, Some(10), 0);
    for l in [&expired, &exhausted, &doomed] {
        assert!(store.insert_link(l, &created(l)).await.unwrap());
    }
    // A link to no document is never stored.
    let orphan = new_link(uid, &DocumentId::generate(), None, 0);
    assert!(!store.insert_link(&orphan, &created(&orphan)).await.unwrap());
    assert_eq!(store.consume_link_access(&expired.token_hash, now(), &accessed()).await.unwrap(), None);
    // At exactly its expiry second a link is expired.
    let at_expiry =
        store.consume_link_access(&doomed.token_hash, doomed.expires_at, &accessed()).await.unwrap();
    assert_eq!(at_expiry, None);
    assert_eq!(store.consume_link_access(&exhausted.token_hash, now(), &accessed()).await.unwrap(), None);
    assert_eq!(store.consume_link_access(&orphan.token_hash, now(), &accessed()).await.unwrap(), None);
    assert!(store.consume_link_access(&doomed.token_hash, now(), &accessed()).await.unwrap().is_some());

    let deleted = TimelineEvent::new(uid, TimelineKind::DocumentDeleted).document(&doc.meta.id);
    assert!(store.delete_document(uid, &doc.meta.id, &deleted).await.unwrap());
    assert_eq!(store.consume_link_access(&doomed.token_hash, now(), &accessed()).await.unwrap(), None);
    // The document's links went with it.
    assert_eq!(store.link_by_token_hash(&doomed.token_hash).await.unwrap(), None);
    // Refusals write no timeline event.
    let accesses = accesses(&store, uid).await;
    assert_eq!(accesses, 1);
}

/// A link is stored only to a document that exists and is its owner's; refused, nothing is
/// written (not even its timeline event).
pub async fn link_refused_without_its_owners_document(store: Arc<dyn Store>) {
    let owner = new_user(&store).await;
    let other = new_user(&store).await;
    let uid = &owner.user.id;
    let foreign = insert_document(&store, &other.user.id).await;
    let doomed = insert_document(&store, uid).await;
    let deleted = TimelineEvent::new(uid, TimelineKind::DocumentDeleted).document(&doomed.meta.id);
    assert!(store.delete_document(uid, &doomed.meta.id, &deleted).await.unwrap());
    for document_id in [DocumentId::generate(), foreign.meta.id.clone(), doomed.meta.id.clone()] {
        let link = new_link(uid, &document_id, None, 0);
        let event = TimelineEvent::new(uid, TimelineKind::LinkCreated).link(&link.id);
        assert!(!store.insert_link(&link, &event).await.unwrap(), "a link to {document_id}");
        assert_eq!(store.link_by_token_hash(&link.token_hash).await.unwrap(), None);
    }
    assert!(store.links_of_user(uid, 10).await.unwrap().is_empty());
    let kinds: Vec<_> = store.timeline(uid, 10).await.unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [TimelineKind::DocumentDeleted, TimelineKind::DocumentUploaded]);
}

pub async fn link_concurrent_consumption_exact(store: Arc<dyn Store>) {
    let owner = new_user(&store).await;
    let uid = &owner.user.id;
    let doc = insert_document(&store, uid).await;
    // 5 accesses left.
    let link = new_link(uid, &doc.meta.id, Some(7), 2);
    store
        .insert_link(&link, &TimelineEvent::new(uid, TimelineKind::LinkCreated).link(&link.id))
        .await
        .unwrap();
    let mut tasks = JoinSet::new();
    for _ in 0..20 {
        let (store, hash) = (Arc::clone(&store), link.token_hash.clone());
        tasks.spawn(async move { store.consume_link_access(&hash, now(), &accessed()).await.unwrap() });
    }
    let results = tasks.join_all().await;
    let mut counts: Vec<u32> = results.iter().flatten().map(|l| l.access_count).collect();
    counts.sort_unstable();
    assert_eq!(counts, vec![3, 4, 5, 6, 7]);
    assert_eq!(store.link_by_token_hash(&link.token_hash).await.unwrap().unwrap().access_count, 7);
    let accesses = accesses(&store, uid).await;
    assert_eq!(accesses, 5);
}
