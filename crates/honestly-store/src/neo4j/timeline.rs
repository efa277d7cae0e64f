//! Timelines in Neo4j: `(:TimelineEvent)` numbered per user by a `(:Sequence)` node, so a
//! timeline lists in insertion order with one index seek on `(user_id, seq)`.

use async_trait::async_trait;
use neo4rs::query;
use serde::Deserialize;

use super::{in_tx, Neo4jStore, Tx};
use honestly_core::store::{StoreError, TimelineStore};
use honestly_core::timeline::TimelineEvent;

const INSERT: &str = "MERGE (q:Sequence {name: $seq_name}) ON CREATE SET q.value = 0 \
     SET q.value = q.value + 1 \
     CREATE (:TimelineEvent {id: $id, user_id: $user_id, kind: $kind, at: $at, \
       document_id: $document_id, proof_id: $proof_id, link_id: $link_id, seq: q.value})";

pub(super) const LIST: &str = "MATCH (e:TimelineEvent {user_id: $user_id}) WHERE e.seq > 0 \
     RETURN e.id AS id, e.user_id AS user_id, e.kind AS kind, e.at AS at, \
       e.document_id AS document_id, e.proof_id AS proof_id, e.link_id AS link_id \
     ORDER BY e.seq DESC LIMIT $limit";

#[derive(Deserialize)]
struct EventRow {
    id: String,
    user_id: String,
    kind: String,
    at: String,
    document_id: Option<String>,
    proof_id: Option<String>,
    link_id: Option<String>,
}

/// Appends an event inside an existing transaction (used by the operations it records).
pub(super) async fn insert(tx: &mut Tx, e: &TimelineEvent) -> Result<(), StoreError> {
    tx.run(
        query(INSERT)
            .param("seq_name", format!("timeline:{}", e.user_id))
            .param("id", e.id.as_str())
            .param("user_id", e.user_id.as_str())
            .param("kind", e.kind.as_str())
            .param("at", e.at.as_str())
            .param("document_id", e.document_id.clone())
            .param("proof_id", e.proof_id.clone())
            .param("link_id", e.link_id.clone()),
    )
    .await
}

#[async_trait]
impl TimelineStore for Neo4jStore {
    async fn add_timeline_event(&self, event: &TimelineEvent) -> Result<(), StoreError> {
        in_tx!(self, |tx| { insert(&mut tx, event).await })
    }

    async fn timeline(&self, user_id: &str, limit: u32) -> Result<Vec<TimelineEvent>, StoreError> {
        let rows: Vec<EventRow> =
            self.fetch(query(LIST).param("user_id", user_id).param("limit", i64::from(limit))).await?;
        Ok(rows
            .into_iter()
            .map(|r| TimelineEvent {
                id: r.id,
                user_id: r.user_id,
                kind: r.kind,
                at: r.at,
                document_id: r.document_id,
                proof_id: r.proof_id,
                link_id: r.link_id,
            })
            .collect())
    }
}
