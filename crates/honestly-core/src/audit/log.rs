//! The batching writer: [`AuditLog::record`] never waits on the store; a background task
//! chains and appends events in batches, one store transaction per batch.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::event::AuditEvent;
use crate::store::{AuditStore, StoreError};

/// Tuning of the writer.
#[derive(Debug, Clone, Copy)]
pub struct AuditLogOptions {
    /// Events the queue holds before [`AuditLog::record`] falls back to a spawned send.
    pub capacity: usize,
    /// Most events appended in one transaction.
    pub max_batch: usize,
    /// How long the writer waits for more events after the first of a batch.
    pub linger: Duration,
}

impl Default for AuditLogOptions {
    fn default() -> Self {
        Self { capacity: 4096, max_batch: 256, linger: Duration::from_millis(5) }
    }
}

/// The writer stopped (its task ended or panicked); events recorded since may not be durable.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the audit writer has stopped")]
pub struct AuditClosed;

struct Queued {
    ticket: u64,
    event: AuditEvent,
}

struct Inner {
    tx: mpsc::Sender<Queued>,
    /// Tickets handed out so far (the next ticket).
    next_ticket: AtomicU64,
    /// Every ticket below this value is durable.
    durable: watch::Receiver<u64>,
    /// Events that found the queue full.
    overflowed: AtomicU64,
}

/// Handle to the audit writer; cheap to clone. The writer task ends once every handle is
/// dropped and the queue is drained.
#[derive(Clone)]
pub struct AuditLog {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog")
            .field("recorded", &self.inner.next_ticket.load(Ordering::Relaxed))
            .field("durable", &*self.inner.durable.borrow())
            .finish()
    }
}

impl AuditLog {
    /// Starts a writer over `store` with default options. Must be called inside a Tokio
    /// runtime (the writer is a spawned task).
    pub fn start<S: AuditStore + ?Sized + 'static>(store: Arc<S>) -> Self {
        Self::start_with(store, AuditLogOptions::default())
    }

    /// Starts a writer with explicit options.
    pub fn start_with<S: AuditStore + ?Sized + 'static>(store: Arc<S>, options: AuditLogOptions) -> Self {
        let (tx, rx) = mpsc::channel(options.capacity.max(1));
        let (durable_tx, durable) = watch::channel(0);
        tokio::spawn(run_writer(store, rx, durable_tx, options));
        Self {
            inner: Arc::new(Inner {
                tx,
                next_ticket: AtomicU64::new(0),
                durable,
                overflowed: AtomicU64::new(0),
            }),
        }
    }

    /// Queues `event` without waiting. When the queue is full the event is handed to a
    /// spawned task that waits for room (or, outside a runtime, sent blocking): it is
    /// never dropped while the writer runs.
    pub fn record(&self, event: AuditEvent) {
        let ticket = self.inner.next_ticket.fetch_add(1, Ordering::SeqCst);
        match self.inner.tx.try_send(Queued { ticket, event }) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(queued)) => {
                let overflowed = self.inner.overflowed.fetch_add(1, Ordering::Relaxed);
                if overflowed & 1023 == 0 {
                    tracing::warn!(overflowed = overflowed + 1, "audit queue full: writes fall behind");
                }
                let tx = self.inner.tx.clone();
                match tokio::runtime::Handle::try_current() {
                    Ok(handle) => {
                        handle.spawn(async move {
                            if let Err(e) = tx.send(queued).await {
                                lost(&e.0.event);
                            }
                        });
                    }
                    Err(_) => {
                        if let Err(e) = tx.blocking_send(queued) {
                            lost(&e.0.event);
                        }
                    }
                }
            }
            Err(mpsc::error::TrySendError::Closed(queued)) => lost(&queued.event),
        }
    }

    /// Queues `event`, waiting for room while the queue is full. Callers that can wait (the
    /// per-request audit of the HTTP layer) slow down under a flood instead of piling events up
    /// in memory, which bounds the writer's memory for any number of clients.
    pub async fn record_waiting(&self, event: AuditEvent) {
        let ticket = self.inner.next_ticket.fetch_add(1, Ordering::SeqCst);
        let queued = Queued { ticket, event };
        let queued = match self.inner.tx.try_send(queued) {
            Ok(()) => return,
            Err(mpsc::error::TrySendError::Closed(queued)) => return lost(&queued.event),
            Err(mpsc::error::TrySendError::Full(queued)) => queued,
        };
        let overflowed = self.inner.overflowed.fetch_add(1, Ordering::Relaxed);
        if overflowed & 1023 == 0 {
            tracing::warn!(overflowed = overflowed + 1, "audit queue full: requests wait for the writer");
        }
        if let Err(e) = self.inner.tx.send(queued).await {
            lost(&e.0.event);
        }
    }

    /// Returns once every event recorded before the call is durable in the store.
    /// Waits as long as the store refuses writes: bound it with a timeout where that matters.
    pub async fn flush(&self) -> Result<(), AuditClosed> {
        let target = self.inner.next_ticket.load(Ordering::SeqCst);
        let mut durable = self.inner.durable.clone();
        durable.wait_for(|done| *done >= target).await.map(|_| ()).map_err(|_| AuditClosed)
    }

    /// How many events found the queue full so far.
    pub fn overflowed(&self) -> u64 {
        self.inner.overflowed.load(Ordering::Relaxed)
    }
}

