//! Document look-ups by SHA-256 for agents. A service agent learns whether a document with
//! that hash is registered in any vault (never its id); a delegated agent searches its own
//! user's documents only, so another user's document is "not found" to it. Every look-up by
//! hash counts against the signing credential's own quota (`AI_HASH_LOOKUP_RATE_LIMIT` per
//! minute), apart from its general one.

use super::model::{AgentCaller, CallerKind};
use super::service::AgentService;
use crate::documents::{DocumentError, DocumentMeta, DocumentService};
use crate::ratelimit::Decision;

/// Why a look-up by hash was not answered.
#[derive(Debug, thiserror::Error)]
pub enum HashLookupError {
    /// The credential used up its look-ups for now.
    #[error("too many look-ups by hash")]
    RateLimited(Decision),
    /// Malformed hash, not found (or not this agent's user's), or the store failed.
    #[error(transparent)]
    Document(#[from] DocumentError),
}

/// The document with plaintext SHA-256 `sha256` that `caller` may learn about: the most recent
/// in any vault for a service agent, the most recent of its user's for a delegated agent.
pub async fn look_up_by_hash(
    agents: &AgentService,
    documents: &DocumentService,
    caller: &AgentCaller,
    sha256: &str,
) -> Result<DocumentMeta, HashLookupError> {
    agents.count_hash_lookup(caller).await.map_err(HashLookupError::RateLimited)?;
    Ok(match &caller.kind {
        CallerKind::Service => documents.by_sha256(sha256).await?,
        CallerKind::Delegated { user_id, .. } => documents.own_by_sha256(user_id, sha256).await?,
    })
}
