//! Rate limiting with GCRA (the generic cell rate algorithm).
//!
//! A quota allows `burst` requests at once and then one request per emission interval. Each
//! key keeps a single "theoretical arrival time" (TAT). The in-memory limiter here serves a
//! single process; a shared backend (Redis) implements the same [`RateLimiter`] trait.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// How many requests a key may make: `burst` at once, refilled at `per_minute`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Requests allowed back to back (also the `X-RateLimit-Limit` figure).
    pub burst: u32,
    /// Sustained rate, requests per minute.
    pub per_minute: u32,
}

impl Quota {
    /// Time between two requests at the sustained rate.
    pub fn emission_interval(self) -> Duration {
        Duration::from_secs(60) / self.per_minute.max(1)
    }
}

/// The answer of a limiter for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// The quota's burst size.
    pub limit: u32,
    /// Requests still allowed right now after this one.
    pub remaining: u32,
    /// When denied, how long until a request would be allowed.
    pub retry_after: Duration,
}

/// A rate limiter keyed by an arbitrary string (client IP, agent id, username + IP, …).
#[async_trait::async_trait]
pub trait RateLimiter: Send + Sync {
    /// Counts one request for `key` under `quota` and says whether it may proceed.
    async fn check(&self, key: &str, quota: Quota) -> Decision;

    /// Gives back one request that [`RateLimiter::check`] allowed for `key` under the same
    /// `quota`, when what it guarded turned out not to count (a limiter of failures reserves
    /// one before the attempt and gives it back when the attempt succeeds). Nothing happens
    /// when nothing is counted for `key`.
    async fn refund(&self, key: &str, quota: Quota);
}

/// One GCRA step: given the stored TAT (as an offset from a reference instant), returns the
/// decision and the TAT to store when allowed.
pub fn gcra_step(stored_tat: Option<Duration>, now: Duration, quota: Quota) -> (Decision, Option<Duration>) {
    let interval = quota.emission_interval();
    let burst_window = interval * quota.burst.max(1);
    let tat = stored_tat.map_or(now, |t| t.max(now));
    let new_tat = tat + interval;
    let allow_at = new_tat.saturating_sub(burst_window);
    if now < allow_at {
        let decision =
            Decision { allowed: false, limit: quota.burst, remaining: 0, retry_after: allow_at - now };
        return (decision, None);
    }
    let headroom = (now + burst_window).saturating_sub(new_tat);
    let remaining = (headroom.as_nanos() / interval.as_nanos().max(1)) as u32;
    let decision = Decision { allowed: true, limit: quota.burst, remaining, retry_after: Duration::ZERO };
    (decision, Some(new_tat))
}

/// The TAT after giving one request back: one emission interval earlier, and `None` (forget the
/// key) once that is not after `now`.
pub fn gcra_refund(stored_tat: Option<Duration>, now: Duration, quota: Quota) -> Option<Duration> {
    let tat = stored_tat?.checked_sub(quota.emission_interval())?;
    (tat > now).then_some(tat)
}

const SHARDS: usize = 16;
/// Keys per shard before expired entries are swept.
const SWEEP_AT: usize = 8192;
/// Hard cap of keys per shard; beyond it the shard is cleared (fail open, bounded memory).
const MAX_KEYS_PER_SHARD: usize = 65_536;

/// A process-local GCRA limiter with bounded memory.
pub struct MemoryRateLimiter {
    epoch: Instant,
    shards: Vec<Mutex<HashMap<String, Duration>>>,
}

impl Default for MemoryRateLimiter {
    fn default() -> Self {
        Self { epoch: Instant::now(), shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect() }
    }
}

impl MemoryRateLimiter {
    /// A limiter with no keys yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn shard(&self, key: &str) -> &Mutex<HashMap<String, Duration>> {
        let mut hasher = DefaultHasher::new();
        key.hash(&mut hasher);
        &self.shards[(hasher.finish() as usize) % SHARDS]
    }
}

#[async_trait::async_trait]
impl RateLimiter for MemoryRateLimiter {
    async fn check(&self, key: &str, quota: Quota) -> Decision {
        self.check_local(key, quota)
    }

    async fn refund(&self, key: &str, quota: Quota) {
        self.refund_local(key, quota);
    }
}

impl MemoryRateLimiter {
    /// [`RateLimiter::check`] without awaiting: this limiter never waits.
    pub fn check_local(&self, key: &str, quota: Quota) -> Decision {
        let now = self.epoch.elapsed();
        let mut shard = self.shard(key).lock();
        if shard.len() >= SWEEP_AT && !shard.contains_key(key) {
            shard.retain(|_, tat| *tat > now);
            if shard.len() >= MAX_KEYS_PER_SHARD {
                shard.clear();
            }
        }
        let (decision, new_tat) = gcra_step(shard.get(key).copied(), now, quota);
        if let Some(tat) = new_tat {
            shard.insert(key.to_string(), tat);
        }
        decision
    }

    /// [`RateLimiter::refund`] without awaiting.
    pub fn refund_local(&self, key: &str, quota: Quota) {
        let now = self.epoch.elapsed();
        let mut shard = self.shard(key).lock();
        match gcra_refund(shard.get(key).copied(), now, quota) {
            Some(tat) => shard.insert(key.to_string(), tat),
            None => shard.remove(key),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_denied_with_retry_after() {
        let quota = Quota { burst: 3, per_minute: 60 };
        let mut tat = None;
        let now = Duration::from_secs(100);
        for expected_remaining in [2, 1, 0] {
            let (d, t) = gcra_step(tat, now, quota);
            assert!(d.allowed);
            assert_eq!(d.remaining, expected_remaining);
            tat = t;
        }
        let (d, t) = gcra_step(tat, now, quota);
        assert!(!d.allowed);
        assert!(t.is_none());
        assert_eq!(d.retry_after, Duration::from_secs(1));
        let (d, _) = gcra_step(tat, now + Duration::from_secs(1), quota);
        assert!(d.allowed);
    }

    #[test]
    fn a_refund_gives_back_exactly_one_request() {
        let limiter = MemoryRateLimiter::new();
        let quota = Quota { burst: 2, per_minute: 1 };
        assert!(limiter.check_local("k", quota).allowed);
        assert!(limiter.check_local("k", quota).allowed);
        assert!(!limiter.check_local("k", quota).allowed);
        limiter.refund_local("k", quota);
        assert!(limiter.check_local("k", quota).allowed);
        assert!(!limiter.check_local("k", quota).allowed);
        // Refunding more than was counted forgets the key, never credits it beyond the burst.
        for _ in 0..5 {
            limiter.refund_local("k", quota);
        }
        assert!(limiter.check_local("k", quota).allowed);
        assert!(limiter.check_local("k", quota).allowed);
        assert!(!limiter.check_local("k", quota).allowed);
        limiter.refund_local("unknown", quota);
        assert!(limiter.check_local("unknown", quota).allowed);
    }

    #[test]
    fn keys_are_independent() {
        let limiter = MemoryRateLimiter::new();
        let quota = Quota { burst: 1, per_minute: 1 };
        assert!(limiter.check_local("a", quota).allowed);
        assert!(!limiter.check_local("a", quota).allowed);
        assert!(limiter.check_local("b", quota).allowed);
    }
}
