//! Proofs.

use std::sync::Arc;

use honestly_core::ids::{new_id, IdKind};
use honestly_core::store::Store;
use honestly_core::timeline::TimelineEvent;
use honestly_core::zk::ProofRecord;

use crate::support::{insert_document, is_conflict, new_user};

fn proof(user_id: &str, document_id: &str) -> ProofRecord {
    ProofRecord {
        id: new_id(IdKind::Proof),
        user_id: user_id.into(),
        proof_type: "age_proof".into(),
        document_id: document_id.into(),
        proof: serde_json::json!({"pi_a": ["1", "2", "1"], "protocol": "groth16"}),
        public_signals: vec!["1".into(), "18".into(), "12345678901234567890".into()],
        nullifier: "12345678901234567890".into(),
        created_at: "2026-11-28T06:00:00Z".into(),
    }
}

pub async fn proof_insert_read_list(store: Arc<dyn Store>) {
    let owner = new_user(&store).await;
    let other = new_user(&store).await;
    let uid = owner.user.id.as_str();
    let doc = insert_document(&store, uid).await;
    let (p1, p2) = (proof(uid, &doc.meta.id), proof(uid, "doc_not_stored"));
    for p in [&p1, &p2] {
        let event = TimelineEvent::new(uid, "proof_created").proof(&p.id).document(&p.document_id);
        store.insert_proof(p, &event).await.unwrap();
    }
    // A duplicate id is a conflict that writes nothing (not even its timeline event), and the
    // store keeps working after the failed transaction.
    let again = TimelineEvent::new(uid, "proof_created").proof(&p1.id);
    assert!(is_conflict(store.insert_proof(&p1, &again).await));
    assert_eq!(store.proof(uid, &p1.id).await.unwrap(), Some(p1.clone()));
    assert_eq!(store.proof(&other.user.id, &p1.id).await.unwrap(), None);
    assert_eq!(store.proof(uid, "prf_missing").await.unwrap(), None);
    assert_eq!(store.list_proofs(uid, 10).await.unwrap(), vec![p2.clone(), p1.clone()]);
    assert_eq!(store.list_proofs(uid, 1).await.unwrap(), vec![p2.clone()]);
    assert!(store.list_proofs(&other.user.id, 10).await.unwrap().is_empty());
    let timeline = store.timeline(uid, 10).await.unwrap();
    assert_eq!(timeline.len(), 3);
    assert_eq!(timeline[0].proof_id.as_deref(), Some(p2.id.as_str()));
    assert_eq!(timeline[1].proof_id.as_deref(), Some(p1.id.as_str()));
}
