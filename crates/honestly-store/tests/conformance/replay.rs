//! The replay memory of signed agent requests: each request accepted once until it expires,
//! expired records forgotten in bounded batches.

use std::sync::Arc;
use std::time::Duration;

use honestly_core::clock::Timestamp;
use honestly_core::store::Store;
use tokio::task::JoinSet;

/// A fresh random digest nobody has remembered.
fn fresh_digest() -> [u8; 32] {
    rand::random()
}

/// `secs` seconds after `at`.
fn after(at: Timestamp, secs: u64) -> Timestamp {
    at.plus(Duration::from_secs(secs))
}

pub async fn replay_remembered_until_expiry(store: Arc<dyn Store>) {
    let (digest, other) = (fresh_digest(), fresh_digest());
    let now = Timestamp::now();
    assert!(store.remember_request(&digest, after(now, 10), now).await.unwrap(), "first use");
    assert!(!store.remember_request(&digest, after(now, 10), now).await.unwrap(), "a replay");
    assert!(!store.remember_request(&digest, after(now, 30), after(now, 9)).await.unwrap(), "still held");
    assert!(store.remember_request(&other, after(now, 10), now).await.unwrap(), "digests are apart");
    // Expired at its `until`: the next use is a first use again, remembered anew.
    assert!(store.remember_request(&digest, after(now, 20), after(now, 10)).await.unwrap(), "expired");
    assert!(!store.remember_request(&digest, after(now, 40), after(now, 19)).await.unwrap(), "renewed");
}

pub async fn replay_concurrent_first_uses_one_wins(store: Arc<dyn Store>) {
    let digest = fresh_digest();
    let now = Timestamp::now();
    let mut tasks = JoinSet::new();
    for _ in 0..10 {
        let store = Arc::clone(&store);
        tasks.spawn(async move { store.remember_request(&digest, after(now, 300), now).await.unwrap() });
    }
    let won = tasks.join_all().await.into_iter().filter(|w| *w).count();
    assert_eq!(won, 1);

    // Renewing an expired record is decided once too.
    let later = after(now, 300);
    let mut tasks = JoinSet::new();
    for _ in 0..10 {
        let store = Arc::clone(&store);
        tasks.spawn(async move { store.remember_request(&digest, after(later, 300), later).await.unwrap() });
    }
    let won = tasks.join_all().await.into_iter().filter(|w| *w).count();
    assert_eq!(won, 1);
}

pub async fn replay_expired_records_forgotten_in_bounded_batches(store: Arc<dyn Store>) {
    // Times long past, so that records of other tests (held until now or later) never expire
    // here.
    let past = Timestamp::from_unix(978_307_200).unwrap();
    let expiring: Vec<[u8; 32]> = (0..5).map(|_| fresh_digest()).collect();
    for digest in &expiring {
        assert!(store.remember_request(digest, after(past, 1), past).await.unwrap());
    }
    let live = fresh_digest();
    assert!(store.remember_request(&live, after(past, 100), past).await.unwrap());

    let mut forgotten = Vec::new();
    loop {
        let n = store.forget_expired_requests(after(past, 2), 2).await.unwrap();
        assert!(n <= 2, "a batch forgets at most its limit, forgot {n}");
        if n == 0 {
            break;
        }
        forgotten.push(n);
        assert!(forgotten.len() < 1000, "batches end");
    }
    assert!(forgotten.iter().sum::<u32>() >= 5, "every expired record forgotten: {forgotten:?}");
    assert!(forgotten.len() >= 3, "in batches: {forgotten:?}");
    assert_eq!(store.forget_expired_requests(after(past, 2), 100).await.unwrap(), 0);

    // The forgotten records are gone (they would still be held at `past`); the live one stays.
    for digest in &expiring {
        assert!(store.remember_request(digest, after(past, 1), past).await.unwrap(), "forgotten");
    }
    assert!(!store.remember_request(&live, after(past, 200), after(past, 50)).await.unwrap(), "kept");
    assert_eq!(store.forget_expired_requests(past, 100).await.unwrap(), 0, "nothing expired at `past`");
    assert!(store.forget_expired_requests(after(past, 1), 100).await.unwrap() >= 5);
    assert!(store.forget_expired_requests(after(past, 100), 100).await.unwrap() >= 1);
}
