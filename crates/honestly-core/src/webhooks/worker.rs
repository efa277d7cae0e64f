//! The delivery worker every server replica runs. It claims due events with a lease (one
//! worker per event at a time, across replicas), sends each with its own bounded attempt
//! (at most `max_in_flight` at once, so a slow receiver holds one slot only), logs the
//! attempt and schedules the next one with exponential back-off, or marks the event
//! delivered or failed. It wakes when this process enqueues and polls for the rest (events of
//! other replicas, events left by a restart, leases of a crashed replica that expired).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use rand::Rng;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::callback_url::{resolve_checked, CallbackUrl, CallbackUrlError};
use super::model::{AfterAttempt, AttemptRecord, WebhookEvent};
use super::service::{now_ms, WebhookService};
use super::signature::signature_header;

/// One HTTP POST to make, to the checked addresses only.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The callback URL.
    pub url: String,
    /// Its host (a name, or an address).
    pub host: String,
    /// The addresses the host resolved to and that passed the rules: the only ones to
    /// connect to.
    pub addrs: Vec<SocketAddr>,
    /// The headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`, `content-type`).
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// Bound of the connection.
    pub connect_timeout: Duration,
    /// Bound of the whole exchange.
    pub timeout: Duration,
}

/// Sends a webhook: the receiver's HTTP status, or words saying why there was none (never a
/// secret, never the body).
#[async_trait]
pub trait Transport: Send + Sync + 'static {
    /// POSTs `request` without following redirects.
    async fn post(&self, request: Outgoing) -> Result<u16, String>;
}

/// Why an attempt got no answer.
enum Failure {
    /// Trying again cannot help (a refused address, no secret).
    Permanent(String),
    /// Trying again may help.
    Retryable(String),
}

/// A worker, not started yet.
pub struct Worker {
    service: Arc<WebhookService>,
    transport: Arc<dyn Transport>,
    id: String,
}

/// A running worker.
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl WorkerHandle {
    /// Stops claiming and abandons the deliveries in flight (their leases expire and another
    /// worker retries them); returns when the worker is gone.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }

    /// Kills the worker at once, as a crash would (tests).
    pub fn abort(&self) {
        self.task.abort();
    }
}

impl Worker {
    /// A worker delivering `service`'s events through `transport`, with a fresh lease owner id.
    pub fn new(service: Arc<WebhookService>, transport: Arc<dyn Transport>) -> Self {
        let id = format!("wkr_{:016x}", rand::rngs::OsRng.gen::<u64>());
        Self { service, transport, id }
    }

    /// Its lease owner id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Starts the worker on the runtime.
    pub fn spawn(self) -> WorkerHandle {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(self.run(stopped));
        WorkerHandle { stop, task }
    }

    async fn run(self, mut stopped: watch::Receiver<bool>) {
        let settings = self.service.settings().clone();
        let wake = self.service.wake();
        let lease_ms = i64::try_from(settings.lease.as_millis()).unwrap_or(60_000);
        let poll = settings.poll_interval.max(Duration::from_millis(10));
        let mut in_flight = JoinSet::new();
        loop {
            let free = settings.max_in_flight.saturating_sub(in_flight.len());
            if free > 0 {
                let now = now_ms();
                let limit = u32::try_from(free).unwrap_or(u32::MAX);
                match self
                    .service
                    .store()
                    .claim_due_webhook_events(now, &self.id, now + lease_ms, limit)
                    .await
                {
                    Ok(events) => {
                        for event in events {
                            let (service, transport, owner) =
                                (Arc::clone(&self.service), Arc::clone(&self.transport), self.id.clone());
                            in_flight
                                .spawn(async move { deliver(&service, &*transport, &owner, event).await });
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %crate::error::chain(&e), "webhook outbox: claim failed")
                    }
                }
            }
            tokio::select! {
                _ = stopped.changed() => break,
                () = wake.notified() => {}
                () = tokio::time::sleep(poll) => {}
                Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
            }
        }
        in_flight.abort_all();
    }
}

