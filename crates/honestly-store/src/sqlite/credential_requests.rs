//! Credential requests and the decisions on them in SQLite. Every check and change of a
//! decision runs in one transaction on the single writer connection, so of concurrent
//! decisions on one request exactly one finds it pending.

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::columns::{text, text_opt, unix, unix_opt};
use super::ownership::owns_document;
use super::{credentials, SqliteStore};
use honestly_core::clock::Timestamp;
use honestly_core::crypto::vault::Sealed;
use honestly_core::ids::{CredentialRequestId, IssuerId, UserId};
use honestly_core::issuance::{CredentialRequestRecord, Decision, DecisionOutcome, RequestStatus};
use honestly_core::store::{CredentialRequestStore, StoreError};

const COLUMNS: &str = "id, holder, document_id, issuer_id, key_version, nonce, ciphertext, status, reason, \
     credential_id, decided_by, created_at, decided_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<CredentialRequestRecord> {
    Ok(CredentialRequestRecord {
        id: text(row, 0)?,
        holder: text(row, 1)?,
        document_id: text(row, 2)?,
        issuer_id: text(row, 3)?,
        sealed_claims: Sealed { key_version: row.get(4)?, nonce: row.get(5)?, ciphertext: row.get(6)? },
        status: text(row, 7)?,
        reason: row.get(8)?,
        credential_id: text_opt(row, 9)?,
        decided_by: text_opt(row, 10)?,
        created_at: unix(row, 11)?,
        decided_at: unix_opt(row, 12)?,
    })
}

fn request(conn: &Connection, id: &str) -> rusqlite::Result<Option<CredentialRequestRecord>> {
    conn.query_row(&format!("SELECT {COLUMNS} FROM credential_requests WHERE id = ?1"), [id], from_row)
        .optional()
}

/// Withdraws the pending requests for `document_id` (the document is being deleted), in the
/// caller's transaction.
pub(super) fn withdraw_for_document(
    tx: &Connection,
    document_id: &str,
    now: Timestamp,
) -> rusqlite::Result<usize> {
    tx.execute(
        "UPDATE credential_requests SET status = 'withdrawn', reason = 'document deleted', decided_at = ?1
         WHERE document_id = ?2 AND status = 'pending'",
        params![now.unix(), document_id],
    )
}

/// The request after a change made in this transaction.
fn reread(tx: &Connection, id: &str) -> Result<CredentialRequestRecord, super::Failure> {
    request(tx, id)?
        .ok_or_else(|| StoreError::internal("a request changed in this transaction is gone").into())
}

#[async_trait]
impl CredentialRequestStore for SqliteStore {
    async fn insert_credential_request(
        &self,
        request: &CredentialRequestRecord,
        max_pending: u32,
    ) -> Result<bool, StoreError> {
        let r = request.clone();
        self.write(move |tx| {
            let pending: u32 = tx.query_row(
                "SELECT COUNT(*) FROM credential_requests WHERE holder = ?1 AND status = 'pending'",
                [r.holder.as_str()],
                |row| row.get(0),
            )?;
            if pending >= max_pending || !owns_document(tx, &r.holder, &r.document_id)? {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO credential_requests (id, holder, document_id, issuer_id, key_version, nonce, ciphertext,
                     status, reason, credential_id, decided_by, created_at, decided_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    r.id.as_str(),
                    r.holder.as_str(),
                    r.document_id.as_str(),
                    r.issuer_id.as_str(),
                    r.sealed_claims.key_version,
                    r.sealed_claims.nonce,
                    r.sealed_claims.ciphertext,
                    r.status.as_str(),
                    r.reason,
                    r.credential_id.as_ref().map(|c| c.as_str()),
                    r.decided_by.as_ref().map(|u| u.as_str()),
                    r.created_at.unix(),
                    r.decided_at.map(Timestamp::unix),
                ],
            )?;
            Ok(true)
        })
        .await
    }

