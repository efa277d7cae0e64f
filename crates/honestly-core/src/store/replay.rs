//! The replay memory of signed agent requests, kept in the store: durable across restarts and
//! shared by every replica on one store (used when Redis is not configured).

use async_trait::async_trait;

use super::StoreError;
use crate::clock::Timestamp;

/// Signed requests already accepted, each remembered until it can no longer be fresh.
#[async_trait]
pub trait ReplayStore: Send + Sync {
    /// Remembers the request `digest` until `until`. True when this call stored it: it was not
    /// remembered, or only by a record that had expired at `now` (`until <= now`), which it
    /// replaces. False when an unexpired record holds it: a replay. Of concurrent calls with
    /// one digest, on any replica, exactly one returns true.
    async fn remember_request(
        &self,
        digest: &[u8; 32],
        until: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError>;
    /// Forgets at most `limit` records expired at `now`, oldest expiry first; how many it
    /// forgot.
    async fn forget_expired_requests(&self, now: Timestamp, limit: u32) -> Result<u32, StoreError>;
}
