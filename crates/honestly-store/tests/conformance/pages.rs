//! Paging through a user's proofs, links and timeline (the export reads everything this way):
//! newest first, each page strictly before the last position of the one before, nothing missed
//! or repeated, nothing of another user's.

use std::future::Future;
use std::sync::Arc;

use honestly_core::store::{Store, StoreError};
use honestly_core::timeline::{TimelineEvent, TimelineKind};

use crate::proofs::proof;
use crate::support::{insert_document, new_link, new_user};

/// Every record `fetch` pages through, `limit` at a time.
async fn all_pages<T, F, Fut>(limit: u32, mut fetch: F) -> Vec<T>
where
    F: FnMut(Option<i64>, u32) -> Fut,
    Fut: Future<Output = Result<Vec<(i64, T)>, StoreError>>,
{
    let mut all = Vec::new();
    let mut before = None;
    loop {
        let page = fetch(before, limit).await.unwrap();
        assert!(page.len() <= limit as usize);
        let full = page.len() == limit as usize;
        if let Some((position, _)) = page.last() {
            assert!(before.is_none_or(|b| *position < b), "positions decrease");
            before = Some(*position);
        }
        all.extend(page.into_iter().map(|(_, record)| record));
        if !full {
            return all;
        }
    }
}

pub async fn pages_cover_proofs_links_and_timeline_once_newest_first(store: Arc<dyn Store>) {
    let owner = new_user(&store).await;
    let other = new_user(&store).await;
    let uid = &owner.user.id;
    let doc = insert_document(&store, uid).await;
    for _ in 0..5 {
        let p = proof(uid, &doc.meta.id);
        let event = TimelineEvent::new(uid, TimelineKind::ProofCreated).proof(&p.id).document(&doc.meta.id);
        assert!(store.insert_proof(&p, &event).await.unwrap());
        let l = new_link(uid, &doc.meta.id, None, 0);
        assert!(store
            .insert_link(&l, &TimelineEvent::new(uid, TimelineKind::LinkCreated).link(&l.id))
            .await
            .unwrap());
    }
    insert_document(&store, &other.user.id).await;

    for limit in [1, 2, 100] {
        let proofs = all_pages(limit, |before, limit| store.proofs_page(uid, before, limit)).await;
        assert_eq!(proofs, store.list_proofs(uid, 100).await.unwrap(), "limit {limit}");
        assert_eq!(proofs.len(), 5);
        let links = all_pages(limit, |before, limit| store.links_page(uid, before, limit)).await;
        assert_eq!(links, store.links_of_user(uid, 100).await.unwrap(), "limit {limit}");
        assert_eq!(links.len(), 5);
        let events = all_pages(limit, |before, limit| store.timeline_page(uid, before, limit)).await;
        assert_eq!(events, store.timeline(uid, 100).await.unwrap(), "limit {limit}");
        assert_eq!(events.len(), 11);
    }
    let theirs = &other.user.id;
    assert!(store.proofs_page(theirs, None, 10).await.unwrap().is_empty());
    assert!(store.links_page(theirs, None, 10).await.unwrap().is_empty());
    assert_eq!(store.timeline_page(theirs, None, 10).await.unwrap().len(), 1);
}
