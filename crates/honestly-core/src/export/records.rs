//! What the export's JSON files hold, record by record: everything the owner may see, never a
//! secret (no link token or its hash, no passphrase hash, no agent secret, no password hash).

use serde::Serialize;

use super::archive::FileEntry;
use crate::agents::AgentRecord;
use crate::auth::User;
use crate::clock::Timestamp;
use crate::documents::DocumentMeta;
use crate::ids::{AgentId, DocumentId, LinkId, ProofId, UserId};
use crate::links::ShareLink;
use crate::zk::ProofRecord;

/// The archive's name for `manifest.json`'s `format`.
pub const FORMAT: &str = "honestly-export";
/// The version of the archive's layout.
pub const VERSION: u32 = 1;

/// Where a document's content is in the archive: `documents/<id>/<file name>` (file names are
/// sanitised at upload: no path parts).
pub fn document_path(meta: &DocumentMeta) -> String {
    format!("documents/{}/{}", meta.id, meta.file_name)
}

/// A line of `documents.json`.
#[derive(Serialize)]
pub struct DocumentRow<'a> {
    /// The document.
    #[serde(flatten)]
    pub meta: &'a DocumentMeta,
    /// Where its content is in the archive.
    pub path: String,
}

/// A line of `proofs.json`.
#[derive(Serialize)]
pub struct ProofRow<'a> {
    /// The proof as stored.
    #[serde(flatten)]
    pub proof: &'a ProofRecord,
    /// Its public signals by name.
    pub public_inputs: serde_json::Map<String, serde_json::Value>,
}

impl<'a> From<&'a ProofRecord> for ProofRow<'a> {
    fn from(proof: &'a ProofRecord) -> Self {
        Self { public_inputs: proof.public_inputs(), proof }
    }
}

/// A line of `share_links.json`: a link as its owner sees it, without token or hashes.
#[derive(Serialize)]
pub struct LinkRow<'a> {
    /// `lnk_…`.
    pub id: &'a LinkId,
    /// The shared document.
    pub document_id: &'a DocumentId,
    /// The shared proof.
    pub proof_id: Option<&'a ProofId>,
    /// `proof_only`, `metadata` or `full`.
    pub access_level: &'static str,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// Accesses allowed, if bounded.
    pub max_accesses: Option<u32>,
    /// Accesses consumed.
    pub access_count: u32,
    /// Whether a passphrase is required.
    pub has_passphrase: bool,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
    /// When it was made.
    pub created_at: Timestamp,
}

impl<'a> From<&'a ShareLink> for LinkRow<'a> {
    fn from(l: &'a ShareLink) -> Self {
        Self {
            id: &l.id,
            document_id: &l.document_id,
            proof_id: l.proof_id.as_ref(),
            access_level: l.access_level.as_str(),
            expires_at: l.expires_at,
            max_accesses: l.max_accesses,
            access_count: l.access_count,
            has_passphrase: l.passphrase_hash.is_some(),
            revoked_at: l.revoked_at,
            created_at: l.created_at,
        }
    }
}

/// A line of `agents.json`: a delegated agent without its secret.
#[derive(Serialize)]
pub struct AgentRow<'a> {
    /// `agt_…`.
    pub agent_id: &'a AgentId,
    /// Its label.
    pub name: &'a str,
    /// When it was created.
    pub created_at: Timestamp,
}

impl<'a> From<&'a AgentRecord> for AgentRow<'a> {
    fn from(a: &'a AgentRecord) -> Self {
        Self { agent_id: &a.id, name: &a.name, created_at: a.created_at }
    }
}

/// The account in the manifest.
#[derive(Serialize)]
pub struct AccountRow<'a> {
    /// `usr_…`.
    pub id: &'a UserId,
    /// As chosen at registration.
    pub username: &'a str,
    /// `admin`, `verifier` or `user`.
    pub role: &'static str,
    /// When it was created.
    pub created_at: Timestamp,
}

impl<'a> From<&'a User> for AccountRow<'a> {
    fn from(u: &'a User) -> Self {
        Self { id: &u.id, username: &u.username, role: u.role.as_str(), created_at: u.created_at }
    }
}

/// `manifest.json`: what the archive is and what each of its files is.
#[derive(Serialize)]
pub struct Manifest<'a> {
    /// Always [`FORMAT`].
    pub format: &'static str,
    /// Always [`VERSION`].
    pub version: u32,
    /// When the export was made.
    pub exported_at: Timestamp,
    /// Whose it is.
    pub account: AccountRow<'a>,
    /// Every other file of the archive, with its size and SHA-256.
    pub files: &'a [FileEntry],
}
