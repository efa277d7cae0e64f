//! Timelines in SQLite.

use async_trait::async_trait;
use rusqlite::{params, Connection, Row};

use super::SqliteStore;
use honestly_core::store::{StoreError, TimelineStore};
use honestly_core::timeline::TimelineEvent;

/// Inserts an event inside an existing transaction (used by the operations it records).
pub(super) fn insert(tx: &Connection, e: &TimelineEvent) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO timeline_events (id, user_id, kind, at, document_id, proof_id, link_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![e.id, e.user_id, e.kind, e.at, e.document_id, e.proof_id, e.link_id])?;
    Ok(())
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<TimelineEvent> {
    Ok(TimelineEvent {
        id: row.get(0)?,
        user_id: row.get(1)?,
        kind: row.get(2)?,
        at: row.get(3)?,
        document_id: row.get(4)?,
        proof_id: row.get(5)?,
        link_id: row.get(6)?,
    })
}

#[async_trait]
impl TimelineStore for SqliteStore {
    async fn add_timeline_event(&self, event: &TimelineEvent) -> Result<(), StoreError> {
        let event = event.clone();
        self.write(move |tx| Ok(insert(tx, &event)?)).await
    }

    async fn timeline(&self, user_id: &str, limit: u32) -> Result<Vec<TimelineEvent>, StoreError> {
        let user_id = user_id.to_string();
        self.read(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT id, user_id, kind, at, document_id, proof_id, link_id FROM timeline_events
                 WHERE user_id = ?1 ORDER BY seq DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![user_id, limit], from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }
}
