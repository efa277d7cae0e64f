//! Persistence behind one trait, [`Store`], so backends (embedded SQLite, Neo4j) are
//! interchangeable and one conformance suite can run against each. The trait is the sum of
//! one sub-trait per area; every operation that must never be doubled or lost is atomic in
//! the backend.

use async_trait::async_trait;

use crate::agents::AgentRecord;
use crate::audit::AuditEvent;
use crate::auth::model::{User, UserRecord};
use crate::crypto::vault::Sealed;
use crate::documents::{DocumentMeta, NewDocument};
use crate::links::ShareLink;
use crate::timeline::TimelineEvent;
use crate::zk::ProofRecord;

/// Why a store operation failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The backend cannot be reached or is overloaded; the caller may retry later.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// A uniqueness rule refused the write.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Anything else; the cause is for logs only.
    #[error("store failure: {0}")]
    Internal(String),
}

/// Accounts.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Inserts a user; [`StoreError::Conflict`] when the canonical username is taken.
    async fn create_user(&self, record: &UserRecord, canonical_username: &str) -> Result<(), StoreError>;
    /// Finds a user (with password hash) by canonical username.
    async fn user_by_username(&self, canonical_username: &str) -> Result<Option<UserRecord>, StoreError>;
    /// Finds a user by id.
    async fn user_by_id(&self, id: &str) -> Result<Option<User>, StoreError>;
    /// Users in creation order, at most `limit`.
    async fn list_users(&self, limit: u32) -> Result<Vec<User>, StoreError>;
}

/// A refresh token about to be stored.
#[derive(Debug, Clone)]
pub struct NewRefreshToken {
    /// SHA-256 of the token text.
    pub hash: String,
    /// The login session it belongs to.
    pub family_id: String,
    /// The account.
    pub user_id: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// What presenting a refresh token did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotateOutcome {
    /// The token was live: it is now spent and the new one stored.
    Rotated {
        /// The account.
        user_id: String,
        /// The session, unchanged.
        family_id: String,
    },
    /// The token was already spent: its whole family is now revoked.
    Reused {
        /// The revoked session.
        family_id: String,
    },
    /// Unknown, expired, or of a revoked family.
    Invalid,
}

/// Login sessions, refresh-token rotation, revoked access tokens and login failures.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Starts a session (family) with its first refresh token.
    async fn start_session(&self, token: &NewRefreshToken, now: i64) -> Result<(), StoreError>;
    /// Atomically spends `old_hash` and stores `new` in the same family; a spent token
    /// revokes the family. Of concurrent calls with one token, exactly one rotates.
    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        new: &NewRefreshToken,
        now: i64,
    ) -> Result<RotateOutcome, StoreError>;
    /// Revokes a session: its refresh tokens and its access tokens stop working.
    async fn revoke_session(&self, family_id: &str, now: i64) -> Result<(), StoreError>;
    /// Revokes one access token until it would have expired.
    async fn revoke_access_token(&self, jti: &str, expires_at: i64) -> Result<(), StoreError>;
    /// Whether an access token may still be used: its user exists and is enabled, its session
    /// is not revoked and its `jti` is not revoked.
    async fn access_token_active(
        &self,
        user_id: &str,
        family_id: &str,
        jti: &str,
    ) -> Result<bool, StoreError>;
    /// Records a failed login for `key` (username and client IP) at `at`.
    async fn record_login_failure(&self, key: &str, at: i64) -> Result<(), StoreError>;
    /// Failures for `key` since `since`: how many, and the oldest one's time.
    async fn login_failures_since(&self, key: &str, since: i64) -> Result<(u32, Option<i64>), StoreError>;
    /// Forgets the failures of `key` (after a successful login).
    async fn clear_login_failures(&self, key: &str) -> Result<(), StoreError>;
}

/// The registry tree's current state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryState {
    /// Number of leaves (also the current epoch).
    pub size: u64,
    /// Current root, decimal (the empty tree's root when `size` is 0).
    pub root: Option<String>,
    /// When the last leaf was added (RFC 3339).
    pub updated_at: Option<String>,
}

/// A document whose ciphertext needs re-encryption under a new master key.
#[derive(Debug, Clone)]
pub struct SealedDocument {
    /// `doc_…`.
    pub id: String,
    /// The owner.
    pub user_id: String,
    /// The current ciphertext.
    pub sealed: Sealed,
}

