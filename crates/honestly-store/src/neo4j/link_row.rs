//! A share link as a Neo4j query returns it, and its reading into a [`ShareLink`].

use serde::Deserialize;

use crate::stored::{number, text, text_opt, unix, unix_opt};
use honestly_core::links::ShareLink;
use honestly_core::store::StoreError;

/// A link as stored: `created_at` as RFC 3339 text, `expires_at` and `revoked_at` as Unix
/// seconds.
#[derive(Deserialize)]
pub(super) struct LinkRow {
    /// The position in the owner's list (returned by page queries only).
    #[serde(default)]
    pub(super) seq: i64,
    /// How many accesses a grouped consumption granted (returned by it only).
    #[serde(default)]
    pub(super) granted: i64,
    id: String,
    user_id: String,
    document_id: String,
    proof_id: Option<String>,
    access_level: String,
    pub(super) token_hash: String,
    expires_at: i64,
    max_accesses: Option<i64>,
    access_count: i64,
    passphrase_hash: Option<String>,
    created_at: String,
    revoked_at: Option<i64>,
}

impl TryFrom<LinkRow> for ShareLink {
    type Error = StoreError;

    fn try_from(r: LinkRow) -> Result<Self, StoreError> {
        Ok(ShareLink {
            id: text("ShareLink.id", &r.id)?,
            user_id: text("ShareLink.user_id", &r.user_id)?,
            document_id: text("ShareLink.document_id", &r.document_id)?,
            proof_id: text_opt("ShareLink.proof_id", r.proof_id.as_deref())?,
            access_level: text("ShareLink.access_level", &r.access_level)?,
            token_hash: r.token_hash,
            expires_at: unix("ShareLink.expires_at", r.expires_at)?,
            max_accesses: r.max_accesses.map(|m| number("ShareLink.max_accesses", m)).transpose()?,
            access_count: number("ShareLink.access_count", r.access_count)?,
            passphrase_hash: r.passphrase_hash,
            created_at: text("ShareLink.created_at", &r.created_at)?,
            revoked_at: unix_opt("ShareLink.revoked_at", r.revoked_at)?,
        })
    }
}
