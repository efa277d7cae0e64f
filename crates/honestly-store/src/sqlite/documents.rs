//! Documents, registry leaves and roots in SQLite. Metadata, ciphertext, registry leaf and
//! root and the timeline event of an upload are written in one transaction.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, Row};

use super::columns::{number, text};
use super::{credential_requests, timeline, SqliteStore};
use honestly_core::crypto::vault::Sealed;
use honestly_core::documents::{DocumentMeta, NewDocument};
use honestly_core::ids::{DocumentId, UserId};
use honestly_core::store::{DocumentStore, RegistryState, SealedDocument, StoreError};
use honestly_core::timeline::TimelineEvent;

const META_COLUMNS: &str =
    "seq, id, user_id, document_type, file_name, mime_type, size_bytes, sha256, created_at, metadata, registry_index";

fn meta_from_row(row: &Row<'_>) -> rusqlite::Result<(i64, DocumentMeta)> {
    Ok((
        row.get(0)?,
        DocumentMeta {
            id: text(row, 1)?,
            user_id: text(row, 2)?,
            document_type: text(row, 3)?,
            file_name: row.get(4)?,
            mime_type: row.get(5)?,
            size_bytes: number(row, 6)?,
            sha256: row.get(7)?,
            created_at: text(row, 8)?,
            metadata: text(row, 9)?,
            registry_index: number(row, 10)?,
        },
    ))
}

fn sealed_from_row(row: &Row<'_>, at: usize) -> rusqlite::Result<Sealed> {
    Ok(Sealed { key_version: row.get(at)?, nonce: row.get(at + 1)?, ciphertext: row.get(at + 2)? })
}

