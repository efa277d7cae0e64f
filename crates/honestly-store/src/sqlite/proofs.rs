//! Proofs in SQLite.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, Row};

use super::columns::text;
use super::{timeline, SqliteStore};
use honestly_core::ids::{ProofId, UserId};
use honestly_core::store::{ProofStore, StoreError};
use honestly_core::timeline::TimelineEvent;
use honestly_core::zk::ProofRecord;

const COLUMNS: &str = "id, user_id, document_id, proof_type, proof, public_signals, nullifier, created_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<ProofRecord> {
    Ok(ProofRecord {
        id: text(row, 0)?,
        user_id: text(row, 1)?,
        document_id: text(row, 2)?,
        proof_type: row.get(3)?,
        proof: text(row, 4)?,
        public_signals: text(row, 5)?,
        nullifier: row.get(6)?,
        created_at: text(row, 7)?,
    })
}

#[async_trait]
impl ProofStore for SqliteStore {
    async fn insert_proof(&self, p: &ProofRecord, event: &TimelineEvent) -> Result<bool, StoreError> {
        let (p, event) = (p.clone(), event.clone());
        self.write(move |tx| {
            if !super::ownership::owns_document(tx, &p.user_id, &p.document_id)? {
                return Ok(false);
            }
            tx.execute(
                &format!("INSERT INTO proofs ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
                params![
                    p.id.as_str(),
                    p.user_id.as_str(),
                    p.document_id.as_str(),
                    p.proof_type,
                    p.proof.to_string(),
                    serde_json::to_string(&p.public_signals).unwrap_or_default(),
                    p.nullifier,
                    p.created_at.rfc3339(),
                ],
            )?;
            timeline::insert(tx, &event)?;
            Ok(true)
        })
        .await
    }

    async fn proof(&self, user_id: &UserId, id: &ProofId) -> Result<Option<ProofRecord>, StoreError> {
        let (user_id, id) = (user_id.clone().into_string(), id.clone().into_string());
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    &format!("SELECT {COLUMNS} FROM proofs WHERE id = ?1 AND user_id = ?2"),
                    params![id, user_id],
                    from_row,
                )
                .optional()?)
        })
        .await
    }

    async fn list_proofs(&self, user_id: &UserId, limit: u32) -> Result<Vec<ProofRecord>, StoreError> {
        let user_id = user_id.clone().into_string();
        self.read(move |conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {COLUMNS} FROM proofs WHERE user_id = ?1 ORDER BY seq DESC LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![user_id, limit], from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn proofs_page(
        &self,
        user_id: &UserId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(i64, ProofRecord)>, StoreError> {
        let user_id = user_id.clone().into_string();
        self.read(move |conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {COLUMNS}, seq FROM proofs WHERE user_id = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3"
            ))?;
            let rows = stmt.query_map(params![user_id, before.unwrap_or(i64::MAX), limit], |r| {
                Ok((r.get(8)?, from_row(r)?))
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }
}
