//! Documents, registry leaves and roots in Neo4j. An upload locks the `(:RegistryHead)`
//! singleton, checks that its leaf takes the next position, then writes metadata and
//! ciphertext (one `(:Document)` node, `(:User)-[:OWNS]->`), the `(:RegistryLeaf)`, the
//! `(:RegistryRoot)` and the timeline event in the same transaction. A document's `seq` (the
//! list cursor) is its registry position + 1: unique and increasing.

use async_trait::async_trait;
use neo4rs::query;
use serde::Deserialize;

use super::{credential_requests, credentials, in_tx, timeline, Count, Neo4jStore};
use crate::stored::{number, text, text_opt};
use honestly_core::crypto::vault::Sealed;
use honestly_core::documents::{DocumentMeta, NewDocument};
use honestly_core::ids::{DocumentId, UserId};
use honestly_core::store::{DocumentStore, RegistryState, SealedDocument, StoreError};
use honestly_core::timeline::TimelineEvent;

const HEAD: &str = "MERGE (h:RegistryHead {name: 'registry'}) ON CREATE SET h.size = 0";

const HEAD_READ: &str =
    "MATCH (h:RegistryHead {name: 'registry'}) RETURN h.size AS size, h.root AS root, h.updated_at AS updated_at";

const INSERT: &str = "MATCH (h:RegistryHead {name: 'registry'}) \
     MATCH (u:User {id: $user_id}) \
     CREATE (u)-[:OWNS]->(d:Document {id: $id, user_id: $user_id, document_type: $document_type, \
       file_name: $file_name, mime_type: $mime_type, size_bytes: $size_bytes, sha256: $sha256, \
       created_at: $created_at, metadata: $metadata, registry_index: $registry_index, seq: $registry_index + 1, \
       key_version: $key_version, nonce: $nonce, ciphertext: $ciphertext}) \
     CREATE (:RegistryLeaf {idx: $registry_index, leaf: $leaf, document_id: $id})-[:LEAF_OF]->(d) \
     CREATE (:RegistryRoot {epoch: $registry_index + 1, root: $root, created_at: $created_at}) \
     SET h.size = $registry_index + 1, h.root = $root, h.updated_at = $created_at \
     RETURN count(d) AS n";

pub(super) const BY_ID: &str = "MATCH (d:Document {id: $id}) WHERE d.user_id = $user_id \
     RETURN d.seq AS seq, d.id AS id, d.user_id AS user_id, d.document_type AS document_type, \
     d.file_name AS file_name, d.mime_type AS mime_type, d.size_bytes AS size_bytes, d.sha256 AS sha256, \
     d.created_at AS created_at, d.metadata AS metadata, d.registry_index AS registry_index";

pub(super) const BY_SHA256: &str = "MATCH (d:Document {sha256: $sha256}) \
     RETURN d.seq AS seq, d.id AS id, d.user_id AS user_id, d.document_type AS document_type, \
     d.file_name AS file_name, d.mime_type AS mime_type, d.size_bytes AS size_bytes, d.sha256 AS sha256, \
     d.created_at AS created_at, d.metadata AS metadata, d.registry_index AS registry_index \
     ORDER BY d.seq DESC LIMIT 1";

pub(super) const BY_SHA256_OF_USER: &str = "MATCH (d:Document {sha256: $sha256}) WHERE d.user_id = $user_id \
     RETURN d.seq AS seq, d.id AS id, d.user_id AS user_id, d.document_type AS document_type, \
     d.file_name AS file_name, d.mime_type AS mime_type, d.size_bytes AS size_bytes, d.sha256 AS sha256, \
     d.created_at AS created_at, d.metadata AS metadata, d.registry_index AS registry_index \
     ORDER BY d.seq DESC LIMIT 1";

pub(super) const LIST: &str = "MATCH (d:Document {user_id: $user_id}) WHERE d.seq < $before \
     RETURN d.seq AS seq, d.id AS id, d.user_id AS user_id, d.document_type AS document_type, \
     d.file_name AS file_name, d.mime_type AS mime_type, d.size_bytes AS size_bytes, d.sha256 AS sha256, \
     d.created_at AS created_at, d.metadata AS metadata, d.registry_index AS registry_index \
     ORDER BY d.seq DESC LIMIT $limit";

/// The proofs about a deleted document (found through the indexed `document_id`).
const DELETE_PROOFS_OF: &str = "MATCH (p:Proof {document_id: $id}) DETACH DELETE p";

/// The share links to a deleted document.
const DELETE_LINKS_TO: &str = "MATCH (l:ShareLink {document_id: $id}) DETACH DELETE l";

const SEALED: &str = "MATCH (d:Document {id: $id}) WHERE d.user_id = $user_id \
     RETURN d.key_version AS key_version, d.nonce AS nonce, d.ciphertext AS ciphertext";

