//! Documents as services and the store see them.

use serde::{Deserialize, Serialize};

/// What kind of document it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentType {
    /// Passport, identity card.
    Identity,
    /// Driving or professional licence.
    License,
    /// Bank or tax document.
    Financial,
    /// Diploma, certificate.
    Credential,
    /// Anything else.
    Other,
}

impl DocumentType {
    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentType::Identity => "identity",
            DocumentType::License => "license",
            DocumentType::Financial => "financial",
            DocumentType::Credential => "credential",
            DocumentType::Other => "other",
        }
    }

    /// Parses a name; `None` for anything else.
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "identity" => DocumentType::Identity,
            "license" => DocumentType::License,
            "financial" => DocumentType::Financial,
            "credential" => DocumentType::Credential,
            "other" => DocumentType::Other,
            _ => return None,
        })
    }
}

/// A document's metadata (never its content).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentMeta {
    /// `doc_…`.
    pub id: String,
    /// The owner.
    #[serde(skip)]
    pub user_id: String,
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
    /// RFC 3339.
    pub created_at: String,
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
