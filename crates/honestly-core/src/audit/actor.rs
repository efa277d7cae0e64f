//! Who did something, as the audit trail names them.

use std::fmt;

use crate::ids::{AgentId, UserId};

/// The actor of an audit event: written as `anonymous`, `user:usr_…`, `agent:…` or `cli`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Actor {
    /// Nobody authenticated.
    #[default]
    Anonymous,
    /// A logged-in account.
    User(UserId),
    /// A delegated agent (its `agt_…` id).
    Delegated(AgentId),
    /// A service agent, by the name it signs with.
    Service(String),
    /// An operator at the command line.
    Cli,
}

impl Actor {
    /// The agent named `agent_id`: delegated when it is an `agt_…` id, a service agent
    /// otherwise.
    pub fn agent(agent_id: &str) -> Self {
        match AgentId::parse(agent_id) {
            Ok(id) => Actor::Delegated(id),
            Err(_) => Actor::Service(agent_id.to_string()),
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Anonymous => f.write_str(super::ANONYMOUS),
            Actor::User(id) => write!(f, "user:{id}"),
            Actor::Delegated(id) => write!(f, "agent:{id}"),
            Actor::Service(name) => write!(f, "agent:{name}"),
            Actor::Cli => f.write_str("cli"),
        }
    }
}

impl From<Actor> for String {
    fn from(actor: Actor) -> String {
        actor.to_string()
    }
}

impl From<&Actor> for String {
    fn from(actor: &Actor) -> String {
        actor.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_are_written_as_the_trail_always_wrote_them() {
        let user = UserId::generate();
        assert_eq!(Actor::User(user.clone()).to_string(), format!("user:{user}"));
        assert_eq!(Actor::Service("billing-bot".into()).to_string(), "agent:billing-bot");
        assert_eq!(Actor::Anonymous.to_string(), "anonymous");
        assert_eq!(String::from(Actor::Cli), "cli");
    }
}
