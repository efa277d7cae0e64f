//! Credentials in SQLite: holders' copies (`held_credentials`), issuers' records
//! (`issued_credentials`) and revocations. A revocation sets `revoked_at` and bumps the
//! issuer's `revocation_version` in one transaction; serials are decimal text.

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::columns::{text, text_opt, unix, unix_opt};
use super::SqliteStore;
use honestly_core::clock::Timestamp;
use honestly_core::credentials::IssuerPublicKey;
use honestly_core::crypto::vault::Sealed;
use honestly_core::ids::{CredentialId, IssuerId, UserId};
use honestly_core::issuance::{HeldCredential, IssuedCredential, RevokeOutcome};
use honestly_core::store::{CredentialStore, StoreError};
use honestly_zk::fr_to_decimal;

const HELD_COLUMNS: &str =
    "id, holder, document_id, issuer_id, issuer_key_x, issuer_key_y, serial, valid_until, \
     key_version, nonce, ciphertext, created_at";

const ISSUED_COLUMNS: &str = "id, issuer_id, request_id, holder, serial, valid_until, issued_at, revoked_at";

fn held_from_row(row: &Row<'_>) -> rusqlite::Result<HeldCredential> {
    Ok(HeldCredential {
        id: text(row, 0)?,
        holder: text(row, 1)?,
        document_id: text_opt(row, 2)?,
        issuer_id: text_opt(row, 3)?,
        issuer_key: IssuerPublicKey { x: text(row, 4)?, y: text(row, 5)? },
        serial: text(row, 6)?,
        valid_until: row.get(7)?,
        sealed_json: Sealed { key_version: row.get(8)?, nonce: row.get(9)?, ciphertext: row.get(10)? },
        created_at: unix(row, 11)?,
    })
}

fn issued_from_row(row: &Row<'_>) -> rusqlite::Result<IssuedCredential> {
    Ok(IssuedCredential {
        id: text(row, 0)?,
        issuer_id: text(row, 1)?,
        request_id: text(row, 2)?,
        holder: text(row, 3)?,
        serial: text(row, 4)?,
        valid_until: row.get(5)?,
        issued_at: unix(row, 6)?,
        revoked_at: unix_opt(row, 7)?,
    })
}

/// Stores a holder's copy in the caller's transaction (a constraint violation when the holder
/// already keeps the same issuer key and serial).
pub(super) fn insert_held(tx: &Connection, c: &HeldCredential) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO held_credentials (id, holder, document_id, issuer_id, issuer_key_x, issuer_key_y, serial,
             valid_until, key_version, nonce, ciphertext, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            c.id.as_str(),
            c.holder.as_str(),
            c.document_id.as_ref().map(|d| d.as_str()),
            c.issuer_id.as_ref().map(|i| i.as_str()),
            fr_to_decimal(&c.issuer_key.x),
            fr_to_decimal(&c.issuer_key.y),
            c.serial.to_string(),
            c.valid_until,
            c.sealed_json.key_version,
            c.sealed_json.nonce,
            c.sealed_json.ciphertext,
            c.created_at.unix(),
        ],
    )?;
    Ok(())
}

/// Stores an issuer's record in the caller's transaction.
pub(super) fn insert_issued(tx: &Connection, c: &IssuedCredential) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO issued_credentials (id, issuer_id, request_id, holder, serial, valid_until, issued_at, revoked_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            c.id.as_str(),
            c.issuer_id.as_str(),
            c.request_id.as_str(),
            c.holder.as_str(),
            c.serial.to_string(),
            c.valid_until,
            c.issued_at.unix(),
            c.revoked_at.map(Timestamp::unix),
        ],
    )?;
    Ok(())
}

#[async_trait]
impl CredentialStore for SqliteStore {
    async fn insert_held_credential(
        &self,
        credential: &HeldCredential,
        max_per_holder: u32,
    ) -> Result<bool, StoreError> {
        let c = credential.clone();
        self.write(move |tx| {
            let kept: u32 = tx.query_row(
                "SELECT COUNT(*) FROM held_credentials WHERE holder = ?1",
                [c.holder.as_str()],
                |r| r.get(0),
            )?;
            if kept >= max_per_holder {
                return Ok(false);
            }
            insert_held(tx, &c)?;
            Ok(true)
        })
        .await
    }

