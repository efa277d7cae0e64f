//! The document service: upload (encrypt, register, store atomically), read, list with
//! cursors, download, delete, and master-key rotation.

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use moka::future::Cache;

use super::filename::sanitize;
use super::model::{DocumentMeta, DocumentType, NewDocument};
use crate::clock::Timestamp;
use crate::cpu::{CpuBusy, CpuPool};
use crate::crypto::vault::{VaultError, VaultKeys};
use crate::error::FieldErrors;
use crate::ids::{DocumentId, UserId};
use crate::registry::Registry;
use crate::store::{Store, StoreError};
use crate::text_enum::either_of;
use crate::timeline::{TimelineEvent, TimelineKind};

/// Largest `metadata` object, serialised.
pub const MAX_METADATA_BYTES: usize = 16 * 1024;
/// Largest page of a document list.
pub const MAX_PAGE: u32 = 100;
/// Default page of a document list.
pub const DEFAULT_PAGE: u32 = 20;
/// Cached metadata entries at most.
const CACHE_CAPACITY: u64 = 10_000;

/// Why a document operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// Bad input, per field.
    #[error(transparent)]
    Validation(#[from] FieldErrors),
    /// Does not exist or is not the caller's.
    #[error("not found")]
    NotFound,
    /// The CPU pool is saturated.
    #[error(transparent)]
    Busy(#[from] CpuBusy),
    /// The ciphertext cannot be opened (wrong or missing key, corruption).
    #[error("the vault cannot open a document")]
    Vault(#[from] VaultError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An upload, read from the request: the content and what the uploader said about it.
pub struct Upload {
    /// The file name as sent.
    pub file_name: String,
    /// The media type as sent.
    pub mime_type: String,
    /// `document_type` as sent.
    pub document_type: String,
    /// `metadata` as sent (a JSON object's text), if any.
    pub metadata: Option<String>,
    /// The plaintext.
    pub content: Vec<u8>,
    /// SHA-256 of the plaintext, computed while it streamed in.
    pub sha256: [u8; 32],
}

/// A page of documents.
#[derive(Debug, Clone)]
pub struct Page {
    /// The documents, newest first.
    pub documents: Vec<DocumentMeta>,
    /// Cursor of the next page, when there is one.
    pub next_cursor: Option<String>,
}

/// The document service.
pub struct DocumentService {
    store: Arc<dyn Store>,
    keys: Arc<VaultKeys>,
    registry: Arc<Registry>,
    cpu: CpuPool,
    cache: Cache<DocumentId, DocumentMeta>,
}

fn parse_mime(raw: &str) -> String {
    let ok = !raw.is_empty()
        && raw.len() <= 127
        && raw.split_once('/').is_some_and(|(a, b)| !a.is_empty() && !b.is_empty())
        && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b"/+.-_".contains(&b));
    if ok {
        raw.to_ascii_lowercase()
    } else {
        "application/octet-stream".into()
    }
}

fn parse_metadata(raw: Option<&str>) -> Result<serde_json::Value, DocumentError> {
    let Some(raw) = raw else { return Ok(serde_json::json!({})) };
    if raw.len() > MAX_METADATA_BYTES {
        return Err(FieldErrors::one("metadata", "must be at most 16 KiB").into());
    }
    match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(value @ serde_json::Value::Object(_)) => Ok(value),
        _ => Err(FieldErrors::one("metadata", "must be a JSON object").into()),
    }
}

/// A `document_sha256` parameter: 64 hex digits (any case, spaces around ignored), lower-cased.
fn sha256_param(raw: &str) -> Result<String, DocumentError> {
    let sha256 = raw.trim().to_ascii_lowercase();
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(FieldErrors::one("document_sha256", "64 hex digits").into());
    }
    Ok(sha256)
}

fn decode_cursor(cursor: &str) -> Result<i64, DocumentError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.parse::<i64>().ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| FieldErrors::one("cursor", "is not a cursor this server issued").into())
}

impl DocumentService {
    /// The service; `cache_ttl` bounds how long metadata is cached.
    pub fn new(
        store: Arc<dyn Store>,
        keys: Arc<VaultKeys>,
        registry: Arc<Registry>,
        cpu: CpuPool,
        cache_ttl: Duration,
    ) -> Self {
        let cache = Cache::builder().max_capacity(CACHE_CAPACITY).time_to_live(cache_ttl).build();
        Self { store, keys, registry, cpu, cache }
    }