#[derive(Deserialize)]
struct MetaRow {
    seq: i64,
    id: String,
    user_id: String,
    document_type: String,
    file_name: String,
    mime_type: String,
    size_bytes: i64,
    sha256: String,
    created_at: String,
    metadata: String,
    registry_index: i64,
}

impl MetaRow {
    /// The list cursor and the metadata.
    fn into_meta(self) -> Result<(i64, DocumentMeta), StoreError> {
        Ok((
            self.seq,
            DocumentMeta {
                id: text("Document.id", &self.id)?,
                user_id: text("Document.user_id", &self.user_id)?,
                document_type: text("Document.document_type", &self.document_type)?,
                file_name: self.file_name,
                mime_type: self.mime_type,
                size_bytes: number("Document.size_bytes", self.size_bytes)?,
                sha256: self.sha256,
                created_at: text("Document.created_at", &self.created_at)?,
                metadata: text("Document.metadata", &self.metadata)?,
                registry_index: number("Document.registry_index", self.registry_index)?,
            },
        ))
    }
}

#[derive(Deserialize)]
struct SealedRow {
    key_version: String,
    nonce: Vec<u8>,
    ciphertext: Vec<u8>,
}

impl From<SealedRow> for Sealed {
    fn from(r: SealedRow) -> Self {
        Sealed { key_version: r.key_version, nonce: r.nonce, ciphertext: r.ciphertext }
    }
}

#[derive(Deserialize)]
struct SealedDocumentRow {
    id: String,
    user_id: String,
    key_version: String,
    nonce: Vec<u8>,
    ciphertext: Vec<u8>,
}

#[derive(Deserialize)]
struct HeadRow {
    size: i64,
    root: Option<String>,
    updated_at: Option<String>,
}

fn to_i64(value: u64, what: &str) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::internal(format!("{what} {value} out of range")))
}

impl Neo4jStore {
    /// The `value` column of every row `cypher` returns, as text.
    async fn text_column(&self, cypher: &'static str) -> Result<Vec<String>, StoreError> {
        #[derive(Deserialize)]
        struct Row {
            value: String,
        }
        let rows: Vec<Row> = self.fetch(query(cypher)).await?;
        Ok(rows.into_iter().map(|r| r.value).collect())
    }
}

#[async_trait]
impl DocumentStore for Neo4jStore {
    async fn insert_document(&self, doc: &NewDocument, event: &TimelineEvent) -> Result<(), StoreError> {
        let m = &doc.meta;
        let index = to_i64(m.registry_index, "registry index")?;
        let size_bytes = to_i64(m.size_bytes, "document size")?;
        in_tx!(self, |tx| {
            tx.run(query(HEAD)).await?;
            tx.lock("RegistryHead", "name", "registry").await?;
            let head: Option<HeadRow> = tx.fetch_one(query(HEAD_READ)).await?;
            let next = head.map_or(0, |h| h.size);
            if next != index {
                return Err(StoreError::conflict(format!(
                    "registry position {index} taken (next is {next})"
                )));
            }
            let created: Option<Count> = tx
                .fetch_one(
                    query(INSERT)
                        .param("user_id", m.user_id.as_str())
                        .param("id", m.id.as_str())
                        .param("document_type", m.document_type.as_str())
                        .param("file_name", m.file_name.as_str())
                        .param("mime_type", m.mime_type.as_str())
                        .param("size_bytes", size_bytes)
                        .param("sha256", m.sha256.as_str())
                        .param("created_at", m.created_at.rfc3339())
                        .param("metadata", m.metadata.to_string())
                        .param("registry_index", index)
                        .param("key_version", doc.sealed.key_version.as_str())
                        .param("nonce", doc.sealed.nonce.clone())
                        .param("ciphertext", doc.sealed.ciphertext.clone())
                        .param("leaf", doc.registry_leaf.as_str())
                        .param("root", doc.registry_root.as_str()),
                )
                .await?;
            if created.is_none_or(|c| c.n != 1) {
                return Err(StoreError::conflict(format!("no user {} for the document", m.user_id)));
            }
            timeline::insert(&mut tx, event).await
        })
    }

    async fn document(&self, user_id: &UserId, id: &DocumentId) -> Result<Option<DocumentMeta>, StoreError> {
        let row: Option<MetaRow> =
            self.fetch_one(query(BY_ID).param("id", id.as_str()).param("user_id", user_id.as_str())).await?;
        Ok(row.map(MetaRow::into_meta).transpose()?.map(|(_, meta)| meta))
    }

    async fn document_by_sha256(&self, sha256: &str) -> Result<Option<DocumentMeta>, StoreError> {
        let row: Option<MetaRow> = self.fetch_one(query(BY_SHA256).param("sha256", sha256)).await?;
        Ok(row.map(MetaRow::into_meta).transpose()?.map(|(_, meta)| meta))
    }

    async fn user_document_by_sha256(
        &self,
        user_id: &UserId,
        sha256: &str,
    ) -> Result<Option<DocumentMeta>, StoreError> {
        let row: Option<MetaRow> = self
            .fetch_one(query(BY_SHA256_OF_USER).param("sha256", sha256).param("user_id", user_id.as_str()))
            .await?;
        Ok(row.map(MetaRow::into_meta).transpose()?.map(|(_, meta)| meta))
    }

