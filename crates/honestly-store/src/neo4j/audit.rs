//! The audit trail in Neo4j: one `(:AuditEvent)` per event, unique by seq, and the
//! `(:AuditHead)` singleton holding the last seq and hash. A batch locks the head, checks that
//! it continues the chain, then writes the events and moves the head, in one transaction (so
//! concurrent writers cannot fork the chain).

use std::collections::HashMap;

use async_trait::async_trait;
use neo4rs::{query, BoltType};
use serde::Deserialize;

use super::{in_tx, Neo4jStore};
use crate::stored::{number, text};
use honestly_core::audit::AuditEvent;
use honestly_core::store::{AuditStore, StoreError};

const HEAD: &str = "MERGE (h:AuditHead {name: 'audit'}) ON CREATE SET h.seq = 0, h.hash = $genesis";

const COLUMNS: &str = "a.seq AS seq, a.id AS id, a.at AS at, a.actor AS actor, a.client_ip AS client_ip, \
     a.action AS action, a.target AS target, a.outcome AS outcome, a.reason AS reason, \
     a.request_id AS request_id, a.prev_hash AS prev_hash, a.hash AS hash";

#[derive(Deserialize)]
struct HeadRow {
    seq: i64,
    hash: String,
}

#[derive(Deserialize)]
struct EventRow {
    seq: i64,
    id: String,
    at: String,
    actor: String,
    client_ip: Option<String>,
    action: String,
    target: Option<String>,
    outcome: String,
    reason: Option<String>,
    request_id: Option<String>,
    prev_hash: String,
    hash: String,
}

impl TryFrom<EventRow> for AuditEvent {
    type Error = StoreError;

    fn try_from(r: EventRow) -> Result<Self, StoreError> {
        Ok(AuditEvent {
            seq: number("AuditEvent.seq", r.seq)?,
            id: text("AuditEvent.id", &r.id)?,
            at: text("AuditEvent.at", &r.at)?,
            actor: r.actor,
            client_ip: r.client_ip,
            action: r.action,
            target: r.target,
            outcome: text("AuditEvent.outcome", &r.outcome)?,
            reason: r.reason,
            request_id: r.request_id,
            prev_hash: r.prev_hash,
            hash: r.hash,
        })
    }
}

fn to_i64(seq: u64) -> Result<i64, StoreError> {
    i64::try_from(seq).map_err(|_| StoreError::internal(format!("audit seq {seq} out of range")))
}

fn event_map(e: &AuditEvent) -> Result<BoltType, StoreError> {
    let mut m: HashMap<String, BoltType> = HashMap::new();
    m.insert("seq".into(), to_i64(e.seq)?.into());
    m.insert("id".into(), e.id.as_str().into());
    m.insert("at".into(), e.at.rfc3339().into());
    m.insert("actor".into(), e.actor.as_str().into());
    m.insert("client_ip".into(), e.client_ip.clone().into());
    m.insert("action".into(), e.action.as_str().into());
    m.insert("target".into(), e.target.clone().into());
    m.insert("outcome".into(), e.outcome.as_str().into());
    m.insert("reason".into(), e.reason.clone().into());
    m.insert("request_id".into(), e.request_id.clone().into());
    m.insert("prev_hash".into(), e.prev_hash.as_str().into());
    m.insert("hash".into(), e.hash.as_str().into());
    Ok(m.into())
}

#[async_trait]
impl AuditStore for Neo4jStore {
    async fn append_audit_events(&self, events: &[AuditEvent]) -> Result<(), StoreError> {
        let (Some(first), Some(last)) = (events.first(), events.last()) else { return Ok(()) };
        let maps = events.iter().map(event_map).collect::<Result<Vec<_>, _>>()?;
        let last_seq = to_i64(last.seq)?;
        in_tx!(self, |tx| {
            tx.run(query(HEAD).param("genesis", honestly_core::audit::GENESIS_HASH)).await?;
            tx.lock("AuditHead", "name", "audit").await?;
            let head: Option<HeadRow> = tx
                .fetch_one(query("MATCH (h:AuditHead {name: 'audit'}) RETURN h.seq AS seq, h.hash AS hash"))
                .await?;
            let (head_seq, head_hash) =
                head.map_or((0, honestly_core::audit::GENESIS_HASH.to_string()), |h| (h.seq, h.hash));
            if to_i64(first.seq)? != head_seq + 1 || first.prev_hash != head_hash {
                return Err(StoreError::conflict(format!(
                    "audit batch starts at seq {}, the chain ends at seq {head_seq}",
                    first.seq
                )));
            }
            tx.run(
                query(
                    "UNWIND $events AS e CREATE (a:AuditEvent) SET a = e \
                     WITH count(a) AS written \
                     MATCH (h:AuditHead {name: 'audit'}) SET h.seq = $last_seq, h.hash = $last_hash",
                )
                .param("events", maps.clone())
                .param("last_seq", last_seq)
                .param("last_hash", last.hash.as_str()),
            )
            .await
        })
    }

    async fn last_audit_event(&self) -> Result<Option<AuditEvent>, StoreError> {
        let row: Option<EventRow> = self
            .fetch_one(query(&format!(
                "MATCH (h:AuditHead {{name: 'audit'}}) MATCH (a:AuditEvent {{seq: h.seq}}) RETURN {COLUMNS}"
            )))
            .await?;
        row.map(AuditEvent::try_from).transpose()
    }

    async fn audit_events_after(&self, seq: u64, limit: u32) -> Result<Vec<AuditEvent>, StoreError> {
        let rows: Vec<EventRow> = self
            .fetch(
                query(&format!(
                    "MATCH (a:AuditEvent) WHERE a.seq > $after RETURN {COLUMNS} ORDER BY a.seq LIMIT $limit"
                ))
                .param("after", to_i64(seq)?)
                .param("limit", i64::from(limit)),
            )
            .await?;
        rows.into_iter().map(AuditEvent::try_from).collect()
    }
}
