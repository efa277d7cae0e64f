//! The request an event belongs to, carried in a task-local so services deep below the HTTP
//! layer (the account service) can stamp their events with the request id and client address
//! without threading them through every signature.

use std::future::Future;

/// What the HTTP layer knows about the current request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestContext {
    /// `X-Request-ID`.
    pub request_id: Option<String>,
    /// The resolved client address.
    pub client_ip: Option<String>,
}

tokio::task_local! {
    static CURRENT: RequestContext;
}

impl RequestContext {
    /// Runs `future` with this context current: events created inside it (on the same task)
    /// carry its request id and client address.
    pub async fn scope<F: Future>(self, future: F) -> F::Output {
        CURRENT.scope(self, future).await
    }
}

/// The current request's context, if any.
pub fn current() -> Option<RequestContext> {
    CURRENT.try_with(Clone::clone).ok()
}
