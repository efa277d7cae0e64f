//! Share links in SQLite. Consuming an access is one conditional UPDATE on the single writer
//! connection, inside the same transaction as the owner's timeline event.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, Row};

use super::columns::{text, text_opt, unix, unix_opt};
use super::{timeline, SqliteStore};
use honestly_core::clock::Timestamp;
use honestly_core::ids::{LinkId, ProofId, UserId};
use honestly_core::links::ShareLink;
use honestly_core::store::{LinkStore, StoreError};
use honestly_core::timeline::TimelineEvent;

const COLUMNS: &str =
    "id, user_id, document_id, proof_id, access_level, token_hash, expires_at, max_accesses, \
                       access_count, passphrase_hash, created_at, revoked_at";

/// `created_at` is stored as RFC 3339 text, `expires_at` and `revoked_at` as Unix seconds.
fn from_row(row: &Row<'_>) -> rusqlite::Result<ShareLink> {
    Ok(ShareLink {
        id: text(row, 0)?,
        user_id: text(row, 1)?,
        document_id: text(row, 2)?,
        proof_id: text_opt(row, 3)?,
        access_level: text(row, 4)?,
        token_hash: row.get(5)?,
        expires_at: unix(row, 6)?,
        max_accesses: row.get(7)?,
        access_count: row.get(8)?,
        passphrase_hash: row.get(9)?,
        created_at: text(row, 10)?,
        revoked_at: unix_opt(row, 11)?,
    })
}

#[async_trait]
impl LinkStore for SqliteStore {
    async fn insert_link(&self, l: &ShareLink, event: &TimelineEvent) -> Result<bool, StoreError> {
        let (l, event) = (l.clone(), event.clone());
        self.write(move |tx| {
            if !super::ownership::owns_document(tx, &l.user_id, &l.document_id)? {
                return Ok(false);
            }
            tx.execute(
                &format!("INSERT INTO share_links ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
                params![
                    l.id.as_str(),
                    l.user_id.as_str(),
                    l.document_id.as_str(),
                    l.proof_id.as_ref().map(ProofId::as_str),
                    l.access_level.as_str(),
                    l.token_hash,
                    l.expires_at.unix(),
                    l.max_accesses,
                    l.access_count,
                    l.passphrase_hash,
                    l.created_at.rfc3339(),
                    l.revoked_at.map(Timestamp::unix),
                ],
            )?;
            timeline::insert(tx, &event)?;
            Ok(true)
        })
        .await
    }

    async fn links_of_user(&self, user_id: &UserId, limit: u32) -> Result<Vec<ShareLink>, StoreError> {
        let user_id = user_id.clone().into_string();
        self.read(move |conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {COLUMNS} FROM share_links WHERE user_id = ?1 ORDER BY seq DESC LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![user_id, limit], from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn links_page(
        &self,
        user_id: &UserId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(i64, ShareLink)>, StoreError> {
        let user_id = user_id.clone().into_string();
        self.read(move |conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {COLUMNS}, seq FROM share_links WHERE user_id = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3"
            ))?;
            let rows = stmt.query_map(params![user_id, before.unwrap_or(i64::MAX), limit], |r| {
                Ok((r.get(12)?, from_row(r)?))
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn revoke_link(
        &self,
        user_id: &UserId,
        id: &LinkId,
        now: Timestamp,
        event: &TimelineEvent,
    ) -> Result<bool, StoreError> {
        let (user_id, id, event) = (user_id.clone().into_string(), id.clone().into_string(), event.clone());
        self.write(move |tx| {
            let changed = tx.execute(
                "UPDATE share_links SET revoked_at = ?1 WHERE id = ?2 AND user_id = ?3 AND revoked_at IS NULL",
                params![now.unix(), id, user_id],
            )?;
            if changed == 1 {
                timeline::insert(tx, &event)?;
            }
            Ok(changed == 1)
        })
        .await
    }

    async fn link_by_token_hash(&self, token_hash: &str) -> Result<Option<ShareLink>, StoreError> {
        let token_hash = token_hash.to_string();
        self.read(move |conn| {
            Ok(conn
                .prepare_cached(&format!("SELECT {COLUMNS} FROM share_links WHERE token_hash = ?1"))?
                .query_row([token_hash], from_row)
                .optional()?)
        })
        .await
    }

    async fn consume_link_access(
        &self,
        token_hash: &str,
        now: Timestamp,
        event: &TimelineEvent,
    ) -> Result<Option<ShareLink>, StoreError> {
        let (token_hash, event) = (token_hash.to_string(), event.clone());
        self.write(move |tx| {
            let changed = tx
                .prepare_cached(
                    "UPDATE share_links SET access_count = access_count + 1
                     WHERE token_hash = ?1 AND revoked_at IS NULL AND expires_at > ?2
                       AND (max_accesses IS NULL OR access_count < max_accesses)
                       AND EXISTS (SELECT 1 FROM documents d WHERE d.id = share_links.document_id)",
                )?
                .execute(params![token_hash, now.unix()])?;
            if changed != 1 {
                return Ok(None);
            }
            let link = tx
                .prepare_cached(&format!("SELECT {COLUMNS} FROM share_links WHERE token_hash = ?1"))?
                .query_row([&token_hash], from_row)?;
            let mut event = event;
            event.user_id = link.user_id.clone();
            event.link_id = Some(link.id.clone());
            event.document_id = Some(link.document_id.clone());
            timeline::insert(tx, &event)?;
            Ok(Some(link))
        })
        .await
    }
}
