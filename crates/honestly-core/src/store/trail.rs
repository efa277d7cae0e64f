//! What happened: each user's timeline and the audit trail.

use async_trait::async_trait;

use super::StoreError;
use crate::audit::AuditEvent;
use crate::ids::{DocumentId, UserId};
use crate::timeline::TimelineEvent;

/// Users' timelines.
#[async_trait]
pub trait TimelineStore: Send + Sync {
    /// Appends one event.
    async fn add_timeline_event(&self, event: &TimelineEvent) -> Result<(), StoreError>;
    /// The user's events, newest first, at most `limit`.
    async fn timeline(&self, user_id: &UserId, limit: u32) -> Result<Vec<TimelineEvent>, StoreError>;
    /// The user's events that name `document_id`, newest first, at most `limit`.
    async fn document_timeline(
        &self,
        user_id: &UserId,
        document_id: &DocumentId,
        limit: u32,
    ) -> Result<Vec<TimelineEvent>, StoreError>;
    /// The user's events, newest first, strictly before the position `before` (from the
    /// newest when `None`), at most `limit`, each with its position (the next page's
    /// `before`).
    async fn timeline_page(
        &self,
        user_id: &UserId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(i64, TimelineEvent)>, StoreError>;
}

/// The audit trail: an append-only, hash-chained list of events (see [`crate::audit`]).
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends `events` (consecutive seqs, already chained) in one transaction. Refuses with
    /// [`StoreError::Conflict`], writing nothing, unless the first event continues the stored
    /// chain: its seq is the last stored seq + 1 and its `prev_hash` the last stored hash.
    async fn append_audit_events(&self, events: &[AuditEvent]) -> Result<(), StoreError>;
    /// The event with the highest seq, if any.
    async fn last_audit_event(&self) -> Result<Option<AuditEvent>, StoreError>;
    /// At most `limit` events with a seq above `seq`, in seq order.
    async fn audit_events_after(&self, seq: u64, limit: u32) -> Result<Vec<AuditEvent>, StoreError>;
}
