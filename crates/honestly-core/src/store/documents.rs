//! Documents, the registry tree they are registered in, and proofs about them.

use async_trait::async_trait;

use super::StoreError;
use crate::clock::Timestamp;
use crate::crypto::vault::Sealed;
use crate::documents::{DocumentMeta, NewDocument};
use crate::ids::{DocumentId, ProofId, UserId};
use crate::timeline::TimelineEvent;
use crate::zk::ProofRecord;

/// The registry tree's current state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryState {
    /// Number of leaves (also the current epoch).
    pub size: u64,
    /// Current root, decimal (the empty tree's root when `size` is 0).
    pub root: Option<String>,
    /// When the last leaf was added.
    pub updated_at: Option<Timestamp>,
}

/// A document whose ciphertext needs re-encryption under a new master key.
#[derive(Debug, Clone)]
pub struct SealedDocument {
    /// The document.
    pub id: DocumentId,
    /// The owner.
    pub user_id: UserId,
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
    async fn document(&self, user_id: &UserId, id: &DocumentId) -> Result<Option<DocumentMeta>, StoreError>;
    /// Metadata of the most recent document with this plaintext SHA-256, any owner.
    async fn document_by_sha256(&self, sha256: &str) -> Result<Option<DocumentMeta>, StoreError>;
    /// Metadata of the most recent of `user_id`'s documents with this plaintext SHA-256.
    async fn user_document_by_sha256(
        &self,
        user_id: &UserId,
        sha256: &str,
    ) -> Result<Option<DocumentMeta>, StoreError>;
    /// Ciphertext of `id` if `user_id` owns it.
    async fn document_sealed(&self, user_id: &UserId, id: &DocumentId) -> Result<Option<Sealed>, StoreError>;
    /// The owner's documents, newest first, strictly before the cursor position.
    async fn list_documents(
        &self,
        user_id: &UserId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(i64, DocumentMeta)>, StoreError>;
    /// Deletes the document (metadata and ciphertext) together with every proof about it and
    /// every share link to it, and writes the timeline event, in one transaction; false (and
    /// nothing deleted) when it is not the owner's. The registry keeps its leaf (a hash).
    async fn delete_document(
        &self,
        user_id: &UserId,
        id: &DocumentId,
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
        id: &DocumentId,
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
    /// Stores a proof with its timeline event, if its document exists and belongs to the proof's
    /// owner (checked in the same transaction as the write, so a proof never outlives its
    /// document); false, and nothing written, otherwise.
    async fn insert_proof(&self, proof: &ProofRecord, event: &TimelineEvent) -> Result<bool, StoreError>;
    /// A proof the user owns.
    async fn proof(&self, user_id: &UserId, id: &ProofId) -> Result<Option<ProofRecord>, StoreError>;
    /// The user's proofs, newest first, at most `limit`.
    async fn list_proofs(&self, user_id: &UserId, limit: u32) -> Result<Vec<ProofRecord>, StoreError>;
    /// The user's proofs, newest first, strictly before the position `before` (from the
    /// newest when `None`), at most `limit`, each with its position (the next page's
    /// `before`).
    async fn proofs_page(
        &self,
        user_id: &UserId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(i64, ProofRecord)>, StoreError>;
}