/// Makes one attempt of `event` and records it (only while the lease is still `lease_owner`'s).
async fn deliver(
    service: &WebhookService,
    transport: &dyn Transport,
    lease_owner: &str,
    event: WebhookEvent,
) {
    let settings = service.settings();
    let attempt = event.attempts.saturating_add(1);
    let started_ms = now_ms();
    let clock = Instant::now();
    let bound = settings.timeout + settings.connect_timeout;
    let result = match tokio::time::timeout(bound, send(service, transport, &event)).await {
        Ok(result) => result,
        Err(_) => Err(Failure::Retryable("timed out".into())),
    };
    let duration_ms = u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX);
    let retry_or_give_up = || {
        let first = event.first_attempt_ms.unwrap_or(started_ms);
        let deadline =
            first.saturating_add(i64::try_from(settings.give_up_after.as_millis()).unwrap_or(i64::MAX));
        let delay = settings.retry_delay(attempt, rand::rngs::OsRng.gen::<f64>());
        let next = now_ms().saturating_add(i64::try_from(delay.as_millis()).unwrap_or(i64::MAX));
        if next > deadline {
            AfterAttempt::Failed
        } else {
            AfterAttempt::Retry { at_ms: next }
        }
    };
    let (status_code, error, after) = match result {
        Ok(code) if (200..300).contains(&code) => (Some(code), None, AfterAttempt::Delivered),
        Ok(code) => (Some(code), None, retry_or_give_up()),
        Err(Failure::Permanent(why)) => (None, Some(why), AfterAttempt::Failed),
        Err(Failure::Retryable(why)) => (None, Some(why), retry_or_give_up()),
    };
    let record = AttemptRecord { attempt, at_ms: started_ms, status_code, error, duration_ms };
    match service.store().record_webhook_attempt(&event.id, lease_owner, &record, after).await {
        Ok(true) => tracing::info!(
            event = %event.id, attempt, status = ?status_code, outcome = ?after, "webhook attempt"
        ),
        Ok(false) => {
            tracing::warn!(event = %event.id, attempt, "webhook attempt not recorded: the lease was lost")
        }
        Err(e) => {
            tracing::warn!(event = %event.id, error = %crate::error::chain(&e), "webhook attempt not recorded")
        }
    }
}

/// Checks the URL again (resolving it), signs with the owner's secrets as they are now, and
/// POSTs to the checked addresses.
async fn send(
    service: &WebhookService,
    transport: &dyn Transport,
    event: &WebhookEvent,
) -> Result<u16, Failure> {
    let settings = service.settings();
    let refused = |e: CallbackUrlError| {
        let words = format!("callback URL refused: {e}");
        if e.is_permanent() {
            Failure::Permanent(words)
        } else {
            Failure::Retryable(words)
        }
    };
    let url = CallbackUrl::parse(&event.url, settings.environment).map_err(refused)?;
    let addrs =
        resolve_checked(&url, settings.environment, settings.connect_timeout).await.map_err(refused)?;
    let secrets = service
        .signing_secrets(&event.owner)
        .await
        .map_err(|e| Failure::Retryable(format!("secrets unavailable: {}", crate::error::chain(&e))))?;
    if secrets.is_empty() {
        return Err(Failure::Permanent("the owner has no webhook secret".into()));
    }
    let timestamp = now_ms().div_euclid(1000);
    let request = Outgoing {
        url: url.as_str().to_string(),
        host: url.host(),
        addrs,
        headers: vec![
            ("content-type", "application/json".into()),
            ("webhook-id", event.id.clone()),
            ("webhook-timestamp", timestamp.to_string()),
            ("webhook-signature", signature_header(&secrets, &event.id, timestamp, &event.body)),
        ],
        body: event.body.clone(),
        connect_timeout: settings.connect_timeout,
        timeout: settings.timeout,
    };
    transport.post(request).await.map_err(Failure::Retryable)
}
