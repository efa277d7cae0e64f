//! The writer and the verifier against the real SQLite store.

use std::sync::Arc;
use std::time::Duration;

use honestly_core::audit::*;
use honestly_core::store::AuditStore;
use honestly_store::sqlite::SqliteStore;

async fn store() -> (tempfile::TempDir, Arc<SqliteStore>) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("honestly.db")).await.unwrap();
    (dir, Arc::new(store))
}

fn event(i: usize) -> AuditEvent {
    AuditEvent::new(ANONYMOUS, format!("test.event.{i}"), Outcome::Success)
}

#[tokio::test]
async fn flush_makes_every_recorded_event_durable_in_one_valid_chain() {
    let (_dir, store) = store().await;
    // A tiny queue forces the overflow path (spawned sends) for most events.
    let options = AuditLogOptions { capacity: 4, max_batch: 16, linger: Duration::from_millis(2) };
    let log = AuditLog::start_with(Arc::clone(&store), options);
    for i in 0..500 {
        log.record(event(i));
    }
    log.flush().await.unwrap();
    assert!(log.overflowed() > 0, "the overflow path was not exercised");
    let report = verify_chain(&*store).await.unwrap();
    assert_eq!(report.events, 500);
    let last = store.last_audit_event().await.unwrap().unwrap();
    assert_eq!((last.seq, &last.hash), (500, &report.last_hash));
    let mut actions: Vec<String> =
        store.audit_events_after(0, 1000).await.unwrap().into_iter().map(|e| e.action).collect();
    actions.sort();
    actions.dedup();
    assert_eq!(actions.len(), 500, "every event written exactly once");
}

#[tokio::test]
async fn waiting_recorders_hold_no_more_than_the_queue_and_lose_nothing() {
    let (_dir, store) = store().await;
    let options = AuditLogOptions { capacity: 4, max_batch: 16, linger: Duration::from_millis(2) };
    let log = AuditLog::start_with(Arc::clone(&store), options);
    // 50 concurrent request-like recorders against a queue of 4: each waits for room in turn
    // (no spawned sender holds an event in memory), and every event arrives.
    let recorders = (0..50).map(|i| {
        let log = log.clone();
        tokio::spawn(async move { log.record_waiting(event(i)).await })
    });
    for recorder in recorders {
        recorder.await.unwrap();
    }
    log.flush().await.unwrap();
    assert!(log.overflowed() > 0, "the waiting path was not exercised");
    assert_eq!(verify_chain(&*store).await.unwrap().events, 50);
}

#[tokio::test]
async fn a_restarted_writer_continues_the_stored_chain() {
    let (_dir, store) = store().await;
    let first = AuditLog::start(Arc::clone(&store));
    for i in 0..3 {
        first.record(event(i));
    }
    first.flush().await.unwrap();
    drop(first);
    let second = AuditLog::start(Arc::clone(&store));
    second.record(event(3));
    second.flush().await.unwrap();
    assert_eq!(verify_chain(&*store).await.unwrap().events, 4);
}

#[tokio::test]
async fn concurrent_writers_interleave_into_one_chain() {
    let (_dir, store) = store().await;
    let a = AuditLog::start(Arc::clone(&store));
    let b = AuditLog::start(Arc::clone(&store));
    for i in 0..100 {
        a.record(event(i));
        b.record(event(1000 + i));
        if i % 10 == 0 {
            tokio::task::yield_now().await;
        }
    }
    a.flush().await.unwrap();
    b.flush().await.unwrap();
    assert_eq!(verify_chain(&*store).await.unwrap().events, 200);
}

#[tokio::test]
async fn the_store_refuses_a_batch_that_does_not_continue_the_chain() {
    let (_dir, store) = store().await;
    let mut e1 = event(1);
    e1.chain_after(None);
    store.append_audit_events(std::slice::from_ref(&e1)).await.unwrap();
    // Forked from the genesis again.
    let mut fork = event(2);
    fork.chain_after(None);
    let refused = store.append_audit_events(&[fork]).await;
    assert!(matches!(refused, Err(honestly_core::store::StoreError::Conflict(_))), "{refused:?}");
    // Right seq, wrong prev_hash.
    let mut wrong = event(3);
    wrong.chain_after(Some((1, "f".repeat(64).as_str())));
    assert!(store.append_audit_events(&[wrong]).await.is_err());
    assert_eq!(verify_chain(&*store).await.unwrap().events, 1);
}

#[tokio::test]
async fn verification_pages_through_long_chains() {
    let (_dir, store) = store().await;
    let log = AuditLog::start(Arc::clone(&store));
    let total = VERIFY_PAGE as usize * 2 + 7;
    for i in 0..total {
        log.record(event(i));
    }
    log.flush().await.unwrap();
    assert_eq!(verify_chain(&*store).await.unwrap().events, total as u64);
}
