//! The audit trail in SQLite: one row per event, keyed by its seq. A batch is appended in one
//! immediate transaction on the single writer connection, after checking that it continues
//! the stored chain (so concurrent writers cannot fork it).

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, Row};

use super::columns::{number, text};
use super::SqliteStore;
use honestly_core::audit::AuditEvent;
use honestly_core::store::{AuditStore, StoreError};

const COLUMNS: &str =
    "seq, id, at, actor, client_ip, action, target, outcome, reason, request_id, prev_hash, hash";

fn event_from_row(row: &Row<'_>) -> rusqlite::Result<AuditEvent> {
    Ok(AuditEvent {
        seq: number(row, 0)?,
        id: text(row, 1)?,
        at: text(row, 2)?,
        actor: row.get(3)?,
        client_ip: row.get(4)?,
        action: row.get(5)?,
        target: row.get(6)?,
        outcome: text(row, 7)?,
        reason: row.get(8)?,
        request_id: row.get(9)?,
        prev_hash: row.get(10)?,
        hash: row.get(11)?,
    })
}

fn to_i64(seq: u64) -> Result<i64, StoreError> {
    i64::try_from(seq).map_err(|_| StoreError::internal(format!("audit seq {seq} out of range")))
}

#[async_trait]
impl AuditStore for SqliteStore {
    async fn append_audit_events(&self, events: &[AuditEvent]) -> Result<(), StoreError> {
        let Some(first) = events.first() else { return Ok(()) };
        let (first_seq, first_prev) = (first.seq, first.prev_hash.clone());
        let events = events.to_vec();
        self.write(move |tx| {
            let head: Option<(u64, String)> = tx
                .prepare_cached("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")?
                .query_row([], |r| Ok((number(r, 0)?, r.get(1)?)))
                .optional()?;
            let (head_seq, head_hash) =
                head.unwrap_or_else(|| (0, honestly_core::audit::GENESIS_HASH.to_string()));
            if first_seq != head_seq + 1 || first_prev != head_hash {
                return Err(StoreError::conflict(format!(
                    "audit batch starts at seq {first_seq}, the chain ends at seq {head_seq}"
                )).into());
            }
            let mut insert = tx.prepare_cached(&format!(
                "INSERT INTO audit_events ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
            ))?;
            for e in &events {
                insert.execute(params![
                    to_i64(e.seq)?,
                    e.id.as_str(),
                    e.at.rfc3339(),
                    e.actor,
                    e.client_ip,
                    e.action,
                    e.target,
                    e.outcome.as_str(),
                    e.reason,
                    e.request_id,
                    e.prev_hash,
                    e.hash,
                ])?;
            }
            Ok(())
        })
        .await
    }

    async fn last_audit_event(&self) -> Result<Option<AuditEvent>, StoreError> {
        self.read(|conn| {
            Ok(conn
                .query_row(
                    &format!("SELECT {COLUMNS} FROM audit_events ORDER BY seq DESC LIMIT 1"),
                    [],
                    event_from_row,
                )
                .optional()?)
        })
        .await
    }

    async fn audit_events_after(&self, seq: u64, limit: u32) -> Result<Vec<AuditEvent>, StoreError> {
        let after = to_i64(seq)?;
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM audit_events WHERE seq > ?1 ORDER BY seq LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![after, limit], event_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }
}