    async fn document_sealed(&self, user_id: &UserId, id: &DocumentId) -> Result<Option<Sealed>, StoreError> {
        let row: Option<SealedRow> =
            self.fetch_one(query(SEALED).param("id", id.as_str()).param("user_id", user_id.as_str())).await?;
        Ok(row.map(Sealed::from))
    }

    async fn list_documents(
        &self,
        user_id: &UserId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(i64, DocumentMeta)>, StoreError> {
        let rows: Vec<MetaRow> = self
            .fetch(
                query(LIST)
                    .param("user_id", user_id.as_str())
                    .param("before", before.unwrap_or(i64::MAX))
                    .param("limit", i64::from(limit)),
            )
            .await?;
        rows.into_iter().map(MetaRow::into_meta).collect()
    }

    async fn delete_document(
        &self,
        user_id: &UserId,
        id: &DocumentId,
        event: &TimelineEvent,
    ) -> Result<bool, StoreError> {
        in_tx!(self, |tx| {
            if !tx.lock("Document", "id", id.as_str()).await? {
                return Ok(false);
            }
            let deleted: Option<Count> = tx
                .fetch_one(
                    query(
                        "MATCH (d:Document {id: $id}) WHERE d.user_id = $user_id \
                         DETACH DELETE d RETURN count(*) AS n",
                    )
                    .param("id", id.as_str())
                    .param("user_id", user_id.as_str()),
                )
                .await?;
            let deleted = deleted.is_some_and(|c| c.n == 1);
            if deleted {
                // What exists only because of the document goes with it; its pending credential
                // requests are withdrawn and the credentials that attest it no longer point
                // at it.
                for cypher in [DELETE_PROOFS_OF, DELETE_LINKS_TO, credentials::FORGET_DOCUMENT] {
                    tx.run(query(cypher).param("id", id.as_str())).await?;
                }
                tx.run(
                    query(credential_requests::WITHDRAW_FOR_DOCUMENT)
                        .param("id", id.as_str())
                        .param("now", event.at.unix()),
                )
                .await?;
                timeline::insert(&mut tx, event).await?;
            }
            Ok(deleted)
        })
    }

    async fn count_documents_not_under(&self, version: &str) -> Result<u64, StoreError> {
        let count: Option<Count> = self
            .fetch_one(
                query("MATCH (d:Document) WHERE d.key_version <> $version RETURN count(d) AS n")
                    .param("version", version),
            )
            .await?;
        Ok(count.map_or(0, |c| u64::try_from(c.n).unwrap_or_default()))
    }

    async fn documents_not_under(
        &self,
        version: &str,
        limit: u32,
    ) -> Result<Vec<SealedDocument>, StoreError> {
        let rows: Vec<SealedDocumentRow> = self
            .fetch(
                query(
                    "MATCH (d:Document) WHERE d.key_version <> $version \
                     RETURN d.id AS id, d.user_id AS user_id, d.key_version AS key_version, \
                       d.nonce AS nonce, d.ciphertext AS ciphertext \
                     ORDER BY d.seq LIMIT $limit",
                )
                .param("version", version)
                .param("limit", i64::from(limit)),
            )
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(SealedDocument {
                    id: text("Document.id", &r.id)?,
                    user_id: text("Document.user_id", &r.user_id)?,
                    sealed: Sealed { key_version: r.key_version, nonce: r.nonce, ciphertext: r.ciphertext },
                })
            })
            .collect()
    }

    async fn replace_sealed(
        &self,
        id: &DocumentId,
        expected_version: &str,
        sealed: &Sealed,
    ) -> Result<bool, StoreError> {
        in_tx!(self, |tx| {
            tx.swap_sealed("Document", id.as_str(), expected_version, sealed, "ciphertext").await
        })
    }

    async fn registry_leaves(&self) -> Result<Vec<String>, StoreError> {
        self.text_column("MATCH (l:RegistryLeaf) WHERE l.idx >= 0 RETURN l.leaf AS value ORDER BY l.idx")
            .await
    }

    async fn registry_roots(&self) -> Result<Vec<String>, StoreError> {
        self.text_column("MATCH (r:RegistryRoot) WHERE r.epoch >= 1 RETURN r.root AS value ORDER BY r.epoch")
            .await
    }

    async fn registry_state(&self) -> Result<RegistryState, StoreError> {
        let head: Option<HeadRow> = self.fetch_one(query(HEAD_READ)).await?;
        Ok(match head {
            Some(h) if h.size > 0 => RegistryState {
                size: number("RegistryHead.size", h.size)?,
                root: h.root,
                updated_at: text_opt("RegistryHead.updated_at", h.updated_at.as_deref())?,
            },
            _ => RegistryState { size: 0, root: None, updated_at: None },
        })
    }
}
