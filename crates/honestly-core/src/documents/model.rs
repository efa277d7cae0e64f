//! Documents as services and the store see them.

use serde::Serialize;

use crate::clock::Timestamp;
use crate::ids::{DocumentId, UserId};

crate::text_enum! {
    /// What kind of document it is.
    pub enum DocumentType {
        /// Passport, identity card.
        Identity => "identity",
        /// Driving or professional licence.
        License => "license",
        /// Bank or tax document.
        Financial => "financial",
        /// Diploma, certificate.
        Credential => "credential",
        /// Anything else.
        Other => "other",
    }
}

/// A document's metadata (never its content).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentMeta {
    /// The document's id.
    pub id: DocumentId,
    /// The owner.
    #[serde(skip)]
    pub user_id: UserId,
    /// Its kind.
    pub document_type: DocumentType,
    /// Sanitised file name.
    pub file_name: String,
    /// Declared media type.
    pub mime_type: String,
    /// Plaintext size.
    pub size_bytes: u64,
    /// Hex SHA-256 of the plaintext.
    pub sha256: String,
    /// When it was uploaded.
    pub created_at: Timestamp,
    /// The uploader's JSON object (≤ 16 KiB).
    pub metadata: serde_json::Value,
    /// Position of its leaf in the registry tree.
    #[serde(skip)]
    pub registry_index: u64,
}

/// A document about to be stored: metadata plus the sealed content.
#[derive(Debug, Clone)]
pub struct NewDocument {
    /// Metadata.
    pub meta: DocumentMeta,
    /// The sealed content.
    pub sealed: crate::crypto::vault::Sealed,
    /// The registry leaf (decimal field element) for `meta.sha256`.
    pub registry_leaf: String,
    /// The registry root after appending the leaf (decimal).
    pub registry_root: String,
}