/// Documents (metadata and ciphertext together), the registry tree's leaves and roots, and
/// the owner's timeline entry of each change.
#[async_trait]
pub trait DocumentStore: Send + Sync {
    /// Stores metadata, ciphertext, registry leaf and root, and the timeline event in one
    /// transaction. Refused with [`StoreError::Conflict`] when `registry_index` is not the
    /// next leaf position.
    async fn insert_document(&self, doc: &NewDocument, event: &TimelineEvent) -> Result<(), StoreError>;
    /// Metadata of `id` if `user_id` owns it.
    async fn document(&self, user_id: &str, id: &str) -> Result<Option<DocumentMeta>, StoreError>;
    /// Metadata of the most recent document with this plaintext SHA-256, any owner.
    async fn document_by_sha256(&self, sha256: &str) -> Result<Option<DocumentMeta>, StoreError>;
    /// Ciphertext of `id` if `user_id` owns it.
    async fn document_sealed(&self, user_id: &str, id: &str) -> Result<Option<Sealed>, StoreError>;
    /// The owner's documents, newest first, strictly before the cursor position.
    async fn list_documents(
        &self,
        user_id: &str,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(i64, DocumentMeta)>, StoreError>;
    /// Deletes metadata and ciphertext (with the timeline event); false when not the owner's.
    async fn delete_document(
        &self,
        user_id: &str,
        id: &str,
        event: &TimelineEvent,
    ) -> Result<bool, StoreError>;
    /// How many documents have a key version other than `version`.
    async fn count_documents_not_under(&self, version: &str) -> Result<u64, StoreError>;
    /// Up to `limit` documents whose key version is not `version`.
    async fn documents_not_under(&self, version: &str, limit: u32)
        -> Result<Vec<SealedDocument>, StoreError>;
    /// Replaces a ciphertext if it is still under `expected_version` (compare and swap).
    async fn replace_sealed(
        &self,
        id: &str,
        expected_version: &str,
        sealed: &Sealed,
    ) -> Result<bool, StoreError>;
    /// Registry leaves in registration order (decimal).
    async fn registry_leaves(&self) -> Result<Vec<String>, StoreError>;
    /// Registry roots in epoch order (decimal): the root after the first leaf, after the
    /// second, … up to the current one (one per leaf).
    async fn registry_roots(&self) -> Result<Vec<String>, StoreError>;
    /// Size, root and last update of the registry.
    async fn registry_state(&self) -> Result<RegistryState, StoreError>;
}

/// Proofs about documents.
#[async_trait]
pub trait ProofStore: Send + Sync {
    /// Stores a proof with its timeline event.
    async fn insert_proof(&self, proof: &ProofRecord, event: &TimelineEvent) -> Result<(), StoreError>;
    /// A proof the user owns.
    async fn proof(&self, user_id: &str, id: &str) -> Result<Option<ProofRecord>, StoreError>;
    /// The user's proofs, newest first, at most `limit`.
    async fn list_proofs(&self, user_id: &str, limit: u32) -> Result<Vec<ProofRecord>, StoreError>;
}

/// Share links.
#[async_trait]
pub trait LinkStore: Send + Sync {
    /// Stores a link with its timeline event.
    async fn insert_link(&self, link: &ShareLink, event: &TimelineEvent) -> Result<(), StoreError>;
    /// The user's links, newest first, at most `limit`.
    async fn links_of_user(&self, user_id: &str, limit: u32) -> Result<Vec<ShareLink>, StoreError>;
    /// Revokes one of the user's links (with the timeline event); false when not theirs or
    /// already revoked.
    async fn revoke_link(
        &self,
        user_id: &str,
        id: &str,
        now: i64,
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
        now: i64,
        event: &TimelineEvent,
    ) -> Result<Option<ShareLink>, StoreError>;
}

/// Users' timelines.
#[async_trait]
pub trait TimelineStore: Send + Sync {
    /// Appends one event.
    async fn add_timeline_event(&self, event: &TimelineEvent) -> Result<(), StoreError>;
    /// The user's events, newest first, at most `limit`.
    async fn timeline(&self, user_id: &str, limit: u32) -> Result<Vec<TimelineEvent>, StoreError>;
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

/// Delegated AI agents (their secrets sealed under the vault master key).
#[async_trait]
pub trait AgentStore: Send + Sync {
    /// Stores a new agent, unless its user already has `max_per_user` agents (then `false`,
    /// nothing written). The count and the insert are one transaction.
    async fn insert_agent(&self, agent: &AgentRecord, max_per_user: u32) -> Result<bool, StoreError>;
    /// An agent by id, only while its user exists and is not disabled.
    async fn active_agent(&self, id: &str) -> Result<Option<AgentRecord>, StoreError>;
    /// The user's agents, oldest first, at most `limit`.
    async fn agents_of_user(&self, user_id: &str, limit: u32) -> Result<Vec<AgentRecord>, StoreError>;
    /// Deletes one of the user's agents; false when not theirs.
    async fn delete_agent(&self, user_id: &str, id: &str) -> Result<bool, StoreError>;
    /// Up to `limit` agents whose secret is sealed under a key version other than `version`.
    async fn agents_not_under(&self, version: &str, limit: u32) -> Result<Vec<AgentRecord>, StoreError>;
    /// Replaces an agent's sealed secret if it is still under `expected_version` (compare and
    /// swap).
    async fn replace_agent_secret(
        &self,
        id: &str,
        expected_version: &str,
        sealed: &Sealed,
    ) -> Result<bool, StoreError>;
}

/// Proof nullifiers consumed by verifications: each one at most once, ever.
#[async_trait]
pub trait NullifierStore: Send + Sync {
    /// Records `nullifier` of `proof_type` as consumed by `consumer`, atomically and durably.
    /// True when this call consumed it; false when it had been consumed before. Of concurrent
    /// calls with one nullifier, exactly one returns true.
    async fn consume_nullifier(
        &self,
        proof_type: &str,
        nullifier: &str,
        consumer: &str,
    ) -> Result<bool, StoreError>;
    /// For each key, in order, whether it has been consumed: one round trip for a batch of
    /// proofs. Callers bound `keys` (a batch holds at most 100 proofs).
    async fn nullifiers_consumed(&self, keys: &[NullifierKey]) -> Result<Vec<bool>, StoreError>;
}

/// A nullifier and the proof type it belongs to (nullifiers are unique per proof type).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NullifierKey {
    /// The circuit name.
    pub proof_type: String,
    /// The nullifier signal, decimal.
    pub nullifier: String,
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
    + Send
    + Sync
    + 'static
{
    /// A short name of the backend (`sqlite`, `neo4j`) for health reports.
    fn backend(&self) -> &'static str;

    /// Answers when the backend is reachable and usable.
    async fn ping(&self) -> Result<(), StoreError>;
}
