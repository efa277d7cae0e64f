//! Consumed nullifiers in Neo4j: `MERGE` on `(:Nullifier {key})`, a unique property, so of
//! concurrent consumptions of one nullifier exactly one creates the node; the creator alone
//! sees the marker it sets on creation (and removes before commit).

use std::collections::HashSet;

use async_trait::async_trait;
use neo4rs::query;
use serde::Deserialize;

use super::Neo4jStore;
use honestly_core::clock::Timestamp;
use honestly_core::store::{NullifierKey, NullifierStore, StoreError};

pub(super) const CONSUME: &str = "MERGE (n:Nullifier {key: $key}) \
     ON CREATE SET n.proof_type = $proof_type, n.nullifier = $nullifier, n.consumed_at = $at, \
       n.consumed_by = $consumer, n._created = true \
     WITH n, coalesce(n._created, false) AS created \
     FOREACH (x IN CASE WHEN created THEN [1] ELSE [] END | REMOVE n._created) \
     RETURN created";

/// The keys among `$keys` that have a node (each at most once).
pub(super) const CONSUMED: &str =
    "UNWIND $keys AS key MATCH (n:Nullifier {key: key}) RETURN DISTINCT n.key AS key";

/// One unambiguous node key for the pair (a JSON array of the two strings).
fn node_key(key: &NullifierKey) -> String {
    serde_json::json!([key.proof_type, key.nullifier]).to_string()
}

#[derive(Deserialize)]
struct Created {
    created: bool,
}

#[derive(Deserialize)]
struct Found {
    key: String,
}

#[async_trait]
impl NullifierStore for Neo4jStore {
    async fn consume_nullifier(&self, key: &NullifierKey, consumer: &str) -> Result<bool, StoreError> {
        let row: Option<Created> = self
            .fetch_one(
                query(CONSUME)
                    .param("key", node_key(key))
                    .param("proof_type", key.proof_type.as_str())
                    .param("nullifier", key.nullifier.as_str())
                    .param("at", Timestamp::now().rfc3339())
                    .param("consumer", consumer),
            )
            .await?;
        Ok(row.is_some_and(|r| r.created))
    }

    async fn nullifiers_consumed(&self, keys: &[NullifierKey]) -> Result<Vec<bool>, StoreError> {
        let wanted: Vec<String> = keys.iter().map(node_key).collect();
        let found: HashSet<String> = self
            .fetch::<Found>(query(CONSUMED).param("keys", wanted.clone()))
            .await?
            .into_iter()
            .map(|f| f.key)
            .collect();
        Ok(wanted.iter().map(|k| found.contains(k)).collect())
    }
}