#[async_trait]
impl DocumentStore for SqliteStore {
    async fn insert_document(&self, doc: &NewDocument, event: &TimelineEvent) -> Result<(), StoreError> {
        let doc = doc.clone();
        let event = event.clone();
        self.write(move |tx| {
            let m = &doc.meta;
            let next: i64 = tx.query_row("SELECT COUNT(*) FROM registry_leaves", [], |r| r.get(0))?;
            if next as u64 != m.registry_index {
                return Err(StoreError::conflict(format!(
                    "registry position {} taken (next is {next})",
                    m.registry_index
                ))
                .into());
            }
            tx.execute(
                "INSERT INTO documents (id, user_id, document_type, file_name, mime_type, size_bytes, sha256,
                     created_at, metadata, registry_index, key_version, nonce, ciphertext)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    m.id.as_str(),
                    m.user_id.as_str(),
                    m.document_type.as_str(),
                    m.file_name,
                    m.mime_type,
                    m.size_bytes as i64,
                    m.sha256,
                    m.created_at.rfc3339(),
                    m.metadata.to_string(),
                    m.registry_index as i64,
                    doc.sealed.key_version,
                    doc.sealed.nonce,
                    doc.sealed.ciphertext,
                ],
            )?;
            tx.execute(
                "INSERT INTO registry_leaves (idx, leaf, document_id) VALUES (?1, ?2, ?3)",
                params![m.registry_index as i64, doc.registry_leaf, m.id.as_str()],
            )?;
            tx.execute(
                "INSERT INTO registry_roots (epoch, root, created_at) VALUES (?1, ?2, ?3)",
                params![m.registry_index as i64 + 1, doc.registry_root, m.created_at.rfc3339()],
            )?;
            timeline::insert(tx, &event)?;
            Ok(())
        })
        .await
    }

    async fn document(&self, user_id: &UserId, id: &DocumentId) -> Result<Option<DocumentMeta>, StoreError> {
        let (user_id, id) = (user_id.clone().into_string(), id.clone().into_string());
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    &format!("SELECT {META_COLUMNS} FROM documents WHERE id = ?1 AND user_id = ?2"),
                    params![id, user_id],
                    meta_from_row,
                )
                .optional()?
                .map(|(_, m)| m))
        })
        .await
    }

    async fn document_by_sha256(&self, sha256: &str) -> Result<Option<DocumentMeta>, StoreError> {
        let sha256 = sha256.to_string();
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    &format!(
                        "SELECT {META_COLUMNS} FROM documents WHERE sha256 = ?1 ORDER BY seq DESC LIMIT 1"
                    ),
                    [sha256],
                    meta_from_row,
                )
                .optional()?
                .map(|(_, m)| m))
        })
        .await
    }

    async fn user_document_by_sha256(
        &self,
        user_id: &UserId,
        sha256: &str,
    ) -> Result<Option<DocumentMeta>, StoreError> {
        let (user_id, sha256) = (user_id.clone().into_string(), sha256.to_string());
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    &format!(
                        "SELECT {META_COLUMNS} FROM documents WHERE sha256 = ?1 AND user_id = ?2
                         ORDER BY seq DESC LIMIT 1"
                    ),
                    params![sha256, user_id],
                    meta_from_row,
                )
                .optional()?
                .map(|(_, m)| m))
        })
        .await
    }

    async fn document_sealed(&self, user_id: &UserId, id: &DocumentId) -> Result<Option<Sealed>, StoreError> {
        let (user_id, id) = (user_id.clone().into_string(), id.clone().into_string());
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT key_version, nonce, ciphertext FROM documents WHERE id = ?1 AND user_id = ?2",
                    params![id, user_id],
                    |r| sealed_from_row(r, 0),
                )
                .optional()?)
        })
        .await
    }

    async fn list_documents(
        &self,
        user_id: &UserId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(i64, DocumentMeta)>, StoreError> {
        let user_id = user_id.clone().into_string();
        self.read(move |conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {META_COLUMNS} FROM documents WHERE user_id = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3"
            ))?;
            let rows = stmt.query_map(params![user_id, before.unwrap_or(i64::MAX), limit], meta_from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn delete_document(
        &self,
        user_id: &UserId,
        id: &DocumentId,
        event: &TimelineEvent,
    ) -> Result<bool, StoreError> {
        let (user_id, id) = (user_id.clone().into_string(), id.clone().into_string());
        let event = event.clone();
        self.write(move |tx| {
            let deleted =
                tx.execute("DELETE FROM documents WHERE id = ?1 AND user_id = ?2", params![id, user_id])?;
            if deleted == 1 {
                // What exists only because of the document goes with it; its pending credential
                // requests are withdrawn and the credentials that attest it no longer point
                // at it.
                tx.execute("DELETE FROM proofs WHERE document_id = ?1", [&id])?;
                tx.execute("DELETE FROM share_links WHERE document_id = ?1", [&id])?;
                credential_requests::withdraw_for_document(tx, &id, event.at)?;
                tx.execute("UPDATE held_credentials SET document_id = NULL WHERE document_id = ?1", [&id])?;
                timeline::insert(tx, &event)?;
            }
            Ok(deleted == 1)
        })
        .await
    }

    async fn count_documents_not_under(&self, version: &str) -> Result<u64, StoreError> {
        let version = version.to_string();
        self.read(move |conn| {
            Ok(conn.query_row("SELECT COUNT(*) FROM documents WHERE key_version <> ?1", [version], |r| {
                r.get::<_, i64>(0)
            })? as u64)
        })
        .await
    }

    async fn documents_not_under(
        &self,
        version: &str,
        limit: u32,
    ) -> Result<Vec<SealedDocument>, StoreError> {
        let version = version.to_string();
        self.read(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT id, user_id, key_version, nonce, ciphertext FROM documents
                 WHERE key_version <> ?1 ORDER BY seq LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![version, limit], |r| {
                Ok(SealedDocument { id: text(r, 0)?, user_id: text(r, 1)?, sealed: sealed_from_row(r, 2)? })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn replace_sealed(
        &self,
        id: &DocumentId,
        expected_version: &str,
        sealed: &Sealed,
    ) -> Result<bool, StoreError> {
        self.swap_sealed("documents", "ciphertext", id.as_str(), expected_version, sealed).await
    }

    async fn registry_leaves(&self) -> Result<Vec<String>, StoreError> {
        self.read_strings("SELECT leaf FROM registry_leaves ORDER BY idx").await
    }

    async fn registry_roots(&self) -> Result<Vec<String>, StoreError> {
        self.read_strings("SELECT root FROM registry_roots ORDER BY epoch").await
    }

    async fn registry_state(&self) -> Result<RegistryState, StoreError> {
        self.read(|conn| {
            let last = conn
                .query_row(
                    "SELECT epoch, root, created_at FROM registry_roots ORDER BY epoch DESC LIMIT 1",
                    [],
                    |r| {
                        Ok(RegistryState {
                            size: number(r, 0)?,
                            root: Some(r.get(1)?),
                            updated_at: Some(text(r, 2)?),
                        })
                    },
                )
                .optional()?;
            Ok(last.unwrap_or(RegistryState { size: 0, root: None, updated_at: None }))
        })
        .await
    }
}