    async fn credential_request(
        &self,
        id: &CredentialRequestId,
    ) -> Result<Option<CredentialRequestRecord>, StoreError> {
        let id = id.clone().into_string();
        self.read(move |conn| Ok(request(conn, &id)?)).await
    }

    async fn credential_requests_of_holder(
        &self,
        holder: &UserId,
        limit: u32,
    ) -> Result<Vec<CredentialRequestRecord>, StoreError> {
        let holder = holder.clone().into_string();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM credential_requests WHERE holder = ?1
                 ORDER BY created_at DESC, seq DESC LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![holder, limit], from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn credential_requests_for_issuer(
        &self,
        issuer_id: &IssuerId,
        status: Option<RequestStatus>,
        before: Option<Timestamp>,
        limit: u32,
    ) -> Result<Vec<CredentialRequestRecord>, StoreError> {
        let issuer_id = issuer_id.clone().into_string();
        self.read(move |conn| {
            // One statement per shape, so each seeks its own index.
            let status_filter = if status.is_some() { "status = ?2" } else { "?2 IS NULL" };
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM credential_requests
                 WHERE issuer_id = ?1 AND {status_filter} AND created_at < ?3
                 ORDER BY created_at DESC, seq DESC LIMIT ?4"
            ))?;
            let rows = stmt.query_map(
                params![
                    issuer_id,
                    status.map(|s| s.as_str()),
                    before.map_or(i64::MAX, Timestamp::unix),
                    limit
                ],
                from_row,
            )?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn decide_credential_request(
        &self,
        issuer_id: &IssuerId,
        id: &CredentialRequestId,
        decided_by: &UserId,
        decision: &Decision,
        now: Timestamp,
    ) -> Result<DecisionOutcome, StoreError> {
        let (issuer_id, id, decided_by, decision) =
            (issuer_id.clone(), id.clone().into_string(), decided_by.clone(), decision.clone());
        self.write(move |tx| {
            let Some(current) = request(tx, &id)?.filter(|r| r.issuer_id == issuer_id) else {
                return Ok(DecisionOutcome::NotFound);
            };
            if current.status != RequestStatus::Pending || !owns_document(tx, &current.holder, &current.document_id)? {
                return Ok(DecisionOutcome::NotPending(current));
            }
            match &decision {
                Decision::Approve { issued, held } => {
                    tx.execute(
                        "UPDATE credential_requests SET status = 'approved', credential_id = ?1, decided_by = ?2,
                             decided_at = ?3 WHERE id = ?4",
                        params![issued.id.as_str(), decided_by.as_str(), now.unix(), id],
                    )?;
                    credentials::insert_issued(tx, issued)?;
                    credentials::insert_held(tx, held)?;
                }
                Decision::Reject { reason } => {
                    tx.execute(
                        "UPDATE credential_requests SET status = 'rejected', reason = ?1, decided_by = ?2,
                             decided_at = ?3 WHERE id = ?4",
                        params![reason, decided_by.as_str(), now.unix(), id],
                    )?;
                }
            }
            Ok(DecisionOutcome::Done(reread(tx, &id)?))
        })
        .await
    }

    async fn withdraw_credential_request(
        &self,
        holder: &UserId,
        id: &CredentialRequestId,
        now: Timestamp,
    ) -> Result<DecisionOutcome, StoreError> {
        let (holder, id) = (holder.clone(), id.clone().into_string());
        self.write(move |tx| {
            let Some(current) = request(tx, &id)?.filter(|r| r.holder == holder) else {
                return Ok(DecisionOutcome::NotFound);
            };
            if current.status != RequestStatus::Pending {
                return Ok(DecisionOutcome::NotPending(current));
            }
            tx.execute(
                "UPDATE credential_requests SET status = 'withdrawn', decided_at = ?1 WHERE id = ?2",
                params![now.unix(), id],
            )?;
            Ok(DecisionOutcome::Done(reread(tx, &id)?))
        })
        .await
    }
}
