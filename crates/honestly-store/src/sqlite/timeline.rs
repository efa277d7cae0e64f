//! Timelines in SQLite.

use async_trait::async_trait;
use rusqlite::{params, Connection, Row};

use super::columns::{text, text_opt};
use super::SqliteStore;
use honestly_core::ids::{DocumentId, LinkId, ProofId, ProofRequestId, UserId};
use honestly_core::store::{StoreError, TimelineStore};
use honestly_core::timeline::TimelineEvent;

/// Inserts an event inside an existing transaction (used by the operations it records).
pub(super) fn insert(tx: &Connection, e: &TimelineEvent) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO timeline_events (id, user_id, kind, at, document_id, proof_id, link_id, request_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        e.id.as_str(),
        e.user_id.as_str(),
        e.kind.as_str(),
        e.at.rfc3339(),
        e.document_id.as_ref().map(DocumentId::as_str),
        e.proof_id.as_ref().map(ProofId::as_str),
        e.link_id.as_ref().map(LinkId::as_str),
        e.request_id.as_ref().map(ProofRequestId::as_str),
    ])?;
    Ok(())
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<TimelineEvent> {
    Ok(TimelineEvent {
        id: text(row, 0)?,
        user_id: text(row, 1)?,
        kind: text(row, 2)?,
        at: text(row, 3)?,
        document_id: text_opt(row, 4)?,
        proof_id: text_opt(row, 5)?,
        link_id: text_opt(row, 6)?,
        request_id: text_opt(row, 7)?,
    })
}

#[async_trait]
impl TimelineStore for SqliteStore {
    async fn add_timeline_event(&self, event: &TimelineEvent) -> Result<(), StoreError> {
        let event = event.clone();
        self.write(move |tx| Ok(insert(tx, &event)?)).await
    }

    async fn timeline(&self, user_id: &UserId, limit: u32) -> Result<Vec<TimelineEvent>, StoreError> {
        let user_id = user_id.clone().into_string();
        self.read(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT id, user_id, kind, at, document_id, proof_id, link_id, request_id FROM timeline_events
                 WHERE user_id = ?1 ORDER BY seq DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![user_id, limit], from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn document_timeline(
        &self,
        user_id: &UserId,
        document_id: &DocumentId,
        limit: u32,
    ) -> Result<Vec<TimelineEvent>, StoreError> {
        let (user_id, document_id) = (user_id.clone().into_string(), document_id.as_str().to_owned());
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, user_id, kind, at, document_id, proof_id, link_id, request_id FROM timeline_events
                 WHERE user_id = ?1 AND document_id = ?2 ORDER BY seq DESC LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![user_id, document_id, limit], from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn timeline_page(
        &self,
        user_id: &UserId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(i64, TimelineEvent)>, StoreError> {
        let user_id = user_id.clone().into_string();
        self.read(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT id, user_id, kind, at, document_id, proof_id, link_id, request_id, seq FROM timeline_events
                 WHERE user_id = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![user_id, before.unwrap_or(i64::MAX), limit], |r| {
                Ok((r.get(8)?, from_row(r)?))
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }
}
