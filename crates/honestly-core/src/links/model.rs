//! Share links as services and the store see them.

use serde::{Deserialize, Serialize};

/// What a link shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessLevel {
    /// The proof and the document's type and hash.
    ProofOnly,
    /// Also the document's metadata.
    Metadata,
    /// Also a short-lived URL to the content.
    Full,
}

impl AccessLevel {
    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::ProofOnly => "proof_only",
            AccessLevel::Metadata => "metadata",
            AccessLevel::Full => "full",
        }
    }

    /// Parses a stored name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "proof_only" => Some(AccessLevel::ProofOnly),
            "metadata" => Some(AccessLevel::Metadata),
            "full" => Some(AccessLevel::Full),
            _ => None,
        }
    }
}

/// A stored share link (without its token, which is never stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareLink {
    /// `lnk_…`.
    pub id: String,
    /// The owner.
    pub user_id: String,
    /// The shared document.
    pub document_id: String,
    /// The shared proof, if any.
    pub proof_id: Option<String>,
    /// What it shows.
    pub access_level: AccessLevel,
    /// Hex SHA-256 of the token.
    pub token_hash: String,
    /// Unix seconds.
    pub expires_at: i64,
    /// Accesses allowed, if bounded.
    pub max_accesses: Option<u32>,
    /// Accesses consumed.
    pub access_count: u32,
    /// argon2id hash of the passphrase, if one is set.
    pub passphrase_hash: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// Unix seconds, once revoked.
    pub revoked_at: Option<i64>,
}

/// A link to create, as requested.
#[derive(Debug, Clone, Default)]
pub struct NewLink {
    /// The document (must be the caller's).
    pub document_id: String,
    /// A proof of that document (must be the caller's).
    pub proof_id: Option<String>,
    /// `proof_only`, `metadata` or `full`.
    pub access_level: String,
    /// 1–720, default 24 (exclusive with `expires_at`).
    pub expires_in_hours: Option<u32>,
    /// RFC 3339, within 720 hours.
    pub expires_at: Option<String>,
    /// 1–10000.
    pub max_accesses: Option<u32>,
    /// 8–128 characters.
    pub passphrase: Option<String>,
}
