//! Verifiers' proof requests and the answers that end them (see [`crate::proof_requests`]).

use std::sync::Arc;

use async_trait::async_trait;

use super::StoreError;
use crate::clock::Timestamp;
use crate::ids::{ProofRequestId, UserId};
use crate::proof_requests::{Finish, FinishOutcome, ProofRequestRecord};
use crate::webhooks::WebhookEvent;

/// The webhook event a request announces as it ends (`None`: nothing to send), made from the
/// request as it now is. The store writes it in the transaction that ends the request, so a
/// request never ends without its event (nor the event exist for a request that did not end).
pub type Announcement = dyn Fn(&ProofRequestRecord) -> Option<WebhookEvent> + Send + Sync;

/// Proof requests.
#[async_trait]
pub trait ProofRequestStore: Send + Sync {
    /// Stores a new pending request. [`StoreError::Conflict`] when its owner does not exist
    /// (nothing written).
    async fn insert_proof_request(&self, request: &ProofRequestRecord) -> Result<(), StoreError>;
    /// One of the owner's requests.
    async fn proof_request(
        &self,
        owner: &UserId,
        id: &ProofRequestId,
    ) -> Result<Option<ProofRequestRecord>, StoreError>;
    /// The request whose token has this hash, whoever owns it.
    async fn proof_request_by_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<ProofRequestRecord>, StoreError>;
    /// The owner's requests, newest first, strictly before the position `before` (from the
    /// newest when `None`), at most `limit`, each with its position (the next page's
    /// `before`).
    async fn proof_requests_page(
        &self,
        owner: &UserId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(i64, ProofRequestRecord)>, StoreError>;
    /// Ends a pending request, atomically: of concurrent calls on one request, on any
    /// replica, exactly one is `Done`. `Complete` and `Decline` change only a request still
    /// pending and not expired at `now` (an expired one is `TooLate`, unchanged); `Expire`
    /// only one pending and expired at `now`. A `Complete` with a unique nullifier records
    /// (owner, scope, nullifier) in the same transaction; when recorded before it is
    /// `AlreadyAnswered` and nothing changes. When `Done`, the event `announce` makes of the
    /// ended request is stored in the same transaction (unless an event with its id exists).
    async fn finish_proof_request(
        &self,
        id: &ProofRequestId,
        finish: &Finish,
        now: Timestamp,
        announce: Arc<Announcement>,
    ) -> Result<FinishOutcome, StoreError>;
    /// Marks expired up to `limit` requests pending and past their expiry at `now`, and
    /// returns them as they now are: each request is returned by exactly one call, on any
    /// replica. Each one's `announce` event is stored in the transaction that expires it.
    async fn expire_due_proof_requests(
        &self,
        now: Timestamp,
        limit: u32,
        announce: Arc<Announcement>,
    ) -> Result<Vec<ProofRequestRecord>, StoreError>;
}
