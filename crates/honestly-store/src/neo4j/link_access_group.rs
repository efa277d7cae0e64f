//! One transaction for a group of share-link access consumptions.
//!
//! The calls are first grouped per link in Rust, so each link is one row of the consuming
//! statement and no row ever reads a count another row of the same statement wrote. For each
//! link the statement takes the node's write lock (held until commit), only then reads its
//! state and grants what is left: every eligible call when the link is unlimited, otherwise
//! `min(calls, max_accesses - access_count)` clamped at zero, and nothing when the link is
//! revoked or its document is gone. A call is eligible when the link has not expired at its
//! `now`. Links are locked in token-hash order and owners' sequences in user order, so groups
//! on different replicas take their locks in the same order. The granted calls of a link are
//! its first eligible callers in arrival order; their timeline events are appended per owner
//! with one sequence increment each, in the same node shape as single inserts.

use std::collections::{BTreeMap, HashMap};

use neo4rs::{query, BoltType};

use super::link_row::LinkRow;
use super::Tx;
use honestly_core::clock::Timestamp;
use honestly_core::ids::{DocumentId, LinkId, ProofId, ProofRequestId};
use honestly_core::links::ShareLink;
use honestly_core::store::StoreError;
use honestly_core::timeline::TimelineEvent;

/// One queued consumption: the arguments of `consume_link_access`.
pub(super) struct Call {
    /// SHA-256 of the link's token.
    pub(super) token_hash: String,
    /// The caller's time (the link must expire after it).
    pub(super) now: Timestamp,
    /// The event to record when the access is granted (owner, link and document filled in).
    pub(super) event: TimelineEvent,
}

/// `$links`: `[{token_hash, nows}]`, one entry per link, `nows` in arrival order. Returns each
/// link found with the number of accesses granted and its state after the increment.
pub(super) const CONSUME_GROUP: &str = "UNWIND $links AS item \
     MATCH (l:ShareLink {token_hash: item.token_hash}) \
     SET l._lock = true REMOVE l._lock \
     WITH item, l, size([t IN item.nows WHERE l.expires_at > t]) AS eligible \
     WITH item, l, CASE \
       WHEN l.revoked_at IS NULL AND EXISTS { MATCH (d:Document {id: l.document_id}) } THEN CASE \
         WHEN l.max_accesses IS NULL THEN eligible \
         WHEN l.max_accesses - l.access_count <= 0 THEN 0 \
         WHEN l.max_accesses - l.access_count < eligible THEN l.max_accesses - l.access_count \
         ELSE eligible END \
       ELSE 0 END AS granted \
     SET l.access_count = l.access_count + granted \
     RETURN granted, l.id AS id, l.user_id AS user_id, l.document_id AS document_id, \
     l.proof_id AS proof_id, l.access_level AS access_level, l.token_hash AS token_hash, \
     l.expires_at AS expires_at, l.max_accesses AS max_accesses, l.access_count AS access_count, \
     l.passphrase_hash AS passphrase_hash, l.created_at AS created_at, l.revoked_at AS revoked_at";

/// `$owners`: `[{seq_name, events}]`, one entry per timeline owner. Each owner's sequence is
/// locked, then moved by the number of its events at once; the events take the numbers in
/// between, in order.
pub(super) const APPEND_EVENTS: &str = "UNWIND $owners AS owner \
     MERGE (q:Sequence {name: owner.seq_name}) ON CREATE SET q.value = 0 \
     SET q._lock = true REMOVE q._lock \
     WITH owner, q \
     SET q.value = q.value + size(owner.events) \
     WITH owner, q.value - size(owner.events) AS base \
     UNWIND range(0, size(owner.events) - 1) AS i \
     WITH owner.events[i] AS e, base + i + 1 AS seq \
     CREATE (:TimelineEvent {id: e.id, user_id: e.user_id, kind: e.kind, at: e.at, \
       document_id: e.document_id, proof_id: e.proof_id, link_id: e.link_id, request_id: e.request_id, \
       seq: seq})";

/// Consumes the accesses `calls` ask for inside `tx`; the answers are in the order of `calls`.
pub(super) async fn consume(tx: &mut Tx, calls: &[Call]) -> Result<Vec<Option<ShareLink>>, StoreError> {
    let mut by_link: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, call) in calls.iter().enumerate() {
        by_link.entry(call.token_hash.as_str()).or_default().push(i);
    }
    let links: Vec<BoltType> = by_link
        .iter()
        .map(|(hash, positions)| {
            let nows: Vec<i64> = positions.iter().map(|&i| calls[i].now.unix()).collect();
            BoltType::from(HashMap::from([
                ("token_hash", BoltType::from(*hash)),
                ("nows", BoltType::from(nows)),
            ]))
        })
        .collect();
    let rows: Vec<LinkRow> = tx.fetch(query(CONSUME_GROUP).param("links", links)).await?;

    let mut answers: Vec<Option<ShareLink>> = vec![None; calls.len()];
    let mut owners: BTreeMap<String, Vec<TimelineEvent>> = BTreeMap::new();
    for row in rows {
        let granted = u32::try_from(row.granted).map_err(StoreError::internal)?;
        let positions = by_link
            .get(row.token_hash.as_str())
            .ok_or_else(|| StoreError::internal("a share link nobody asked for was consumed"))?;
        let link = ShareLink::try_from(row)?;
        let before = link
            .access_count
            .checked_sub(granted)
            .ok_or_else(|| StoreError::internal("a share link granted more accesses than it counts"))?;
        let mut given = 0u32;
        for &i in positions {
            if given == granted || link.expires_at.unix() <= calls[i].now.unix() {
                continue;
            }
            given += 1;
            let mut consumed = link.clone();
            consumed.access_count = before + given;
            let mut event = calls[i].event.clone();
            event.user_id = link.user_id.clone();
            event.link_id = Some(link.id.clone());
            event.document_id = Some(link.document_id.clone());
            owners.entry(link.user_id.as_str().to_owned()).or_default().push(event);
            answers[i] = Some(consumed);
        }
        if given != granted {
            return Err(StoreError::internal("a share link granted accesses no caller could take"));
        }
    }
    if !owners.is_empty() {
        let owners: Vec<BoltType> = owners
            .into_iter()
            .map(|(user_id, events)| {
                let events: Vec<BoltType> = events.iter().map(event_map).collect();
                BoltType::from(HashMap::from([
                    ("seq_name", BoltType::from(format!("timeline:{user_id}"))),
                    ("events", BoltType::from(events)),
                ]))
            })
            .collect();
        tx.run(query(APPEND_EVENTS).param("owners", owners)).await?;
    }
    Ok(answers)
}

/// An event as the map `APPEND_EVENTS` stores (absent ids as nulls: properties not set).
fn event_map(e: &TimelineEvent) -> BoltType {
    BoltType::from(HashMap::from([
        ("id", BoltType::from(e.id.as_str())),
        ("user_id", BoltType::from(e.user_id.as_str())),
        ("kind", BoltType::from(e.kind.as_str())),
        ("at", BoltType::from(e.at.rfc3339())),
        ("document_id", BoltType::from(e.document_id.as_ref().map(DocumentId::as_str))),
        ("proof_id", BoltType::from(e.proof_id.as_ref().map(ProofId::as_str))),
        ("link_id", BoltType::from(e.link_id.as_ref().map(LinkId::as_str))),
        ("request_id", BoltType::from(e.request_id.as_ref().map(ProofRequestId::as_str))),
    ]))
}
