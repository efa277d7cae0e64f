//! Timelines.

use std::sync::Arc;

use honestly_core::ids::{DocumentId, LinkId, ProofRequestId, UserId};
use honestly_core::store::Store;
use honestly_core::timeline::{TimelineEvent, TimelineKind};

use crate::support::new_user;

pub async fn timeline_newest_first(store: Arc<dyn Store>) {
    let owner = new_user(&store).await;
    let other = new_user(&store).await;
    let uid = &owner.user.id;
    let document = DocumentId::generate();
    let events: Vec<_> = (0..5)
        .map(|_| {
            TimelineEvent::new(uid, TimelineKind::LinkCreated).link(&LinkId::generate()).document(&document)
        })
        .collect::<Vec<_>>()
        .into_iter()
        // A proof request's events name it, and read back as written.
        .chain([
            TimelineEvent::new(uid, TimelineKind::ProofRequestCompleted).request(&ProofRequestId::generate())
        ])
        .collect();
    for e in &events {
        store.add_timeline_event(e).await.unwrap();
    }
    store.add_timeline_event(&TimelineEvent::new(&other.user.id, TimelineKind::ProofCreated)).await.unwrap();
    let newest: Vec<_> = events.iter().rev().cloned().collect();
    assert_eq!(store.timeline(uid, 10).await.unwrap(), newest);
    assert_eq!(store.timeline(uid, 2).await.unwrap(), newest[..2].to_vec());
    assert!(store.timeline(&UserId::generate(), 10).await.unwrap().is_empty());

    // A document's own history: only the owner's events naming it, newest first, bounded.
    store
        .add_timeline_event(
            &TimelineEvent::new(&other.user.id, TimelineKind::ProofCreated).document(&document),
        )
        .await
        .unwrap();
    let of_document: Vec<_> =
        newest.iter().filter(|e| e.document_id.as_ref() == Some(&document)).cloned().collect();
    assert_eq!(of_document.len(), 5);
    assert_eq!(store.document_timeline(uid, &document, 10).await.unwrap(), of_document);
    assert_eq!(store.document_timeline(uid, &document, 2).await.unwrap(), of_document[..2].to_vec());
    assert!(store.document_timeline(uid, &DocumentId::generate(), 10).await.unwrap().is_empty());
    assert_eq!(store.document_timeline(&other.user.id, &document, 10).await.unwrap().len(), 1);
}
