//! Replay memory: each accepted signed request is remembered until its timestamp can no longer
//! be fresh, so a second use is refused. In-process here; a shared backend (Redis `SET NX EX`)
//! implements the same trait for several replicas.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use parking_lot::Mutex;

/// Why the memory could not answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ReplayError {
    /// Too many requests are remembered at once; refuse rather than forget.
    #[error("replay memory is full")]
    Full,
    /// A shared backend did not answer.
    #[error("replay memory unavailable: {0}")]
    Unavailable(String),
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

#[cfg(test)]
mod tests {
    use super::*;

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