fn lost(event: &AuditEvent) {
    tracing::error!(event_id = %event.id, action = %event.action, "audit writer stopped: event not written");
}

/// `(seq, hash)` of the chain's last stored event.
type Head = Option<(u64, String)>;

async fn load_head<S: AuditStore + ?Sized>(store: &S) -> Result<Head, StoreError> {
    Ok(store.last_audit_event().await?.map(|e| (e.seq, e.hash)))
}

const MAX_BACKOFF: Duration = Duration::from_secs(5);

async fn run_writer<S: AuditStore + ?Sized>(
    store: Arc<S>,
    mut rx: mpsc::Receiver<Queued>,
    durable: watch::Sender<u64>,
    options: AuditLogOptions,
) {
    let max_batch = options.max_batch.max(1);
    let mut head: Option<Head> = None;
    let mut watermark = 0u64;
    let mut done = BTreeSet::new();
    let mut events = Vec::with_capacity(max_batch);
    let mut tickets = Vec::with_capacity(max_batch);
    while let Some(first) = rx.recv().await {
        tickets.push(first.ticket);
        events.push(first.event);
        let deadline = Instant::now() + options.linger;
        while events.len() < max_batch {
            let next = match rx.try_recv() {
                Ok(queued) => Some(queued),
                Err(mpsc::error::TryRecvError::Disconnected) => None,
                Err(mpsc::error::TryRecvError::Empty) => {
                    tokio::time::timeout_at(deadline, rx.recv()).await.ok().flatten()
                }
            };
            let Some(queued) = next else { break };
            tickets.push(queued.ticket);
            events.push(queued.event);
        }
        append(&*store, &mut head, &mut events).await;
        events.clear();
        done.extend(tickets.drain(..));
        while done.remove(&watermark) {
            watermark += 1;
        }
        durable.send_replace(watermark);
    }
}

/// Chains `events` after the stored head and appends them in one transaction, retrying until
/// the store accepts: a conflict (another writer extended the chain) re-reads the head and
/// re-chains at once; other failures back off.
async fn append<S: AuditStore + ?Sized>(store: &S, head: &mut Option<Head>, events: &mut [AuditEvent]) {
    let mut backoff = Duration::from_millis(50);
    let mut conflicts = 0u32;
    loop {
        let current = match head {
            Some(current) => current.clone(),
            None => match load_head(store).await {
                Ok(loaded) => head.insert(loaded).clone(),
                Err(e) => {
                    tracing::error!(error = %e, "audit writer cannot read the chain head; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
            },
        };
        let mut prev = current;
        for event in events.iter_mut() {
            event.chain_after(prev.as_ref().map(|(seq, hash)| (*seq, hash.as_str())));
            prev = Some((event.seq, event.hash.clone()));
        }
        match store.append_audit_events(events).await {
            Ok(()) => {
                *head = Some(prev);
                return;
            }
            Err(StoreError::Conflict(reason)) => {
                tracing::debug!(%reason, "audit chain moved under this writer; re-chaining the batch");
                *head = None;
                conflicts += 1;
                if conflicts > 3 {
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, batch = events.len(), "audit batch not written; retrying");
                *head = None;
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
}
