//! Proof requests in SQLite. Ending a request is one transaction on the single writer
//! connection: it re-reads the request, changes it only while pending (and, for answers, not
//! expired), and records the holder's nullifier for the verifier's scope under a primary key,
//! so of concurrent answers exactly one wins. The ended request's webhook event is stored in
//! the same transaction.

use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::columns::{text, text_opt, unix, unix_opt};
use super::webhooks::insert_event;
use super::SqliteStore;
use honestly_core::clock::Timestamp;
use honestly_core::ids::{ProofRequestId, UserId};
use honestly_core::proof_requests::{Finish, FinishOutcome, ProofRequestRecord, ProofRequestStatus};
use honestly_core::store::{Announcement, ProofRequestStore, StoreError};

const COLUMNS: &str = "id, owner, token_hash, spec, status, created_at, expires_at, finished_at, result";

fn from_row(row: &Row<'_>) -> rusqlite::Result<ProofRequestRecord> {
    Ok(ProofRequestRecord {
        id: text(row, 0)?,
        owner: text(row, 1)?,
        token_hash: row.get(2)?,
        spec: text(row, 3)?,
        status: text(row, 4)?,
        created_at: unix(row, 5)?,
        expires_at: unix(row, 6)?,
        finished_at: unix_opt(row, 7)?,
        result: text_opt(row, 8)?,
    })
}

fn by_id(conn: &Connection, id: &str) -> rusqlite::Result<Option<ProofRequestRecord>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM proof_requests WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, super::Failure> {
    serde_json::to_string(value).map_err(|e| StoreError::internal(e).into())
}

fn reread(tx: &Connection, id: &str) -> Result<ProofRequestRecord, super::Failure> {
    by_id(tx, id)?.ok_or_else(|| StoreError::internal("a request changed in this transaction is gone").into())
}

/// The request `id` just ended in `tx`, as it now is, with the webhook event it announces
/// stored in the same transaction.
fn ended(tx: &Connection, id: &str, announce: &Announcement) -> Result<ProofRequestRecord, super::Failure> {
    let request = reread(tx, id)?;
    if let Some(event) = announce(&request) {
        insert_event(tx, &event)?;
    }
    Ok(request)
}

#[async_trait]
impl ProofRequestStore for SqliteStore {
    async fn insert_proof_request(&self, request: &ProofRequestRecord) -> Result<(), StoreError> {
        let r = request.clone();
        self.write(move |tx| {
            let spec = json(&r.spec)?;
            let result = r.result.as_ref().map(json).transpose()?;
            tx.execute(
                &format!(
                    "INSERT INTO proof_requests ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                ),
                params![
                    r.id.as_str(),
                    r.owner.as_str(),
                    r.token_hash,
                    spec,
                    r.status.as_str(),
                    r.created_at.unix(),
                    r.expires_at.unix(),
                    r.finished_at.map(Timestamp::unix),
                    result,
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn proof_request(
        &self,
        owner: &UserId,
        id: &ProofRequestId,
    ) -> Result<Option<ProofRequestRecord>, StoreError> {
        let (owner, id) = (owner.clone(), id.clone().into_string());
        self.read(move |conn| Ok(by_id(conn, &id)?.filter(|r| r.owner == owner))).await
    }

    async fn proof_request_by_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<ProofRequestRecord>, StoreError> {
        let token_hash = token_hash.to_string();
        self.read(move |conn| {
            Ok(conn
                .prepare_cached(&format!("SELECT {COLUMNS} FROM proof_requests WHERE token_hash = ?1"))?
                .query_row([token_hash], from_row)
                .optional()?)
        })
        .await
    }

    async fn proof_requests_page(
        &self,
        owner: &UserId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(i64, ProofRequestRecord)>, StoreError> {
        let owner = owner.clone().into_string();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS}, seq FROM proof_requests WHERE owner = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3"
            ))?;
            let rows = stmt.query_map(params![owner, before.unwrap_or(i64::MAX), limit], |r| {
                Ok((r.get(9)?, from_row(r)?))
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn finish_proof_request(
        &self,
        id: &ProofRequestId,
        finish: &Finish,
        now: Timestamp,
        announce: Arc<Announcement>,
    ) -> Result<FinishOutcome, StoreError> {
        let (id, finish) = (id.clone().into_string(), finish.clone());
        self.write(move |tx| {
            let Some(current) = by_id(tx, &id)? else { return Ok(FinishOutcome::NotFound) };
            if current.status != ProofRequestStatus::Pending {
                return Ok(FinishOutcome::NotPending(current));
            }
            let overdue = current.expires_at <= now;
            match &finish {
                Finish::Expire if !overdue => return Ok(FinishOutcome::NotPending(current)),
                Finish::Complete { .. } | Finish::Decline if overdue => {
                    return Ok(FinishOutcome::TooLate(current))
                }
                _ => {}
            }
            let result = match &finish {
                Finish::Complete { result, unique_nullifier } => {
                    if let Some(nullifier) = unique_nullifier {
                        let recorded = tx.execute(
                            "INSERT INTO proof_request_answers (owner, scope, nullifier, request_id)
                             VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                            params![current.owner.as_str(), current.spec.scope, nullifier, id],
                        )?;
                        if recorded != 1 {
                            return Ok(FinishOutcome::AlreadyAnswered);
                        }
                    }
                    Some(json(result)?)
                }
                Finish::Decline | Finish::Expire => None,
            };
            let changed = tx.execute(
                "UPDATE proof_requests SET status = ?1, finished_at = ?2, result = ?3
                 WHERE id = ?4 AND status = 'pending'",
                params![finish.status().as_str(), now.unix(), result, id],
            )?;
            if changed != 1 {
                return Err(StoreError::internal("a pending request did not change").into());
            }
            Ok(FinishOutcome::Done(ended(tx, &id, announce.as_ref())?))
        })
        .await
    }

    async fn expire_due_proof_requests(
        &self,
        now: Timestamp,
        limit: u32,
        announce: Arc<Announcement>,
    ) -> Result<Vec<ProofRequestRecord>, StoreError> {
        self.write(move |tx| {
            let due: Vec<String> = tx
                .prepare_cached(
                    "SELECT id FROM proof_requests WHERE status = 'pending' AND expires_at <= ?1
                     ORDER BY expires_at LIMIT ?2",
                )?
                .query_map(params![now.unix(), limit], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let mut expired = Vec::with_capacity(due.len());
            for id in due {
                let changed = tx.execute(
                    "UPDATE proof_requests SET status = 'expired', finished_at = ?1
                     WHERE id = ?2 AND status = 'pending'",
                    params![now.unix(), id],
                )?;
                if changed == 1 {
                    expired.push(ended(tx, &id, announce.as_ref())?);
                }
            }
            Ok(expired)
        })
        .await
    }
}
