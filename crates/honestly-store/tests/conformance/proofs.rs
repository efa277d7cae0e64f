//! Proofs.

use std::sync::Arc;

use honestly_core::ids::{DocumentId, ProofId, UserId};
use honestly_core::store::Store;
use honestly_core::timeline::{TimelineEvent, TimelineKind};
use honestly_core::zk::ProofRecord;

use crate::support::{at, insert_document, is_conflict, new_user, CREATED_AT};

/// A proof of `user_id` about `document_id`.
pub fn proof(user_id: &UserId, document_id: &DocumentId) -> ProofRecord {
    ProofRecord {
        id: ProofId::generate(),
        user_id: user_id.clone(),
        proof_type: "age_proof".into(),
        document_id: document_id.clone(),
        proof: serde_json::json!({"pi_a": ["1", "2", "1"], "protocol": "groth16"}),
        public_signals: vec!["1".into(), "18".into(), "12345678901234567890".into()],
        nullifier: "12345678901234567890".into(),
        created_at: at(CREATED_AT),
    }
}

pub async fn proof_insert_read_list(store: Arc<dyn Store>) {
    let owner = new_user(&store).await;
    let other = new_user(&store).await;
    let uid = &owner.user.id;
    let doc = insert_document(&store, uid).await;
    let (p1, p2) = (proof(uid, &doc.meta.id), proof(uid, &doc.meta.id));
    for p in [&p1, &p2] {
        let event = TimelineEvent::new(uid, TimelineKind::ProofCreated).proof(&p.id).document(&p.document_id);
        assert!(store.insert_proof(p, &event).await.unwrap());
    }
    // A duplicate id is a conflict that writes nothing (not even its timeline event), and the
    // store keeps working after the failed transaction.
    let again = TimelineEvent::new(uid, TimelineKind::ProofCreated).proof(&p1.id);
    assert!(is_conflict(store.insert_proof(&p1, &again).await));
    assert_eq!(store.proof(uid, &p1.id).await.unwrap(), Some(p1.clone()));
    assert_eq!(store.proof(&other.user.id, &p1.id).await.unwrap(), None);
    assert_eq!(store.proof(uid, &ProofId::generate()).await.unwrap(), None);
    assert_eq!(store.list_proofs(uid, 10).await.unwrap(), vec![p2.clone(), p1.clone()]);
    assert_eq!(store.list_proofs(uid, 1).await.unwrap(), vec![p2.clone()]);
    assert!(store.list_proofs(&other.user.id, 10).await.unwrap().is_empty());
    let timeline = store.timeline(uid, 10).await.unwrap();
    assert_eq!(timeline.len(), 3);
    assert_eq!(timeline[0].proof_id.as_ref(), Some(&p2.id));
    assert_eq!(timeline[1].proof_id.as_ref(), Some(&p1.id));
}

/// A proof is stored only about a document that exists and is its owner's; refused, nothing is
/// written (not even its timeline event).
pub async fn proof_refused_without_its_owners_document(store: Arc<dyn Store>) {
    let owner = new_user(&store).await;
    let other = new_user(&store).await;
    let uid = &owner.user.id;
    let foreign = insert_document(&store, &other.user.id).await;
    let doomed = insert_document(&store, uid).await;
    let deleted = TimelineEvent::new(uid, TimelineKind::DocumentDeleted).document(&doomed.meta.id);
    assert!(store.delete_document(uid, &doomed.meta.id, &deleted).await.unwrap());
    for document_id in [DocumentId::generate(), foreign.meta.id.clone(), doomed.meta.id.clone()] {
        let p = proof(uid, &document_id);
        let event = TimelineEvent::new(uid, TimelineKind::ProofCreated).proof(&p.id).document(&document_id);
        assert!(!store.insert_proof(&p, &event).await.unwrap(), "a proof about {document_id}");
        assert_eq!(store.proof(uid, &p.id).await.unwrap(), None);
    }
    assert!(store.list_proofs(uid, 10).await.unwrap().is_empty());
    let kinds: Vec<_> = store.timeline(uid, 10).await.unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [TimelineKind::DocumentDeleted, TimelineKind::DocumentUploaded]);
}
