//! Delegated agents in Neo4j: `(:Agent)-[:ACTS_FOR]->(:User)`. Creation locks the user's
//! node, counts its agents and inserts in one transaction, so the cap holds under concurrency.

use async_trait::async_trait;
use neo4rs::query;
use serde::Deserialize;

use super::{in_tx, Count, Neo4jStore};
use crate::stored::text;
use honestly_core::agents::AgentRecord;
use honestly_core::crypto::vault::Sealed;
use honestly_core::ids::{AgentId, UserId};
use honestly_core::store::{AgentStore, StoreError};

const COLUMNS: &str = "a.id AS id, a.user_id AS user_id, a.name AS name, a.key_version AS key_version, \
     a.nonce AS nonce, a.secret_ciphertext AS secret_ciphertext, a.created_at AS created_at";

const INSERT: &str = "MATCH (u:User {id: $user_id}) \
     SET u.agent_seq = coalesce(u.agent_seq, 0) + 1 \
     CREATE (a:Agent {id: $id, user_id: $user_id, name: $name, key_version: $key_version, nonce: $nonce, \
       secret_ciphertext: $secret_ciphertext, created_at: $created_at, seq: u.agent_seq})-[:ACTS_FOR]->(u)";

pub(super) const ACTIVE: &str = "MATCH (a:Agent {id: $id}) \
     MATCH (u:User {id: a.user_id}) WHERE NOT coalesce(u.disabled, false) \
     RETURN a.id AS id, a.user_id AS user_id, a.name AS name, a.key_version AS key_version, \
     a.nonce AS nonce, a.secret_ciphertext AS secret_ciphertext, a.created_at AS created_at";

#[derive(Deserialize)]
struct AgentRow {
    id: String,
    user_id: String,
    name: String,
    key_version: String,
    nonce: Vec<u8>,
    secret_ciphertext: Vec<u8>,
    created_at: String,
}

impl TryFrom<AgentRow> for AgentRecord {
    type Error = StoreError;

    fn try_from(r: AgentRow) -> Result<Self, StoreError> {
        Ok(AgentRecord {
            id: text("Agent.id", &r.id)?,
            user_id: text("Agent.user_id", &r.user_id)?,
            name: r.name,
            sealed_secret: Sealed {
                key_version: r.key_version,
                nonce: r.nonce,
                ciphertext: r.secret_ciphertext,
            },
            created_at: text("Agent.created_at", &r.created_at)?,
        })
    }
}

#[async_trait]
impl AgentStore for Neo4jStore {
    async fn insert_agent(&self, agent: &AgentRecord, max_per_user: u32) -> Result<bool, StoreError> {
        let a = agent;
        in_tx!(self, |tx| {
            if !tx.lock("User", "id", a.user_id.as_str()).await? {
                return Err(StoreError::conflict(format!("no user {} for the agent", a.user_id)));
            }
            let count: Option<Count> = tx
                .fetch_one(
                    query("MATCH (a:Agent {user_id: $user_id}) WHERE a.seq > 0 RETURN count(a) AS n")
                        .param("user_id", a.user_id.as_str()),
                )
                .await?;
            if count.map_or(0, |c| c.n) >= i64::from(max_per_user) {
                return Ok(false);
            }
            tx.run(
                query(INSERT)
                    .param("user_id", a.user_id.as_str())
                    .param("id", a.id.as_str())
                    .param("name", a.name.as_str())
                    .param("key_version", a.sealed_secret.key_version.as_str())
                    .param("nonce", a.sealed_secret.nonce.clone())
                    .param("secret_ciphertext", a.sealed_secret.ciphertext.clone())
                    .param("created_at", a.created_at.rfc3339()),
            )
            .await?;
            Ok(true)
        })
    }

    async fn active_agent(&self, id: &AgentId) -> Result<Option<AgentRecord>, StoreError> {
        let row: Option<AgentRow> = self.fetch_one(query(ACTIVE).param("id", id.as_str())).await?;
        row.map(AgentRecord::try_from).transpose()
    }

    async fn agents_of_user(&self, user_id: &UserId, limit: u32) -> Result<Vec<AgentRecord>, StoreError> {
        let rows: Vec<AgentRow> = self
            .fetch(
                query(&format!(
                    "MATCH (a:Agent {{user_id: $user_id}}) WHERE a.seq > 0 RETURN {COLUMNS} ORDER BY a.seq LIMIT $limit"
                ))
                .param("user_id", user_id.as_str())
                .param("limit", i64::from(limit)),
            )
            .await?;
        rows.into_iter().map(AgentRecord::try_from).collect()
    }

    async fn agents_not_under(&self, version: &str, limit: u32) -> Result<Vec<AgentRecord>, StoreError> {
        let rows: Vec<AgentRow> = self
            .fetch(
                query(&format!(
                    "MATCH (a:Agent) WHERE a.seq > 0 AND a.key_version <> $version RETURN {COLUMNS} LIMIT $limit"
                ))
                .param("version", version)
                .param("limit", i64::from(limit)),
            )
            .await?;
        rows.into_iter().map(AgentRecord::try_from).collect()
    }

    async fn replace_agent_secret(
        &self,
        id: &AgentId,
        expected_version: &str,
        sealed: &Sealed,
    ) -> Result<bool, StoreError> {
        in_tx!(self, |tx| {
            tx.swap_sealed("Agent", id.as_str(), expected_version, sealed, "secret_ciphertext").await
        })
    }

    async fn delete_agent(&self, user_id: &UserId, id: &AgentId) -> Result<bool, StoreError> {
        in_tx!(self, |tx| {
            if !tx.lock("Agent", "id", id.as_str()).await? {
                return Ok(false);
            }
            let deleted: Option<Count> = tx
                .fetch_one(
                    query("MATCH (a:Agent {id: $id}) WHERE a.user_id = $user_id DETACH DELETE a RETURN count(*) AS n")
                        .param("id", id.as_str())
                        .param("user_id", user_id.as_str()),
                )
                .await?;
            Ok(deleted.is_some_and(|c| c.n == 1))
        })
    }
}