    /// Encrypts and stores an upload, appending it to the registry in the same transaction.
    pub async fn upload(&self, user_id: &UserId, upload: Upload) -> Result<DocumentMeta, DocumentError> {
        let document_type = DocumentType::parse(&upload.document_type).ok_or_else(|| {
            FieldErrors::one("document_type", format!("must be {}", either_of(DocumentType::NAMES)))
        })?;
        let metadata = parse_metadata(upload.metadata.as_deref())?;
        let id = DocumentId::generate();
        let size_bytes = upload.content.len() as u64;
        let keys = Arc::clone(&self.keys);
        let (doc_id, owner) = (id.to_string(), user_id.to_string());
        let content = upload.content;
        let sealed = self.cpu.run(move || keys.seal(content, &doc_id, &owner)).await?;
        let mut meta = DocumentMeta {
            id,
            user_id: user_id.clone(),
            document_type,
            file_name: sanitize(&upload.file_name),
            mime_type: parse_mime(&upload.mime_type),
            size_bytes,
            sha256: hex::encode(upload.sha256),
            created_at: Timestamp::now(),
            metadata,
            registry_index: 0,
        };
        let leaf = honestly_zk::field_from_sha256(&upload.sha256);
        let event = TimelineEvent::new(user_id, TimelineKind::DocumentUploaded).document(&meta.id);
        let store = Arc::clone(&self.store);
        let meta = self
            .registry
            .append_with(leaf, |appended| async move {
                meta.registry_index = appended.index;
                let doc =
                    NewDocument { meta, sealed, registry_leaf: appended.leaf, registry_root: appended.root };
                store.insert_document(&doc, &event).await?;
                Ok(doc.meta)
            })
            .await?;
        Ok(meta)
    }

    /// Metadata of a document the caller owns.
    pub async fn get(&self, user_id: &UserId, id: &DocumentId) -> Result<DocumentMeta, DocumentError> {
        if let Some(meta) = self.cache.get(id).await {
            return if &meta.user_id == user_id { Ok(meta) } else { Err(DocumentError::NotFound) };
        }
        let meta = self.store.document(user_id, id).await?.ok_or(DocumentError::NotFound)?;
        self.cache.insert(id.clone(), meta.clone()).await;
        Ok(meta)
    }

    /// Metadata of the most recent registered document with this plaintext SHA-256 (64 hex
    /// digits, any case), whoever owns it.
    pub async fn by_sha256(&self, sha256: &str) -> Result<DocumentMeta, DocumentError> {
        let sha256 = sha256_param(sha256)?;
        self.store.document_by_sha256(&sha256).await?.ok_or(DocumentError::NotFound)
    }

    /// Metadata of the most recent of `user_id`'s documents with this plaintext SHA-256 (64
    /// hex digits, any case); another user's document with that hash is not found.
    pub async fn own_by_sha256(&self, user_id: &UserId, sha256: &str) -> Result<DocumentMeta, DocumentError> {
        let sha256 = sha256_param(sha256)?;
        self.store.user_document_by_sha256(user_id, &sha256).await?.ok_or(DocumentError::NotFound)
    }

    /// Metadata and decrypted content of a document the caller owns.
    pub async fn content(
        &self,
        user_id: &UserId,
        id: &DocumentId,
    ) -> Result<(DocumentMeta, Vec<u8>), DocumentError> {
        let meta = self.get(user_id, id).await?;
        let sealed = self.store.document_sealed(user_id, id).await?.ok_or(DocumentError::NotFound)?;
        let keys = Arc::clone(&self.keys);
        let (doc_id, owner) = (id.to_string(), user_id.to_string());
        let plaintext = self.cpu.run(move || keys.open(sealed, &doc_id, &owner)).await??;
        Ok((meta, plaintext))
    }

    /// The caller's documents, newest first.
    pub async fn list(
        &self,
        user_id: &UserId,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Page, DocumentError> {
        let limit = limit.unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(FieldErrors::one("limit", "must be between 1 and 100").into());
        }
        let before = cursor.map(decode_cursor).transpose()?;
        let mut rows = self.store.list_documents(user_id, before, limit + 1).await?;
        let next_cursor = if rows.len() > limit as usize {
            rows.truncate(limit as usize);
            rows.last().map(|(seq, _)| URL_SAFE_NO_PAD.encode(seq.to_string()))
        } else {
            None
        };
        Ok(Page { documents: rows.into_iter().map(|(_, m)| m).collect(), next_cursor })
    }

    /// Deletes a document (metadata and ciphertext) the caller owns.
    pub async fn delete(&self, user_id: &UserId, id: &DocumentId) -> Result<(), DocumentError> {
        let event = TimelineEvent::new(user_id, TimelineKind::DocumentDeleted).document(id);
        let deleted = self.store.delete_document(user_id, id, &event).await?;
        self.cache.invalidate(id).await;
        if deleted {
            Ok(())
        } else {
            Err(DocumentError::NotFound)
        }
    }

    /// Forgets cached metadata of `id` (deletion seen from another replica).
    pub async fn invalidate(&self, id: &DocumentId) {
        self.cache.invalidate(id).await;
    }

    /// Forgets all cached metadata (invalidation messages may have been missed).
    pub fn invalidate_all(&self) {
        self.cache.invalidate_all();
    }
}
