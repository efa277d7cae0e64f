//! Replay memory: each accepted signed request is remembered until its timestamp can no longer
//! be fresh, so a second use is refused. [`StoreReplay`] keeps it in the store (durable, shared
//! by the replicas on one store: the default); Redis (`SET NX PX`) implements the same trait for
//! deployments that configure it; [`MemoryReplay`] is the in-process memory Redis falls back on.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use parking_lot::Mutex;

use crate::clock::Timestamp;
use crate::store::{ReplayStore, StoreError};

/// Why the memory could not answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ReplayError {
    /// Too many requests are remembered at once; refuse rather than forget.
    #[error("replay memory is full")]
    Full,
    /// A shared backend did not answer.
    #[error("replay memory unavailable: {0}")]
    Unavailable(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Remembers request digests for a while.
#[async_trait]
pub trait ReplayMemory: Send + Sync {
    /// Records `digest` for `ttl`: true when it was not already remembered (first use).
    async fn first_use(&self, digest: [u8; 32], ttl: Duration) -> Result<bool, ReplayError>;
}

/// The in-process memory, bounded: when `capacity` unexpired entries are held, new requests
/// are refused ([`ReplayError::Full`]) instead of forgetting one that could be replayed.
pub struct MemoryReplay {
    entries: Mutex<Entries>,
    capacity: usize,
}

struct Entries {
    expiry: HashMap<[u8; 32], Instant>,
    sweep_at: usize,
}

/// Entries held before the first sweep of expired ones.
const FIRST_SWEEP: usize = 4096;

impl MemoryReplay {
    /// A memory holding at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        Self { entries: Mutex::new(Entries { expiry: HashMap::new(), sweep_at: FIRST_SWEEP }), capacity }
    }

    fn record(&self, digest: [u8; 32], ttl: Duration, now: Instant) -> Result<bool, ReplayError> {
        let mut entries = self.entries.lock();
        if let Some(expiry) = entries.expiry.get(&digest) {
            if *expiry > now {
                return Ok(false);
            }
        }
        if entries.expiry.len() >= entries.sweep_at || entries.expiry.len() >= self.capacity {
            entries.expiry.retain(|_, expiry| *expiry > now);
            // Sweep again when the map doubles: amortised O(1) per insert.
            entries.sweep_at = (entries.expiry.len() * 2).max(FIRST_SWEEP);
        }
        if entries.expiry.len() >= self.capacity {
            return Err(ReplayError::Full);
        }
        entries.expiry.insert(digest, now + ttl);
        Ok(true)
    }
}

#[async_trait]
impl ReplayMemory for MemoryReplay {
    async fn first_use(&self, digest: [u8; 32], ttl: Duration) -> Result<bool, ReplayError> {
        self.record(digest, ttl, Instant::now())
    }
}

/// Every how many accepted requests a replica forgets a batch of expired ones.
const PURGE_EVERY: u64 = 32;

/// The most expired requests one purge forgets (the purge keeps ahead of the inserts: up to
/// 256 forgotten per 32 remembered).
pub const PURGE_BATCH: u32 = 256;

/// The replay memory in the store: a request accepted by any replica, before or after a
/// restart, is a replay everywhere until it expires. Expired records are forgotten in bounded
/// batches as requests arrive.
pub struct StoreReplay {
    store: Arc<dyn ReplayStore>,
    accepted: AtomicU64,
}

impl StoreReplay {
    /// A memory kept in `store`.
    pub fn new(store: Arc<dyn ReplayStore>) -> Self {
        Self { store, accepted: AtomicU64::new(0) }
    }
}

/// `ttl` in whole seconds, rounded up (a record may outlive its request by under a second,
/// never the reverse).
fn whole_seconds_up(ttl: Duration) -> Duration {
    Duration::from_secs(ttl.as_secs().saturating_add(u64::from(ttl.subsec_nanos() > 0)))
}

