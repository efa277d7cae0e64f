//! Delegated agents and the nullifiers their (and everyone's) verifications consume.

use async_trait::async_trait;

use super::StoreError;
use crate::agents::AgentRecord;
use crate::crypto::vault::Sealed;
use crate::ids::{AgentId, UserId};

/// Delegated AI agents (their secrets sealed under the vault master key).
#[async_trait]
pub trait AgentStore: Send + Sync {
    /// Stores a new agent, unless its user already has `max_per_user` agents (then `false`,
    /// nothing written). The count and the insert are one transaction.
    async fn insert_agent(&self, agent: &AgentRecord, max_per_user: u32) -> Result<bool, StoreError>;
    /// An agent by id, only while its user exists and is not disabled.
    async fn active_agent(&self, id: &AgentId) -> Result<Option<AgentRecord>, StoreError>;
    /// The user's agents, oldest first, at most `limit`.
    async fn agents_of_user(&self, user_id: &UserId, limit: u32) -> Result<Vec<AgentRecord>, StoreError>;
    /// Deletes one of the user's agents; false when not theirs.
    async fn delete_agent(&self, user_id: &UserId, id: &AgentId) -> Result<bool, StoreError>;
    /// Up to `limit` agents whose secret is sealed under a key version other than `version`.
    async fn agents_not_under(&self, version: &str, limit: u32) -> Result<Vec<AgentRecord>, StoreError>;
    /// Replaces an agent's sealed secret if it is still under `expected_version` (compare and
    /// swap).
    async fn replace_agent_secret(
        &self,
        id: &AgentId,
        expected_version: &str,
        sealed: &Sealed,
    ) -> Result<bool, StoreError>;
}

/// Proof nullifiers consumed by verifications: each one at most once, ever.
#[async_trait]
pub trait NullifierStore: Send + Sync {
    /// Records `key` as consumed by `consumer` (an audit actor, `agent:…`), atomically and
    /// durably. True when this call consumed it; false when it had been consumed before. Of
    /// concurrent calls with one key, exactly one returns true.
    async fn consume_nullifier(&self, key: &NullifierKey, consumer: &str) -> Result<bool, StoreError>;
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
