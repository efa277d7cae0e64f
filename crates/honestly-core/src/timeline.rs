//! A user's own history: uploads, proofs, links created, revoked and accessed, and proof
//! requests (asked as a verifier, answered as a holder).

use std::sync::Arc;

use serde::Serialize;

use crate::clock::Timestamp;
use crate::ids::{DocumentId, EventId, LinkId, ProofId, ProofRequestId, UserId};
use crate::store::{Store, StoreError};

/// Most events one timeline request returns.
pub const MAX_TIMELINE_EVENTS: u32 = 200;

crate::text_enum! {
    /// What happened, in a user's timeline.
    pub enum TimelineKind {
        /// A document was uploaded.
        DocumentUploaded => "document_uploaded",
        /// A document was deleted.
        DocumentDeleted => "document_deleted",
        /// A proof was made.
        ProofCreated => "proof_created",
        /// A share link was made.
        LinkCreated => "link_created",
        /// A share link was revoked.
        LinkRevoked => "link_revoked",
        /// Someone opened a share link.
        LinkAccessed => "link_accessed",
        /// The user, as a verifier, asked for a proof (a proof request).
        ProofRequestCreated => "proof_request_created",
        /// A holder answered the user's proof request with a proof that passed.
        ProofRequestCompleted => "proof_request_completed",
        /// A holder declined the user's proof request.
        ProofRequestDeclined => "proof_request_declined",
        /// The user's proof request expired unanswered.
        ProofRequestExpired => "proof_request_expired",
        /// The user, as a holder, answered someone's proof request (with a proof or a
        /// decline).
        ProofRequestAnswered => "proof_request_answered",
    }
}

/// One event of a user's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEvent {
    /// The event's id.
    pub id: EventId,
    /// The owner of the timeline.
    #[serde(skip)]
    pub user_id: UserId,
    /// What happened.
    #[serde(rename = "type")]
    pub kind: TimelineKind,
    /// When.
    pub at: Timestamp,
    /// The document concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_id: Option<DocumentId>,
    /// The proof concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proof_id: Option<ProofId>,
    /// The share link concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_id: Option<LinkId>,
    /// The proof request concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<ProofRequestId>,
}

impl TimelineEvent {
    /// A new event of `kind` for `user_id`, now.
    pub fn new(user_id: &UserId, kind: TimelineKind) -> Self {
        Self {
            id: EventId::generate(),
            user_id: user_id.clone(),
            kind,
            at: Timestamp::now(),
            document_id: None,
            proof_id: None,
            link_id: None,
            request_id: None,
        }
    }

    /// Names the document.
    pub fn document(mut self, id: &DocumentId) -> Self {
        self.document_id = Some(id.clone());
        self
    }

    /// Names the proof.
    pub fn proof(mut self, id: &ProofId) -> Self {
        self.proof_id = Some(id.clone());
        self
    }

    /// Names the link.
    pub fn link(mut self, id: &LinkId) -> Self {
        self.link_id = Some(id.clone());
        self
    }

    /// Names the proof request.
    pub fn request(mut self, id: &ProofRequestId) -> Self {
        self.request_id = Some(id.clone());
        self
    }
}

/// Reads users' timelines (services write their events with the change they record).
pub struct TimelineService {
    store: Arc<dyn Store>,
}

impl TimelineService {
    /// The service over the store.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// The user's events, newest first, at most `limit` (callers keep it within
    /// [`MAX_TIMELINE_EVENTS`]).
    pub async fn recent(&self, user_id: &UserId, limit: u32) -> Result<Vec<TimelineEvent>, StoreError> {
        self.store.timeline(user_id, limit.min(MAX_TIMELINE_EVENTS)).await
    }

    /// The user's events that name `document_id`, newest first, at most `limit` (kept within
    /// [`MAX_TIMELINE_EVENTS`]).
    pub async fn of_document(
        &self,
        user_id: &UserId,
        document_id: &DocumentId,
        limit: u32,
    ) -> Result<Vec<TimelineEvent>, StoreError> {
        self.store.document_timeline(user_id, document_id, limit.min(MAX_TIMELINE_EVENTS)).await
    }
}