#[async_trait]
impl ReplayMemory for StoreReplay {
    async fn first_use(&self, digest: [u8; 32], ttl: Duration) -> Result<bool, ReplayError> {
        let now = Timestamp::now();
        let first = self.store.remember_request(&digest, now.plus(whole_seconds_up(ttl)), now).await?;
        if first && self.accepted.fetch_add(1, Ordering::Relaxed).is_multiple_of(PURGE_EVERY) {
            // Housekeeping: a failure here costs only space, never the request.
            if let Err(e) = self.store.forget_expired_requests(now, PURGE_BATCH).await {
                tracing::warn!(error = %e, "forgetting expired signed requests failed");
            }
        }
        Ok(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store that remembers in a map and counts purges.
    #[derive(Default)]
    struct MapStore {
        records: Mutex<HashMap<[u8; 32], Timestamp>>,
        purges: AtomicU64,
    }

    #[async_trait]
    impl ReplayStore for MapStore {
        async fn remember_request(
            &self,
            digest: &[u8; 32],
            until: Timestamp,
            now: Timestamp,
        ) -> Result<bool, StoreError> {
            let mut records = self.records.lock();
            if records.get(digest).is_some_and(|held| *held > now) {
                return Ok(false);
            }
            records.insert(*digest, until);
            Ok(true)
        }

        async fn forget_expired_requests(&self, now: Timestamp, limit: u32) -> Result<u32, StoreError> {
            assert_eq!(limit, PURGE_BATCH);
            self.purges.fetch_add(1, Ordering::Relaxed);
            let mut records = self.records.lock();
            let before = records.len();
            records.retain(|_, until| *until > now);
            Ok(u32::try_from(before - records.len()).unwrap_or(u32::MAX))
        }
    }

    #[tokio::test]
    async fn the_store_memory_refuses_a_second_use_and_purges_in_batches() {
        let store = Arc::new(MapStore::default());
        let memory = StoreReplay::new(Arc::clone(&store) as Arc<dyn ReplayStore>);
        let ttl = Duration::from_millis(300_500);
        assert!(memory.first_use([1; 32], ttl).await.unwrap());
        assert!(!memory.first_use([1; 32], ttl).await.unwrap());
        let held = store.records.lock()[&[1; 32]];
        let now = Timestamp::now();
        assert!(held.since(now) >= Duration::from_secs(300) && held.since(now) <= Duration::from_secs(302));
        assert_eq!(store.purges.load(Ordering::Relaxed), 1, "the first accepted request purges");
        for i in 2..=PURGE_EVERY {
            let digest = [u8::try_from(i).unwrap(); 32];
            assert!(memory.first_use(digest, ttl).await.unwrap());
        }
        assert_eq!(store.purges.load(Ordering::Relaxed), 1, "replays and the next 31 do not");
        assert!(memory.first_use([200; 32], ttl).await.unwrap());
        assert_eq!(store.purges.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn record_lifetimes_round_up_to_whole_seconds() {
        assert_eq!(whole_seconds_up(Duration::from_millis(1_001)), Duration::from_secs(2));
        assert_eq!(whole_seconds_up(Duration::from_secs(301)), Duration::from_secs(301));
    }

    #[test]
    fn second_use_is_refused_until_expiry() {
        let memory = MemoryReplay::new(10);
        let now = Instant::now();
        let ttl = Duration::from_secs(10);
        assert!(memory.record([1; 32], ttl, now).expect("room"));
        assert!(!memory.record([1; 32], ttl, now + Duration::from_secs(9)).expect("room"));
        assert!(memory.record([2; 32], ttl, now).expect("room"));
        assert!(memory.record([1; 32], ttl, now + Duration::from_secs(11)).expect("room"));
    }

    #[test]
    fn a_full_memory_refuses_instead_of_forgetting() {
        let memory = MemoryReplay::new(3);
        let now = Instant::now();
        let ttl = Duration::from_secs(10);
        for i in 0..3u8 {
            assert!(memory.record([i; 32], ttl, now).expect("room"));
        }
        assert!(matches!(memory.record([9; 32], ttl, now), Err(ReplayError::Full)));
        assert!(!memory.record([0; 32], ttl, now).expect("still remembered"));
    }
}
