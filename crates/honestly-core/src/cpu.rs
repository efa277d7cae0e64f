//! A bounded pool for CPU-heavy work (argon2, proving, large AES): the work runs on the
//! blocking threads, never on the async runtime's, and at most `permits` jobs run or wait at
//! once. When the pool is saturated for longer than `queue_wait`, the caller gets
//! [`CpuBusy`] and answers 503 instead of letting latency grow without bound.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tracing::Instrument;

/// The pool is saturated.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("CPU pool saturated")]
pub struct CpuBusy;

/// The bounded CPU pool.
#[derive(Clone)]
pub struct CpuPool {
    permits: Arc<Semaphore>,
    capacity: usize,
    queue_wait: Duration,
}

/// One running place in the pool, held until dropped.
pub struct CpuSlot(OwnedSemaphorePermit);

impl CpuPool {
    /// A pool running at most `permits` jobs at once; callers wait at most `queue_wait`.
    pub fn new(permits: usize, queue_wait: Duration) -> Self {
        let capacity = permits.max(1);
        Self { permits: Arc::new(Semaphore::new(capacity)), capacity, queue_wait }
    }

    /// How many jobs run at once at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How long a caller waits for a place before [`CpuBusy`].
    pub fn queue_wait(&self) -> Duration {
        self.queue_wait
    }

    /// A place right now, if one is free and nobody is waiting for one.
    pub fn try_slot(&self) -> Option<CpuSlot> {
        Arc::clone(&self.permits).try_acquire_owned().ok().map(CpuSlot)
    }

    /// A place, waiting at most the pool's `queue_wait` for one.
    pub async fn slot(&self) -> Result<CpuSlot, CpuBusy> {
        tokio::time::timeout(self.queue_wait, Arc::clone(&self.permits).acquire_owned())
            .await
            .map_err(|_| CpuBusy)?
            .map(CpuSlot)
            .map_err(|_| CpuBusy)
    }

    /// A pool sized for this machine: twice the available cores; callers wait at most 2 s.
    pub fn for_this_machine() -> Self {
        Self::for_this_machine_waiting(Duration::from_secs(2))
    }

    /// A pool sized for this machine (twice the available cores) whose callers wait at most
    /// `queue_wait` (`CPU_QUEUE_WAIT`).
    pub fn for_this_machine_waiting(queue_wait: Duration) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::new(cores * 2, queue_wait)
    }

    /// Runs `job` on a blocking thread, inside the caller's tracing span.
    pub async fn run<T, F>(&self, job: F) -> Result<T, CpuBusy>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let slot = self.slot().await?;
        Self::run_in(slot, job).await
    }

    /// Runs `job` on a blocking thread in the place `slot` (released when the job ends),
    /// inside the caller's tracing span.
    pub async fn run_in<T, F>(slot: CpuSlot, job: F) -> Result<T, CpuBusy>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = slot.0;
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            let value = job();
            drop(permit);
            value
        })
        .in_current_span()
        .await
        .map_err(|_| CpuBusy)
    }
}
