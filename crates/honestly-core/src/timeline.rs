//! A user's own history: uploads, proofs, links created, revoked and accessed.

use serde::Serialize;

use crate::clock::now_rfc3339;
use crate::ids::{new_id, IdKind};

/// Most events one timeline request returns.
pub const MAX_TIMELINE_EVENTS: u32 = 200;

/// One event of a user's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEvent {
    /// `evt_…`.
    pub id: String,
    /// The owner of the timeline.
    #[serde(skip)]
    pub user_id: String,
    /// `document_uploaded`, `document_deleted`, `proof_created`, `link_created`,
    /// `link_revoked`, `link_accessed`.
    #[serde(rename = "type")]
    pub kind: String,
    /// RFC 3339.
    pub at: String,
    /// The document concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
    /// The proof concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proof_id: Option<String>,
    /// The share link concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_id: Option<String>,
}

impl TimelineEvent {
    /// A new event of `kind` for `user_id`, now.
    pub fn new(user_id: &str, kind: &str) -> Self {
        Self {
            id: new_id(IdKind::Event),
            user_id: user_id.to_string(),
            kind: kind.to_string(),
            at: now_rfc3339(),
            document_id: None,
            proof_id: None,
            link_id: None,
        }
    }

    /// Names the document.
    pub fn document(mut self, id: &str) -> Self {
        self.document_id = Some(id.to_string());
        self
    }

    /// Names the proof.
    pub fn proof(mut self, id: &str) -> Self {
        self.proof_id = Some(id.to_string());
        self
    }

    /// Names the link.
    pub fn link(mut self, id: &str) -> Self {
        self.link_id = Some(id.to_string());
        self
    }
}
