//! The hash-chained audit trail.

use std::sync::Arc;

use honestly_core::audit::{AuditEvent, Outcome};
use honestly_core::store::{Store, StoreError};
use tokio::task::JoinSet;

/// `n` events chained after `prev` (`(seq, hash)` of the stored head, if any).
fn chain(prev: Option<(u64, String)>, n: usize) -> Vec<AuditEvent> {
    let mut prev = prev;
    (0..n)
        .map(|i| {
            let mut e = AuditEvent::new("cli", format!("test.event.{i}"), Outcome::Success);
            if i % 2 == 0 {
                e = e.target("usr_x").reason("because").client_ip("127.0.0.1").request_id("req_1");
            }
            e.chain_after(prev.as_ref().map(|(s, h)| (*s, h.as_str())));
            prev = Some((e.seq, e.hash.clone()));
            e
        })
        .collect()
}

async fn head(store: &Arc<dyn Store>) -> Option<(u64, String)> {
    store.last_audit_event().await.unwrap().map(|e| (e.seq, e.hash))
}

pub async fn audit_append_read_and_conflicts(store: Arc<dyn Store>) {
    store.append_audit_events(&[]).await.unwrap();
    let start = head(&store).await;
    let start_seq = start.as_ref().map_or(0, |(s, _)| *s);
    let batch = chain(start.clone(), 3);
    store.append_audit_events(&batch).await.unwrap();
    assert_eq!(store.last_audit_event().await.unwrap().as_ref(), batch.last());
    assert_eq!(store.audit_events_after(start_seq, 10).await.unwrap(), batch);
    assert_eq!(store.audit_events_after(start_seq + 1, 1).await.unwrap(), batch[1..2].to_vec());
    assert!(store.audit_events_after(start_seq + 3, 10).await.unwrap().is_empty());

    // Replaying the batch, skipping a seq or breaking the hash link is refused, writing nothing.
    assert!(matches!(store.append_audit_events(&batch).await, Err(StoreError::Conflict(_))));
    let tip = Some((batch[2].seq, batch[2].hash.clone()));
    let mut gap = chain(tip.clone(), 2);
    gap.remove(0);
    assert!(matches!(store.append_audit_events(&gap).await, Err(StoreError::Conflict(_))));
    let mut forged = chain(tip.clone(), 2);
    forged[0].prev_hash = "f".repeat(64);
    assert!(matches!(store.append_audit_events(&forged).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.last_audit_event().await.unwrap().as_ref(), batch.last());

    let next = chain(tip, 1);
    store.append_audit_events(&next).await.unwrap();
    assert_eq!(store.last_audit_event().await.unwrap().as_ref(), next.last());
}

pub async fn audit_concurrent_appends_do_not_fork(store: Arc<dyn Store>) {
    let start = head(&store).await;
    let mut tasks = JoinSet::new();
    for _ in 0..6 {
        let (store, batch) = (Arc::clone(&store), chain(start.clone(), 2));
        tasks.spawn(async move { store.append_audit_events(&batch).await });
    }
    let results = tasks.join_all().await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    assert!(results.iter().filter(|r| r.is_err()).all(|r| matches!(r, Err(StoreError::Conflict(_)))));
    let start_seq = start.map_or(0, |(s, _)| s);
    assert_eq!(store.audit_events_after(start_seq, 10).await.unwrap().len(), 2);
}
