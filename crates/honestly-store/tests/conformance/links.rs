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

/// `(max_accesses, access_count, calls)` of the links consumed in one burst, and how many
/// accesses each must grant.
const BURST: &[(Option<u32>, u32, usize, usize)] = &[
    (Some(7), 0, 200, 7),
    (Some(1), 0, 30, 1),
    (Some(4), 1, 30, 3),
    (Some(10), 0, 5, 5),
    (None, 0, 25, 25),
    (Some(2), 2, 10, 0),
];

/// The `link_accessed` events of `user_id`'s timeline with their positions.
async fn accessed_seqs(store: &Arc<dyn Store>, user_id: &UserId) -> Vec<(i64, LinkId)> {
    let page = store.timeline_page(user_id, None, 500).await.unwrap();
    page.into_iter()
        .filter(|(_, e)| e.kind == TimelineKind::LinkAccessed)
        .map(|(seq, e)| (seq, e.link_id.expect("an access names its link")))
        .collect()
}

/// Many concurrent consumptions of several links (of two owners) in one burst: each link
/// grants exactly what it has left, each granted caller sees its own count, and each owner's
/// timeline gets one event per granted access, at distinct positions.
pub async fn link_burst_on_several_links_exact(store: Arc<dyn Store>) {
    let owners = [new_user(&store).await, new_user(&store).await];
    let mut links = Vec::new();
    for (i, &(max, count, _, _)) in BURST.iter().enumerate() {
        let uid = &owners[i % 2].user.id;
        let doc = insert_document(&store, uid).await;
        let link = new_link(uid, &doc.meta.id, max, count);
        let created = TimelineEvent::new(uid, TimelineKind::LinkCreated).link(&link.id);
        assert!(store.insert_link(&link, &created).await.unwrap());
        links.push(link);
    }
    let mut tasks = JoinSet::new();
    // Interleaved: every link's calls are spread over the whole burst.
    for round in 0..200 {
        for (link, &(_, _, calls, _)) in links.iter().zip(BURST) {
            if round < calls {
                let (store, hash) = (Arc::clone(&store), link.token_hash.clone());
                tasks.spawn(async move {
                    let consumed = store.consume_link_access(&hash, now(), &accessed()).await.unwrap();
                    (hash, consumed)
                });
            }
        }
    }
    let results = tasks.join_all().await;
    for (link, &(_, start, calls, granted)) in links.iter().zip(BURST) {
        let mine: Vec<_> = results.iter().filter(|(hash, _)| *hash == link.token_hash).collect();
        assert_eq!(mine.len(), calls);
        let mut counts: Vec<u32> =
            mine.iter().filter_map(|(_, l)| l.as_ref()).map(|l| l.access_count).collect();
        counts.sort_unstable();
        let expected: Vec<u32> = (start + 1..=start + granted as u32).collect();
        assert_eq!(counts, expected, "the counts the callers of {} saw", link.id);
        for consumed in mine.iter().filter_map(|(_, l)| l.as_ref()) {
            assert_eq!((&consumed.id, consumed.max_accesses), (&link.id, link.max_accesses));
        }
        let stored = store.link_by_token_hash(&link.token_hash).await.unwrap().unwrap();
        assert_eq!(stored.access_count, start + granted as u32, "the stored count of {}", link.id);
    }
    for (o, owner) in owners.iter().enumerate() {
        let events = accessed_seqs(&store, &owner.user.id).await;
        let expected: usize = BURST.iter().enumerate().filter(|(i, _)| i % 2 == o).map(|(_, b)| b.3).sum();
        assert_eq!(events.len(), expected, "the accesses of owner {o}");
        for (i, link) in links.iter().enumerate().filter(|(i, _)| i % 2 == o) {
            let of_link = events.iter().filter(|(_, id)| *id == link.id).count();
            assert_eq!(of_link, BURST[i].3, "the accesses of {}", link.id);
        }
        let mut seqs: Vec<i64> = events.iter().map(|(seq, _)| *seq).collect();
        seqs.sort_unstable();
        seqs.dedup();
        assert_eq!(seqs.len(), expected, "distinct timeline positions of owner {o}");
    }
}
