//! Share links as services and the store see them.

use crate::clock::Timestamp;
use crate::ids::{DocumentId, LinkId, ProofId, UserId};

crate::text_enum! {
    /// What a link shows.
    pub enum AccessLevel {
        /// The proof and the document's type and hash.
        ProofOnly => "proof_only",
        /// Also the document's metadata.
        Metadata => "metadata",
        /// Also a short-lived URL to the content.
        Full => "full",
    }
}

/// A stored share link (without its token, which is never stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareLink {
    /// The link's id.
    pub id: LinkId,
    /// The owner.
    pub user_id: UserId,
    /// The shared document.
    pub document_id: DocumentId,
    /// The shared proof, if any.
    pub proof_id: Option<ProofId>,
    /// What it shows.
    pub access_level: AccessLevel,
    /// Hex SHA-256 of the token.
    pub token_hash: String,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// Accesses allowed, if bounded.
    pub max_accesses: Option<u32>,
    /// Accesses consumed.
    pub access_count: u32,
    /// argon2id hash of the passphrase, if one is set.
    pub passphrase_hash: Option<String>,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it was revoked, once revoked.
    pub revoked_at: Option<Timestamp>,
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
