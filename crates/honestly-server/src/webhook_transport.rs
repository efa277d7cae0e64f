//! The HTTP client of webhook deliveries: one POST per attempt, connecting only to the
//! addresses the outbox checked (the host name is pinned to them, so a second DNS answer
//! cannot redirect the connection), no redirects followed, no proxy, bounded connect and
//! total times. Errors are described without the URL, the headers or the body.

use async_trait::async_trait;
use honestly_core::webhooks::{Outgoing, Transport};

/// Sends webhooks with `reqwest` (https through rustls with the Mozilla root certificates).
#[derive(Debug, Default, Clone, Copy)]
pub struct HttpTransport;

/// Words for a failed exchange, without the URL.
fn describe(error: reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_request() {
        "request failed"
    } else {
        "failed"
    };
    let mut words = kind.to_string();
    let mut source = std::error::Error::source(&error);
    // The innermost causes say why (connection refused, certificate…); a few at most.
    for _ in 0..4 {
        let Some(cause) = source else { break };
        words.push_str(": ");
        words.push_str(&cause.to_string());
        source = cause.source();
    }
    words.chars().take(300).collect()
}

#[async_trait]
impl Transport for HttpTransport {
    async fn post(&self, request: Outgoing) -> Result<u16, String> {
        let client = reqwest::Client::builder()
            .connect_timeout(request.connect_timeout)
            .timeout(request.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("Honestly-Webhooks/", env!("CARGO_PKG_VERSION")))
            .resolve_to_addrs(&request.host, &request.addrs)
            .build()
            .map_err(|e| describe(e.without_url()))?;
        let mut builder = client.post(&request.url);
        for (name, value) in request.headers {
            builder = builder.header(name, value);
        }
        let response = builder.body(request.body).send().await.map_err(|e| describe(e.without_url()))?;
        // The answer's body is not needed: dropping the response closes the exchange.
        Ok(response.status().as_u16())
    }
}
