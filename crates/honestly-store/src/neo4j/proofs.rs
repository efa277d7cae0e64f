//! Proofs in Neo4j: `(:Proof)-[:PROVES]->(:Document)`, numbered per user.

use async_trait::async_trait;
use neo4rs::query;
use serde::Deserialize;

use super::{in_tx, timeline, Count, Neo4jStore};
use crate::stored::text;
use honestly_core::ids::{ProofId, UserId};
use honestly_core::store::{ProofStore, StoreError};
use honestly_core::timeline::TimelineEvent;
use honestly_core::zk::ProofRecord;

/// Runs once the document's lock is taken: writes nothing unless the document is the owner's.
const INSERT: &str = "MATCH (d:Document {id: $document_id}) WHERE d.user_id = $user_id \
     MERGE (q:Sequence {name: $seq_name}) ON CREATE SET q.value = 0 \
     SET q.value = q.value + 1 \
     CREATE (p:Proof {id: $id, user_id: $user_id, document_id: $document_id, proof_type: $proof_type, \
       proof: $proof, public_signals: $public_signals, nullifier: $nullifier, created_at: $created_at, \
       seq: q.value})-[:PROVES]->(d) \
     RETURN count(p) AS n";

const COLUMNS: &str = "p.id AS id, p.user_id AS user_id, p.document_id AS document_id, \
     p.proof_type AS proof_type, p.proof AS proof, p.public_signals AS public_signals, \
     p.nullifier AS nullifier, p.created_at AS created_at";

#[derive(Deserialize)]
struct ProofRow {
    /// The position in the owner's list (returned by page queries only).
    #[serde(default)]
    seq: i64,
    id: String,
    user_id: String,
    document_id: String,
    proof_type: String,
    proof: String,
    public_signals: String,
    nullifier: String,
    created_at: String,
}

impl TryFrom<ProofRow> for ProofRecord {
    type Error = StoreError;

    fn try_from(r: ProofRow) -> Result<Self, StoreError> {
        Ok(ProofRecord {
            id: text("Proof.id", &r.id)?,
            user_id: text("Proof.user_id", &r.user_id)?,
            document_id: text("Proof.document_id", &r.document_id)?,
            proof_type: r.proof_type,
            proof: text("Proof.proof", &r.proof)?,
            public_signals: text("Proof.public_signals", &r.public_signals)?,
            nullifier: r.nullifier,
            created_at: text("Proof.created_at", &r.created_at)?,
        })
    }
}

#[async_trait]
impl ProofStore for Neo4jStore {
    async fn insert_proof(&self, p: &ProofRecord, event: &TimelineEvent) -> Result<bool, StoreError> {
        let signals = serde_json::to_string(&p.public_signals).unwrap_or_default();
        in_tx!(self, |tx| {
            // The document's lock orders this write with the document's deletion.
            if !tx.lock("Document", "id", p.document_id.as_str()).await? {
                return Ok(false);
            }
            let created: Option<Count> = tx
                .fetch_one(
                    query(INSERT)
                        .param("seq_name", format!("proofs:{}", p.user_id))
                        .param("id", p.id.as_str())
                        .param("user_id", p.user_id.as_str())
                        .param("document_id", p.document_id.as_str())
                        .param("proof_type", p.proof_type.as_str())
                        .param("proof", p.proof.to_string())
                        .param("public_signals", signals.as_str())
                        .param("nullifier", p.nullifier.as_str())
                        .param("created_at", p.created_at.rfc3339()),
                )
                .await?;
            if created.is_none_or(|c| c.n != 1) {
                return Ok(false);
            }
            timeline::insert(&mut tx, event).await?;
            Ok(true)
        })
    }

    async fn proof(&self, user_id: &UserId, id: &ProofId) -> Result<Option<ProofRecord>, StoreError> {
        let row: Option<ProofRow> = self
            .fetch_one(
                query(&format!("MATCH (p:Proof {{id: $id}}) WHERE p.user_id = $user_id RETURN {COLUMNS}"))
                    .param("id", id.as_str())
                    .param("user_id", user_id.as_str()),
            )
            .await?;
        row.map(ProofRecord::try_from).transpose()
    }

    async fn list_proofs(&self, user_id: &UserId, limit: u32) -> Result<Vec<ProofRecord>, StoreError> {
        let rows: Vec<ProofRow> = self
            .fetch(
                query(&format!(
                    "MATCH (p:Proof {{user_id: $user_id}}) WHERE p.seq > 0 \
                     RETURN {COLUMNS} ORDER BY p.seq DESC LIMIT $limit"
                ))
                .param("user_id", user_id.as_str())
                .param("limit", i64::from(limit)),
            )
            .await?;
        rows.into_iter().map(ProofRecord::try_from).collect()
    }

    async fn proofs_page(
        &self,
        user_id: &UserId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(i64, ProofRecord)>, StoreError> {
        let rows: Vec<ProofRow> = self
            .fetch(
                query(&format!(
                    "MATCH (p:Proof {{user_id: $user_id}}) WHERE p.seq < $before \
                     RETURN p.seq AS seq, {COLUMNS} ORDER BY p.seq DESC LIMIT $limit"
                ))
                .param("user_id", user_id.as_str())
                .param("before", before.unwrap_or(i64::MAX))
                .param("limit", i64::from(limit)),
            )
            .await?;
        rows.into_iter().map(|r| Ok((r.seq, ProofRecord::try_from(r)?))).collect()
    }
}
