//! Delegated agents as stored, the actions agents may ask for, and who is calling.

use crate::audit::Actor;
use crate::clock::Timestamp;
use crate::crypto::vault::Sealed;
use crate::ids::{AgentId, UserId};

/// A delegated agent: acts for one user, signs with its own secret.
#[derive(Debug, Clone)]
pub struct AgentRecord {
    /// The agent's id.
    pub id: AgentId,
    /// The user it acts for.
    pub user_id: UserId,
    /// A label chosen by the user.
    pub name: String,
    /// The signing secret, sealed under the vault master key (bound to the agent id).
    pub sealed_secret: Sealed,
    /// When it was created.
    pub created_at: Timestamp,
}

crate::text_enum! {
    /// What a signed envelope asks for (its `action` word); each signed route accepts exactly
    /// one.
    pub enum Action {
        /// `POST /ai/verify-proof`.
        VerifyProof => "verify_proof",
        /// `POST /ai/verify-proofs-batch`.
        VerifyProofsBatch => "verify_proofs_batch",
        /// `POST /ai/get-document-hash`.
        GetDocumentHash => "get_document_hash",
        /// `POST /ai/create-share-link`.
        CreateShareLink => "create_share_link",
        /// `POST /ai/create-proof-request`.
        CreateProofRequest => "create_proof_request",
    }
}

/// What kind of agent signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallerKind {
    /// Signed with the deployment secret: may verify proofs and check hashes.
    Service,
    /// Signed with a delegated agent's secret: may also act on its user's documents.
    Delegated {
        /// The agent.
        agent_id: AgentId,
        /// The user it acts for.
        user_id: UserId,
    },
}

/// An authenticated agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentCaller {
    /// The envelope's `agent_id` (a delegated agent's `agt_…` id, or a service agent's name).
    pub agent_id: String,
    /// Service or delegated.
    pub kind: CallerKind,
    /// The credential that signed, which its rate limits count against: `service:<16 hex
    /// digits>` naming one secret of `AI_AGENT_SECRET` (whatever `agent_id` it claims), or
    /// `agent:<agt_…>`.
    pub credential: String,
}

impl AgentCaller {
    /// The user a delegated agent acts for.
    pub fn user_id(&self) -> Option<&UserId> {
        match &self.kind {
            CallerKind::Service => None,
            CallerKind::Delegated { user_id, .. } => Some(user_id),
        }
    }

    /// The audit actor (written `agent:<id>`).
    pub fn actor(&self) -> Actor {
        match &self.kind {
            CallerKind::Service => Actor::Service(self.agent_id.clone()),
            CallerKind::Delegated { agent_id, .. } => Actor::Delegated(agent_id.clone()),
        }
    }
}
