//! Documents, the registry, key rotation.

use std::sync::Arc;

use honestly_core::ids::{DocumentId, TokenId, UserId};
use honestly_core::store::Store;
use honestly_core::timeline::{TimelineEvent, TimelineKind};
use tokio::task::JoinSet;

use crate::proofs::proof;
use crate::support::{insert_document, is_conflict, new_document, new_link, new_user, now, sealed};

pub async fn document_insert_read_list_delete(store: Arc<dyn Store>) {
    let owner = new_user(&store).await;
    let other = new_user(&store).await;
    let uid = &owner.user.id;
    let before = store.registry_state().await.unwrap();

    let a = insert_document(&store, uid).await;
    let b = insert_document(&store, uid).await;
    let state = store.registry_state().await.unwrap();
    assert_eq!(state.size, before.size + 2);
    assert_eq!(state.root.as_deref(), Some(b.registry_root.as_str()));
    assert_eq!(state.updated_at, Some(b.meta.created_at));
    let leaves = store.registry_leaves().await.unwrap();
    assert_eq!(leaves.len() as u64, state.size);
    assert_eq!(&leaves[leaves.len() - 2..], &[a.registry_leaf.clone(), b.registry_leaf.clone()]);
    let roots = store.registry_roots().await.unwrap();
    assert_eq!(roots.len(), leaves.len());
    assert_eq!(&roots[roots.len() - 2..], &[a.registry_root.clone(), b.registry_root.clone()]);

    assert_eq!(store.document(uid, &a.meta.id).await.unwrap(), Some(a.meta.clone()));
    assert_eq!(store.document(&other.user.id, &a.meta.id).await.unwrap(), None);
    assert_eq!(store.document_sealed(uid, &a.meta.id).await.unwrap(), Some(a.sealed.clone()));
    assert_eq!(store.document_sealed(&other.user.id, &a.meta.id).await.unwrap(), None);
    assert_eq!(store.document_by_sha256(&b.meta.sha256).await.unwrap(), Some(b.meta.clone()));
    assert_eq!(store.document_by_sha256("0".repeat(64).as_str()).await.unwrap(), None);

    // Newest first, paged by the returned cursor.
    let page = store.list_documents(uid, None, 1).await.unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].1, b.meta);
    let rest = store.list_documents(uid, Some(page[0].0), 10).await.unwrap();
    assert_eq!(rest.iter().map(|(_, m)| m.clone()).collect::<Vec<_>>(), vec![a.meta.clone()]);
    assert!(store.list_documents(&other.user.id, None, 10).await.unwrap().is_empty());

    let deleted = TimelineEvent::new(uid, TimelineKind::DocumentDeleted).document(&a.meta.id);
    assert!(!store.delete_document(&other.user.id, &a.meta.id, &deleted).await.unwrap());
    assert!(store.delete_document(uid, &a.meta.id, &deleted).await.unwrap());
    assert!(!store.delete_document(uid, &a.meta.id, &deleted).await.unwrap());
    assert_eq!(store.document(uid, &a.meta.id).await.unwrap(), None);
    assert_eq!(store.document_sealed(uid, &a.meta.id).await.unwrap(), None);
    // The registry keeps its leaves.
    assert_eq!(store.registry_state().await.unwrap().size, before.size + 2);

    let kinds: Vec<_> = store.timeline(uid, 10).await.unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [TimelineKind::DocumentDeleted, TimelineKind::DocumentUploaded, TimelineKind::DocumentUploaded]
    );
}

/// Deleting a document deletes, in the same transaction, every proof about it and every link
/// to it, and nothing of the owner's other documents.
pub async fn document_deletion_takes_its_proofs_and_links(store: Arc<dyn Store>) {
    let owner = new_user(&store).await;
    let uid = &owner.user.id;
    let (doomed, kept) = (insert_document(&store, uid).await, insert_document(&store, uid).await);
    let mut proofs = Vec::new();
    let mut links = Vec::new();
    for doc in [&doomed, &kept] {
        let p = proof(uid, &doc.meta.id);
        let event = TimelineEvent::new(uid, TimelineKind::ProofCreated).proof(&p.id).document(&doc.meta.id);
        assert!(store.insert_proof(&p, &event).await.unwrap());
        let mut l = new_link(uid, &doc.meta.id, Some(5), 0);
        l.proof_id = Some(p.id.clone());
        let revoked = new_link(uid, &doc.meta.id, None, 0);
        for link in [&l, &revoked] {
            let event = TimelineEvent::new(uid, TimelineKind::LinkCreated).link(&link.id);
            assert!(store.insert_link(link, &event).await.unwrap());
        }
        let event = TimelineEvent::new(uid, TimelineKind::LinkRevoked).link(&revoked.id);
        assert!(store.revoke_link(uid, &revoked.id, now(), &event).await.unwrap());
        proofs.push(p);
        links.push((l, revoked));
    }
    let deleted = TimelineEvent::new(uid, TimelineKind::DocumentDeleted).document(&doomed.meta.id);
    assert!(store.delete_document(uid, &doomed.meta.id, &deleted).await.unwrap());

    assert_eq!(store.proof(uid, &proofs[0].id).await.unwrap(), None);
    assert_eq!(store.list_proofs(uid, 10).await.unwrap(), vec![proofs[1].clone()]);
    for link in [&links[0].0, &links[0].1] {
        assert_eq!(store.link_by_token_hash(&link.token_hash).await.unwrap(), None);
    }
    let listed: Vec<_> = store.links_of_user(uid, 10).await.unwrap().into_iter().map(|l| l.id).collect();
    assert_eq!(listed, vec![links[1].1.id.clone(), links[1].0.id.clone()]);
    assert!(store.link_by_token_hash(&links[1].0.token_hash).await.unwrap().is_some());
    assert_eq!(store.proof(uid, &proofs[1].id).await.unwrap(), Some(proofs[1].clone()));
}

