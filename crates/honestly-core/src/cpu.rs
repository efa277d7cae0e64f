//! A bounded pool for CPU-heavy work (argon2, proving, large AES): the work runs on the
//! blocking threads, never on the async runtime's, and at most `permits` jobs run or wait at
//! once. When the pool is saturated for longer than `queue_wait`, the caller gets
//! [`CpuBusy`] and answers 503 instead of letting latency grow without bound.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tracing::Instrument;

/// The pool is saturated.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("CPU pool saturated")]
pub struct CpuBusy;

/// The bounded CPU pool.
#[derive(Clone)]
pub struct CpuPool {
    permits: Arc<Semaphore>,
    queue_wait: Duration,
}

impl CpuPool {
    /// A pool running at most `permits` jobs at once; callers wait at most `queue_wait`.
    pub fn new(permits: usize, queue_wait: Duration) -> Self {
        Self { permits: Arc::new(Semaphore::new(permits.max(1))), queue_wait }
    }

    /// A pool sized for this machine: twice the available cores.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::new(cores * 2, Duration::from_secs(2))
    }

    /// Runs `job` on a blocking thread, inside the caller's tracing span.
    pub async fn run<T, F>(&self, job: F) -> Result<T, CpuBusy>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = tokio::time::timeout(self.queue_wait, Arc::clone(&self.permits).acquire_owned())
            .await
            .map_err(|_| CpuBusy)?
            .map_err(|_| CpuBusy)?;
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
