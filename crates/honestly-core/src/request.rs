//! The request being served: one [`RequestContext`] per request, made by the HTTP layer when
//! the request arrives and read by everything that answers it — rate limiting, the audit
//! trail, the agent envelope, handlers, and services deep below the HTTP layer (through
//! [`current`], a task-local, so an account service can stamp its audit events with the
//! request id and client address without threading them through every signature).
//!
//! What is learned while answering (who the caller turned out to be, the agent a request
//! names, the reason the audit trail should record) is written into the context by whoever
//! learns it, and read once the answer is ready.

use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::audit::Actor;

/// One request's context. Shared (`Arc`) between the layers and handlers of that request.
#[derive(Debug)]
pub struct RequestContext {
    request_id: String,
    client_ip: IpAddr,
    learned: Mutex<Learned>,
}

#[derive(Debug, Default)]
struct Learned {
    actor: Actor,
    agent: Option<String>,
    note: Option<String>,
}

tokio::task_local! {
    static CURRENT: Arc<RequestContext>;
}

impl RequestContext {
    /// The context of a request with this id from this client; nobody is authenticated yet.
    pub fn new(request_id: impl Into<String>, client_ip: IpAddr) -> Arc<Self> {
        Arc::new(Self { request_id: request_id.into(), client_ip, learned: Mutex::default() })
    }

    /// The request id (`X-Request-ID`, the client's own when it sent a sane one).
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// The client's address, resolved once (see `TRUSTED_PROXIES`).
    pub fn client_ip(&self) -> IpAddr {
        self.client_ip
    }

    /// Records who the caller turned out to be.
    pub fn set_actor(&self, actor: Actor) {
        self.learned.lock().actor = actor;
    }

    /// Who the caller is ([`Actor::Anonymous`] until someone authenticated it).
    pub fn actor(&self) -> Actor {
        self.learned.lock().actor.clone()
    }

    /// Records the agent the request names: as authenticated, or as claimed when refused.
    pub fn name_agent(&self, agent_id: impl Into<String>) {
        self.learned.lock().agent = Some(agent_id.into());
    }

    /// The agent the request names, if any.
    pub fn agent(&self) -> Option<String> {
        self.learned.lock().agent.clone()
    }

    /// Records why the request ended as it did, for the audit trail (instead of the bare
    /// status). A later note replaces an earlier one.
    pub fn note(&self, reason: impl Into<String>) {
        self.learned.lock().note = Some(reason.into());
    }

    /// The audit reason recorded so far.
    pub fn audit_note(&self) -> Option<String> {
        self.learned.lock().note.clone()
    }

    /// Runs `future` with this context current (see [`current`]).
    pub async fn scope<F: Future>(self: Arc<Self>, future: F) -> F::Output {
        CURRENT.scope(self, future).await
    }
}

/// The context of the request the current task is answering, if any.
pub fn current() -> Option<Arc<RequestContext>> {
    CURRENT.try_with(Arc::clone).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;

    #[tokio::test]
    async fn what_is_learned_is_read_back_and_the_context_is_current_inside_its_scope() {
        let ctx = RequestContext::new("req_1", "192.0.2.7".parse().unwrap());
        assert!(current().is_none());
        let inside = Arc::clone(&ctx)
            .scope(async {
                let ctx = current().expect("current inside the scope");
                let user = UserId::generate();
                ctx.set_actor(Actor::User(user.clone()));
                ctx.note("verified");
                user
            })
            .await;
        assert_eq!(ctx.actor(), Actor::User(inside));
        assert_eq!(ctx.audit_note().as_deref(), Some("verified"));
        assert_eq!(ctx.request_id(), "req_1");
        assert_eq!(ctx.agent(), None);
    }
}