pub async fn document_registry_position_conflicts(store: Arc<dyn Store>) {
    let owner = new_user(&store).await;
    let uid = &owner.user.id;
    insert_document(&store, uid).await;
    let size = store.registry_state().await.unwrap().size;
    let event = TimelineEvent::new(uid, TimelineKind::DocumentUploaded);
    for index in [size + 1, size - 1] {
        let doc = new_document(uid, index, "v1");
        assert!(is_conflict(store.insert_document(&doc, &event).await), "index {index} (next {size})");
        assert_eq!(store.document(uid, &doc.meta.id).await.unwrap(), None);
    }
    // An unknown owner is refused too, and nothing is written.
    let orphan = new_document(&UserId::generate(), size, "v1");
    assert!(store.insert_document(&orphan, &event).await.is_err());
    assert_eq!(store.registry_state().await.unwrap().size, size);
    assert_eq!(store.timeline(uid, 10).await.unwrap().len(), 1);
}

pub async fn document_concurrent_inserts_one_position(store: Arc<dyn Store>) {
    let owner = new_user(&store).await;
    let size = store.registry_state().await.unwrap().size;
    let mut tasks = JoinSet::new();
    for _ in 0..6 {
        let store = Arc::clone(&store);
        let doc = new_document(&owner.user.id, size, "v1");
        let event = TimelineEvent::new(&owner.user.id, TimelineKind::DocumentUploaded).document(&doc.meta.id);
        tasks.spawn(async move { store.insert_document(&doc, &event).await });
    }
    let results = tasks.join_all().await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    assert!(results
        .iter()
        .filter(|r| r.is_err())
        .all(|r| matches!(r, Err(honestly_core::store::StoreError::Conflict(_)))));
    assert_eq!(store.registry_state().await.unwrap().size, size + 1);
}

pub async fn document_key_rotation_compare_and_swap(store: Arc<dyn Store>) {
    let owner = new_user(&store).await;
    let uid = &owner.user.id;
    let (old, new) = (format!("k{}", TokenId::generate()), format!("k{}", TokenId::generate()));
    let not_under_old = store.count_documents_not_under(&old).await.unwrap();

    let size = store.registry_state().await.unwrap().size;
    let doc = new_document(uid, size, &old);
    store.insert_document(&doc, &TimelineEvent::new(uid, TimelineKind::DocumentUploaded)).await.unwrap();
    assert_eq!(store.count_documents_not_under(&old).await.unwrap(), not_under_old);
    assert_eq!(store.count_documents_not_under(&new).await.unwrap(), not_under_old + 1);
    let pending = store.documents_not_under(&new, 100_000).await.unwrap();
    let ours = pending.iter().find(|d| d.id == doc.meta.id).expect("listed for rotation");
    assert_eq!((&ours.user_id, &ours.sealed), (uid, &doc.sealed));
    assert!(store.documents_not_under(&old, 100_000).await.unwrap().iter().all(|d| d.id != doc.meta.id));
    assert!(store.documents_not_under(&new, 1).await.unwrap().len() <= 1);

    let resealed = sealed(&new, 9);
    assert!(!store.replace_sealed(&doc.meta.id, &new, &resealed).await.unwrap());
    assert!(store.replace_sealed(&doc.meta.id, &old, &resealed).await.unwrap());
    assert!(!store.replace_sealed(&doc.meta.id, &old, &sealed(&new, 1)).await.unwrap());
    assert!(!store.replace_sealed(&DocumentId::generate(), &old, &resealed).await.unwrap());
    assert_eq!(store.document_sealed(uid, &doc.meta.id).await.unwrap(), Some(resealed));
    assert_eq!(store.count_documents_not_under(&old).await.unwrap(), not_under_old + 1);
}
