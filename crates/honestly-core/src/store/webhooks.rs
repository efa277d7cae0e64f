//! The webhook outbox: each owner's signing secrets, the events waiting for delivery, the
//! leases that give each due event to one worker at a time, and the attempt log (see
//! [`crate::webhooks`]). Times named `_ms` are Unix milliseconds.

use async_trait::async_trait;

use super::StoreError;
use crate::clock::Timestamp;
use crate::ids::UserId;
use crate::webhooks::{AfterAttempt, AttemptRecord, WebhookEvent, WebhookSecretRecord};

/// Webhook secrets, events, leases and attempts.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// The owner's secrets, current first, then the previous one (whatever its
    /// `retired_until`); at most two.
    async fn webhook_secrets(&self, owner: &UserId) -> Result<Vec<WebhookSecretRecord>, StoreError>;
    /// Stores `secret` (with `retired_until` unset) as the owner's current secret unless one
    /// exists. `None` when the account does not exist; `Some(true)` when stored now,
    /// `Some(false)` when a current secret was there (of concurrent calls, on any replica,
    /// one stores).
    async fn insert_webhook_secret_if_absent(
        &self,
        secret: &WebhookSecretRecord,
    ) -> Result<Option<bool>, StoreError>;
    /// In one transaction: forgets the owner's previous secret, makes the current one the
    /// previous one, valid until `previous_until`, and stores `secret` as current. `None`
    /// when the account does not exist; `Some(true)` when there was a current secret.
    async fn rotate_webhook_secret(
        &self,
        secret: &WebhookSecretRecord,
        previous_until: Timestamp,
    ) -> Result<Option<bool>, StoreError>;
    /// Stores `event` unless an event with its id exists (then nothing changes). True when
    /// stored now.
    async fn enqueue_webhook_event(&self, event: &WebhookEvent) -> Result<bool, StoreError>;
    /// Leases up to `limit` pending events due at `now_ms` whose lease is absent or expired
    /// to `lease_owner` until `lease_until_ms`, soonest due first, and returns them. Atomic:
    /// of concurrent claimers, on any replica, each event goes to one.
    async fn claim_due_webhook_events(
        &self,
        now_ms: i64,
        lease_owner: &str,
        lease_until_ms: i64,
        limit: u32,
    ) -> Result<Vec<WebhookEvent>, StoreError>;
    /// Logs `attempt` of event `id` and applies `after` (the attempt count, the first attempt
    /// time, the status, the next due time; the lease is released), only while the event is
    /// pending and leased to `lease_owner`. False (nothing written) otherwise.
    async fn record_webhook_attempt(
        &self,
        id: &str,
        lease_owner: &str,
        attempt: &AttemptRecord,
        after: AfterAttempt,
    ) -> Result<bool, StoreError>;
    /// The owner's events about `subject`, oldest first, at most `limit`.
    async fn webhook_events_for_subject(
        &self,
        owner: &UserId,
        subject: &str,
        limit: u32,
    ) -> Result<Vec<WebhookEvent>, StoreError>;
    /// The attempts of event `id`, first first, at most `limit`.
    async fn webhook_attempts(&self, id: &str, limit: u32) -> Result<Vec<AttemptRecord>, StoreError>;
}
