//! AI agents: signed requests (see `docs/signing.md` and `docs/agents.md`), delegated agents
//! acting for one user, replay memory, and proof verification that consumes nullifiers.
//!
//! A request is an envelope `{agent_id, action, parameters, timestamp}` signed with
//! HMAC-SHA256 over Python's `json.dumps(envelope, sort_keys=True)` (or over the raw body).
//! *Service agents* sign with a deployment secret (`AI_AGENT_SECRET`, comma-separated for
//! rotation) and may use any `agent_id` that is not a delegated agent's id; *delegated agents*
//! (`agt_…`) sign with their own secret, stored sealed under the vault master key.

mod envelope;
mod lookup;
mod model;
mod replay;
mod service;
pub mod signature;
mod verification;

pub use envelope::{parse_envelope, Envelope, EnvelopeError};
pub use lookup::{look_up_by_hash, HashLookupError};
pub use model::{Action, AgentCaller, AgentRecord, CallerKind};
pub use replay::{MemoryReplay, ReplayError, ReplayMemory, StoreReplay, PURGE_BATCH};
pub use service::{
    secret_binding, AgentAuthError, AgentError, AgentService, Authenticated, CreatedAgent,
    MAX_AGENTS_PER_USER,
};
pub use verification::{verify_for_agent, verify_many_for_agent, AgentVerifyError, ProofParams};
