//! The AI-agent surface's HTTP pieces shared by its routes: the response envelope every
//! `/ai/*` answer is wrapped in, and the in-process record of agent interactions.

pub mod envelope;
pub mod interactions;

pub use envelope::{tag_agent, AgentTag, AuditNote};
pub use interactions::{AiInteractions, Interaction};
