//! Timelines in Neo4j: `(:TimelineEvent)` numbered per user by a `(:Sequence)` node, so a
//! timeline lists in insertion order with one index seek on `(user_id, seq)`.

use async_trait::async_trait;
use neo4rs::query;
use serde::Deserialize;

use super::{in_tx, Neo4jStore, Tx};
use crate::stored::{text, text_opt};
use honestly_core::ids::{DocumentId, LinkId, ProofId, ProofRequestId, UserId};
use honestly_core::store::{StoreError, TimelineStore};
use honestly_core::timeline::TimelineEvent;

const INSERT: &str = "MERGE (q:Sequence {name: $seq_name}) ON CREATE SET q.value = 0 \
     SET q.value = q.value + 1 \
     CREATE (:TimelineEvent {id: $id, user_id: $user_id, kind: $kind, at: $at, \
       document_id: $document_id, proof_id: $proof_id, link_id: $link_id, request_id: $request_id, \
       seq: q.value})";

pub(super) const LIST: &str = "MATCH (e:TimelineEvent {user_id: $user_id}) WHERE e.seq > 0 \
     RETURN e.id AS id, e.user_id AS user_id, e.kind AS kind, e.at AS at, \
       e.document_id AS document_id, e.proof_id AS proof_id, e.link_id AS link_id, \
       e.request_id AS request_id \
     ORDER BY e.seq DESC LIMIT $limit";

pub(super) const DOCUMENT_LIST: &str =
    "MATCH (e:TimelineEvent {user_id: $user_id, document_id: $document_id}) \
     WHERE e.seq > 0 \
     RETURN e.id AS id, e.user_id AS user_id, e.kind AS kind, e.at AS at, \
       e.document_id AS document_id, e.proof_id AS proof_id, e.link_id AS link_id, \
       e.request_id AS request_id \
     ORDER BY e.seq DESC LIMIT $limit";

#[derive(Deserialize)]
struct EventRow {
    /// The position in the owner's timeline (returned by page queries only).
    #[serde(default)]
    seq: i64,
    id: String,
    user_id: String,
    kind: String,
    at: String,
    document_id: Option<String>,
    proof_id: Option<String>,
    link_id: Option<String>,
    request_id: Option<String>,
}

impl TryFrom<EventRow> for TimelineEvent {
    type Error = StoreError;

    fn try_from(r: EventRow) -> Result<Self, StoreError> {
        Ok(TimelineEvent {
            id: text("TimelineEvent.id", &r.id)?,
            user_id: text("TimelineEvent.user_id", &r.user_id)?,
            kind: text("TimelineEvent.kind", &r.kind)?,
            at: text("TimelineEvent.at", &r.at)?,
            document_id: text_opt("TimelineEvent.document_id", r.document_id.as_deref())?,
            proof_id: text_opt("TimelineEvent.proof_id", r.proof_id.as_deref())?,
            link_id: text_opt("TimelineEvent.link_id", r.link_id.as_deref())?,
            request_id: text_opt("TimelineEvent.request_id", r.request_id.as_deref())?,
        })
    }
}

/// Appends an event inside an existing transaction (used by the operations it records).
pub(super) async fn insert(tx: &mut Tx, e: &TimelineEvent) -> Result<(), StoreError> {
    tx.run(
        query(INSERT)
            .param("seq_name", format!("timeline:{}", e.user_id))
            .param("id", e.id.as_str())
            .param("user_id", e.user_id.as_str())
            .param("kind", e.kind.as_str())
            .param("at", e.at.rfc3339())
            .param("document_id", e.document_id.as_ref().map(DocumentId::as_str))
            .param("proof_id", e.proof_id.as_ref().map(ProofId::as_str))
            .param("link_id", e.link_id.as_ref().map(LinkId::as_str))
            .param("request_id", e.request_id.as_ref().map(ProofRequestId::as_str)),
    )
    .await
}

#[async_trait]
impl TimelineStore for Neo4jStore {
    async fn add_timeline_event(&self, event: &TimelineEvent) -> Result<(), StoreError> {
        in_tx!(self, |tx| { insert(&mut tx, event).await })
    }

    async fn timeline(&self, user_id: &UserId, limit: u32) -> Result<Vec<TimelineEvent>, StoreError> {
        let rows: Vec<EventRow> = self
            .fetch(query(LIST).param("user_id", user_id.as_str()).param("limit", i64::from(limit)))
            .await?;
        rows.into_iter().map(TimelineEvent::try_from).collect()
    }

    async fn document_timeline(
        &self,
        user_id: &UserId,
        document_id: &DocumentId,
        limit: u32,
    ) -> Result<Vec<TimelineEvent>, StoreError> {
        let rows: Vec<EventRow> = self
            .fetch(
                query(DOCUMENT_LIST)
                    .param("user_id", user_id.as_str())
                    .param("document_id", document_id.as_str())
                    .param("limit", i64::from(limit)),
            )
            .await?;
        rows.into_iter().map(TimelineEvent::try_from).collect()
    }

    async fn timeline_page(
        &self,
        user_id: &UserId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(i64, TimelineEvent)>, StoreError> {
        let rows: Vec<EventRow> = self
            .fetch(
                query(
                    "MATCH (e:TimelineEvent {user_id: $user_id}) WHERE e.seq < $before \
                     RETURN e.seq AS seq, e.id AS id, e.user_id AS user_id, e.kind AS kind, e.at AS at, \
                       e.document_id AS document_id, e.proof_id AS proof_id, e.link_id AS link_id, \
       e.request_id AS request_id \
                     ORDER BY e.seq DESC LIMIT $limit",
                )
                .param("user_id", user_id.as_str())
                .param("before", before.unwrap_or(i64::MAX))
                .param("limit", i64::from(limit)),
            )
            .await?;
        rows.into_iter().map(|r| Ok((r.seq, TimelineEvent::try_from(r)?))).collect()
    }
}