    async fn held_credential(
        &self,
        holder: &UserId,
        id: &CredentialId,
    ) -> Result<Option<HeldCredential>, StoreError> {
        let (holder, id) = (holder.clone().into_string(), id.clone().into_string());
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    &format!("SELECT {HELD_COLUMNS} FROM held_credentials WHERE id = ?1 AND holder = ?2"),
                    params![id, holder],
                    held_from_row,
                )
                .optional()?)
        })
        .await
    }

    async fn held_credentials(&self, holder: &UserId, limit: u32) -> Result<Vec<HeldCredential>, StoreError> {
        let holder = holder.clone().into_string();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {HELD_COLUMNS} FROM held_credentials WHERE holder = ?1
                 ORDER BY created_at DESC, seq DESC LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![holder, limit], held_from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn delete_held_credential(&self, holder: &UserId, id: &CredentialId) -> Result<bool, StoreError> {
        let (holder, id) = (holder.clone().into_string(), id.clone().into_string());
        self.write(move |tx| {
            Ok(tx
                .execute("DELETE FROM held_credentials WHERE id = ?1 AND holder = ?2", params![id, holder])?
                == 1)
        })
        .await
    }

    async fn issued_credential(
        &self,
        issuer_id: &IssuerId,
        id: &CredentialId,
    ) -> Result<Option<IssuedCredential>, StoreError> {
        let (issuer_id, id) = (issuer_id.clone().into_string(), id.clone().into_string());
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    &format!(
                        "SELECT {ISSUED_COLUMNS} FROM issued_credentials WHERE id = ?1 AND issuer_id = ?2"
                    ),
                    params![id, issuer_id],
                    issued_from_row,
                )
                .optional()?)
        })
        .await
    }

    async fn issued_credentials(
        &self,
        issuer_id: &IssuerId,
        before: Option<Timestamp>,
        limit: u32,
    ) -> Result<Vec<IssuedCredential>, StoreError> {
        let issuer_id = issuer_id.clone().into_string();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {ISSUED_COLUMNS} FROM issued_credentials WHERE issuer_id = ?1 AND issued_at < ?2
                 ORDER BY issued_at DESC, seq DESC LIMIT ?3"
            ))?;
            let rows = stmt.query_map(
                params![issuer_id, before.map_or(i64::MAX, Timestamp::unix), limit],
                issued_from_row,
            )?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn revoke_credential(
        &self,
        issuer_id: &IssuerId,
        id: &CredentialId,
        now: Timestamp,
    ) -> Result<RevokeOutcome, StoreError> {
        let (issuer_id, id) = (issuer_id.clone().into_string(), id.clone().into_string());
        self.write(move |tx| {
            let revoked_at: Option<Option<i64>> = tx
                .query_row(
                    "SELECT revoked_at FROM issued_credentials WHERE id = ?1 AND issuer_id = ?2",
                    params![id, issuer_id],
                    |r| r.get(0),
                )
                .optional()?;
            match revoked_at {
                None => Ok(RevokeOutcome::NotFound),
                Some(Some(_)) => Ok(RevokeOutcome::AlreadyRevoked),
                Some(None) => {
                    tx.execute(
                        "UPDATE issued_credentials SET revoked_at = ?1 WHERE id = ?2",
                        params![now.unix(), id],
                    )?;
                    tx.execute(
                        "UPDATE issuers SET revocation_version = revocation_version + 1 WHERE id = ?1",
                        [&issuer_id],
                    )?;
                    Ok(RevokeOutcome::Revoked)
                }
            }
        })
        .await
    }

    async fn revoked_serials(&self, issuer_id: &IssuerId, limit: u32) -> Result<Vec<u128>, StoreError> {
        let issuer_id = issuer_id.clone().into_string();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT serial FROM issued_credentials WHERE issuer_id = ?1 AND revoked_at IS NOT NULL LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![issuer_id, limit], |r| text(r, 0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }
}
