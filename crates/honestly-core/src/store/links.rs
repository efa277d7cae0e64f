//! Share links.

use async_trait::async_trait;

use super::StoreError;
use crate::clock::Timestamp;
use crate::ids::{LinkId, UserId};
use crate::links::ShareLink;
use crate::timeline::TimelineEvent;

/// Share links.
#[async_trait]
pub trait LinkStore: Send + Sync {
    /// Stores a link with its timeline event, if its document exists and belongs to the link's
    /// owner (checked in the same transaction as the write, so a link never outlives its
    /// document); false, and nothing written, otherwise.
    async fn insert_link(&self, link: &ShareLink, event: &TimelineEvent) -> Result<bool, StoreError>;
    /// The user's links, newest first, at most `limit`.
    async fn links_of_user(&self, user_id: &UserId, limit: u32) -> Result<Vec<ShareLink>, StoreError>;
    /// The user's links, newest first, strictly before the position `before` (from the newest
    /// when `None`), at most `limit`, each with its position (the next page's `before`).
    async fn links_page(
        &self,
        user_id: &UserId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(i64, ShareLink)>, StoreError>;
    /// Revokes one of the user's links (with the timeline event); false when not theirs or
    /// already revoked.
    async fn revoke_link(
        &self,
        user_id: &UserId,
        id: &LinkId,
        now: Timestamp,
        event: &TimelineEvent,
    ) -> Result<bool, StoreError>;
    /// The link with this token hash, whatever its state.
    async fn link_by_token_hash(&self, token_hash: &str) -> Result<Option<ShareLink>, StoreError>;
    /// Atomically consumes one access: succeeds only while the link is not revoked, not
    /// expired at `now`, has accesses left and its document exists. Returns the link after
    /// the increment. Of N concurrent calls on a link with k accesses left, exactly
    /// min(N, k) succeed. The owner's `link_accessed` event is written in the same operation.
    async fn consume_link_access(
        &self,
        token_hash: &str,
        now: Timestamp,
        event: &TimelineEvent,
    ) -> Result<Option<ShareLink>, StoreError>;
}
