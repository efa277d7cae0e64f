//! Delegated agents as stored, the actions agents may ask for, and who is calling.

use crate::crypto::vault::Sealed;

/// A delegated agent: acts for one user, signs with its own secret.
#[derive(Debug, Clone)]
pub struct AgentRecord {
    /// `agt_…`.
    pub id: String,
    /// The user it acts for.
    pub user_id: String,
    /// A label chosen by the user.
    pub name: String,
    /// The signing secret, sealed under the vault master key (bound to the agent id).
    pub sealed_secret: Sealed,
    /// RFC 3339.
    pub created_at: String,
}

/// What a signed envelope asks for; each route accepts exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `POST /ai/verify-proof`.
    VerifyProof,
    /// `POST /ai/verify-proofs-batch`.
    VerifyProofsBatch,
    /// `POST /ai/get-document-hash`.
    GetDocumentHash,
    /// `POST /ai/create-share-link`.
    CreateShareLink,
}

impl Action {
    /// The envelope's `action` word.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::VerifyProof => "verify_proof",
            Action::VerifyProofsBatch => "verify_proofs_batch",
            Action::GetDocumentHash => "get_document_hash",
            Action::CreateShareLink => "create_share_link",
        }
    }
}

/// What kind of agent signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallerKind {
    /// Signed with the deployment secret: may verify proofs and check hashes.
    Service,
    /// Signed with a delegated agent's secret: may also act on its user's documents.
    Delegated {
        /// The user it acts for.
        user_id: String,
    },
}

/// An authenticated agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentCaller {
    /// The envelope's `agent_id` (a delegated agent's `agt_…` id, or a service agent's name).
    pub agent_id: String,
    /// Service or delegated.
    pub kind: CallerKind,
}

impl AgentCaller {
    /// The user a delegated agent acts for.
    pub fn user_id(&self) -> Option<&str> {
        match &self.kind {
            CallerKind::Service => None,
            CallerKind::Delegated { user_id } => Some(user_id),
        }
    }

    /// The audit actor: `agent:<id>`.
    pub fn actor(&self) -> String {
        format!("agent:{}", self.agent_id)
    }
}
