//! Persistence behind one trait, [`Store`], so backends (embedded SQLite, Neo4j; both in the
//! `honestly-store` crate) are interchangeable and one conformance suite can run against each.
//! The trait is the sum of one sub-trait per area; every operation that must never be doubled
//! or lost is atomic in the backend. Every id is typed and every time a [`Timestamp`]
//! (see [`crate::ids`], [`crate::clock`]); how a backend writes them is its own affair.
//!
//! [`Timestamp`]: crate::clock::Timestamp

mod accounts;
mod agents;
mod documents;
mod issuance;
mod links;
mod proof_requests;
mod replay;
mod trail;
mod webhooks;

use std::sync::Arc;

use async_trait::async_trait;

pub use accounts::{
    AccountChange, AccountUpdate, ErasedCounts, Erasure, LiveSession, NewRefreshToken, NextRefreshToken,
    RotateOutcome, SessionStore, SessionSummary, UserStore,
};
pub use agents::{AgentStore, NullifierKey, NullifierStore};
pub use documents::{DocumentStore, ProofStore, RegistryState, SealedDocument};
pub use issuance::{CredentialRequestStore, CredentialStore, HolderSecretStore, IssuerStore};
pub use links::LinkStore;
pub use proof_requests::{Announcement, ProofRequestStore};
pub use replay::ReplayStore;
pub use trail::{AuditStore, TimelineStore};
pub use webhooks::WebhookStore;

/// A backend's own account of a failure, kept whole for the log.
pub type Cause = Arc<dyn std::error::Error + Send + Sync>;

/// Why a store operation failed. The three cases mean the same on every backend and every
/// path: `Unavailable` is answered "storage temporarily unavailable" (503), `Conflict` a
/// refused write, `Internal` an opaque 500.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The backend cannot be reached, is overloaded or did not answer in time; the caller may
    /// retry later.
    #[error("the store is unavailable")]
    Unavailable(#[source] Cause),
    /// A uniqueness or ordering rule refused the write; nothing was written.
    #[error("the store refused a conflicting write")]
    Conflict(#[source] Cause),
    /// Anything else.
    #[error("the store failed")]
    Internal(#[source] Cause),
}

impl StoreError {
    /// [`StoreError::Unavailable`] because of `cause` (an error or words).
    pub fn unavailable(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        StoreError::Unavailable(Arc::from(cause.into()))
    }

    /// [`StoreError::Conflict`] because of `cause` (an error or words).
    pub fn conflict(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        StoreError::Conflict(Arc::from(cause.into()))
    }

    /// [`StoreError::Internal`] because of `cause` (an error or words).
    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        StoreError::Internal(Arc::from(cause.into()))
    }

    /// What the backend said, without the case.
    pub fn cause(&self) -> &Cause {
        match self {
            StoreError::Unavailable(c) | StoreError::Conflict(c) | StoreError::Internal(c) => c,
        }
    }
}

/// Every persistent operation the services need.
#[async_trait]
pub trait Store:
    UserStore
    + SessionStore
    + DocumentStore
    + ProofStore
    + LinkStore
    + TimelineStore
    + AuditStore
    + AgentStore
    + NullifierStore
    + ReplayStore
    + IssuerStore
    + CredentialRequestStore
    + CredentialStore
    + HolderSecretStore
    + ProofRequestStore
    + WebhookStore
    + Send
    + Sync
    + 'static
{
    /// A short name of the backend (`sqlite`, `neo4j`) for health reports.
    fn backend(&self) -> &'static str;

    /// Answers when the backend is reachable and usable.
    async fn ping(&self) -> Result<(), StoreError>;
}
