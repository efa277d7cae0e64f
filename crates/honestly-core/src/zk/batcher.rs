//! Verifications batched across requests. A single verification that arrives while nothing
//! is queued and the CPU pool has a free place runs at once, exactly as without batching (no
//! added latency at low load). One that arrives while the pool is busy, or while others wait,
//! waits in a bounded queue; a drainer that gets a place takes up to `max` queued jobs of one
//! verification key and checks them as one batch, then answers each caller on its own
//! channel. A full queue answers [`CpuBusy`] at
//! once (503 with `Retry-After`), never growing memory; a job that waited longer than the
//! pool's `queue_wait` for a place answers [`CpuBusy`] too, as a caller of the pool would.
//!
//! The batcher only schedules: what a job is and how a batch is checked is given at
//! construction ([`MicroBatcher::new`]). No lock is held while a job or a batch runs.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::oneshot;
use tracing::Instrument;

use crate::config::Config;
use crate::cpu::{CpuBusy, CpuPool, CpuSlot};

/// The upper bounds of the batch-size histogram's buckets; larger batches count in the last,
/// unbounded one.
pub const BATCH_SIZE_BUCKETS: [usize; 9] = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/// How verifications are batched (`VERIFY_BATCHING`, `VERIFY_BATCH_MAX`,
/// `VERIFY_BATCH_WAIT_US`, `VERIFY_QUEUE_MAX`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchSettings {
    /// Off: every verification takes its own place in the pool, as without a batcher.
    pub enabled: bool,
    /// Most jobs checked in one batch.
    pub max: usize,
    /// How long a drainer that got a place waits for more jobs when fewer than `max` of its
    /// key are queued (zero: it takes what is there).
    pub wait: Duration,
    /// Most jobs queued at once; one more is refused with [`CpuBusy`].
    pub queue_max: usize,
}

impl Default for BatchSettings {
    fn default() -> Self {
        Self { enabled: true, max: 32, wait: Duration::ZERO, queue_max: 4096 }
    }
}

impl BatchSettings {
    /// The settings of `config`.
    pub fn from_config(config: &Config) -> Self {
        Self {
            enabled: config.verify_batching,
            max: config.verify_batch_max as usize,
            wait: Duration::from_micros(u64::from(config.verify_batch_wait_us)),
            queue_max: config.verify_queue_max as usize,
        }
    }
}

/// What a batch answered: one output per job, in order, and how many of its key groups failed
/// the combined check and were checked one by one.
pub struct BatchRun<R> {
    /// Output `i` answers job `i`.
    pub outputs: Vec<R>,
    /// Groups that fell back to one-by-one checks.
    pub fallbacks: u64,
}

/// Counters of the batcher since start.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BatchStats {
    /// Whether batching is on.
    pub enabled: bool,
    /// Jobs run at once on a free place, without queueing.
    pub immediate: u64,
    /// Jobs that went through the queue.
    pub queued: u64,
    /// Batches run.
    pub batches: u64,
    /// Jobs checked in those batches.
    pub batched_jobs: u64,
    /// Batches whose combined check failed, so that each job was checked on its own.
    pub fallbacks: u64,
    /// Jobs refused because the queue was full.
    pub queue_full: u64,
    /// Jobs that waited longer than the pool allows and were answered busy.
    pub expired: u64,
    /// Jobs in the queue now.
    pub queue_depth: u64,
    /// Batches by size: entry `i` counts sizes up to [`BATCH_SIZE_BUCKETS`]`[i]` (and above
    /// the previous bound); the last entry counts larger ones.
    pub batch_sizes: Vec<u64>,
}

#[derive(Default)]
struct Counters {
    immediate: AtomicU64,
    queued: AtomicU64,
    batches: AtomicU64,
    batched_jobs: AtomicU64,
    fallbacks: AtomicU64,
    queue_full: AtomicU64,
    expired: AtomicU64,
    sizes: [AtomicU64; BATCH_SIZE_BUCKETS.len() + 1],
}

fn bump(counter: &AtomicU64, by: u64) {
    counter.fetch_add(by, Ordering::Relaxed);
}

type Reply<R> = oneshot::Sender<Result<R, CpuBusy>>;

struct Pending<J, R> {
    job: J,
    reply: Reply<R>,
    since: Instant,
}

/// The queue: jobs grouped by key, keys served in turn.
struct Queue<J, R> {
    groups: HashMap<usize, VecDeque<Pending<J, R>>>,
    order: VecDeque<usize>,
    len: usize,
    drainers: usize,
}

type RunOne<J, R> = dyn Fn(J) -> R + Send + Sync;
type RunMany<J, R> = dyn Fn(Vec<J>) -> BatchRun<R> + Send + Sync;

struct Shared<J, R> {
    queue: Mutex<Queue<J, R>>,
    counters: Counters,
    one: Arc<RunOne<J, R>>,
    many: Arc<RunMany<J, R>>,
}

/// Gathers jobs of the same key that arrive while the CPU pool is busy into batches.
pub struct MicroBatcher<J, R> {
    cpu: CpuPool,
    settings: BatchSettings,
    shared: Arc<Shared<J, R>>,
}

impl<J: Send + 'static, R: Send + 'static> MicroBatcher<J, R> {
    /// A batcher on `cpu`: `one` runs a job on its own, `many` a batch of jobs of one key.
    pub fn new(
        cpu: CpuPool,
        settings: BatchSettings,
        one: impl Fn(J) -> R + Send + Sync + 'static,
        many: impl Fn(Vec<J>) -> BatchRun<R> + Send + Sync + 'static,
    ) -> Self {
        let settings =
            BatchSettings { max: settings.max.max(1), queue_max: settings.queue_max.max(1), ..settings };
        let queue = Queue { groups: HashMap::new(), order: VecDeque::new(), len: 0, drainers: 0 };
        let shared = Shared {
            queue: Mutex::new(queue),
            counters: Counters::default(),
            one: Arc::new(one),
            many: Arc::new(many),
        };
        Self { cpu, settings, shared: Arc::new(shared) }
    }

    /// The settings in force.
    pub fn settings(&self) -> BatchSettings {
        self.settings
    }

    /// Runs `job`, of the group `key` (jobs batch only with jobs of the same key): at once on
    /// a free place, else through the queue. [`CpuBusy`] when the queue is full or the job
    /// waited longer than the pool allows.
    pub async fn run(&self, key: usize, job: J) -> Result<R, CpuBusy> {
        let one = Arc::clone(&self.shared.one);
        if !self.settings.enabled {
            return self.cpu.run(move || one(job)).await;
        }
        // At once only when nothing waits: while jobs are queued, a place that frees goes to
        // their drainer (one batch checks many), not to whichever request arrived last.
        let idle = {
            let queue = self.shared.lock();
            queue.len == 0 && queue.drainers == 0
        };
        if idle {
            if let Some(slot) = self.cpu.try_slot() {
                bump(&self.shared.counters.immediate, 1);
                return CpuPool::run_in(slot, move || one(job)).await;
            }
        }
        let (reply, answer) = oneshot::channel();
        let start_drainer = {
            let mut queue = self.shared.lock();
            if queue.len >= self.settings.queue_max {
                bump(&self.shared.counters.queue_full, 1);
                return Err(CpuBusy);
            }
            if !queue.groups.contains_key(&key) {
                queue.order.push_back(key);
            }
            queue.groups.entry(key).or_default().push_back(Pending { job, reply, since: Instant::now() });
            queue.len += 1;
            bump(&self.shared.counters.queued, 1);
            // A drainer per queued job, at most one per place of the pool: every place
            // checks a batch while jobs wait.
            let wanted = queue.len.min(self.cpu.capacity());
            let start = queue.drainers < wanted.max(1);
            queue.drainers += usize::from(start);
            start
        };
        if start_drainer {
            let drainer =
                Drainer { cpu: self.cpu.clone(), settings: self.settings, shared: Arc::clone(&self.shared) };
            tokio::spawn(drainer.drain().instrument(tracing::debug_span!("verify_batch_drainer")));
        }
        answer.await.unwrap_or(Err(CpuBusy))
    }

    /// The counters since start.
    pub fn stats(&self) -> BatchStats {
        let c = &self.shared.counters;
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        BatchStats {
            enabled: self.settings.enabled,
            immediate: read(&c.immediate),
            queued: read(&c.queued),
            batches: read(&c.batches),
            batched_jobs: read(&c.batched_jobs),
            fallbacks: read(&c.fallbacks),
            queue_full: read(&c.queue_full),
            expired: read(&c.expired),
            queue_depth: self.shared.lock().len as u64,
            batch_sizes: c.sizes.iter().map(read).collect(),
        }
    }
}

impl<J, R> Shared<J, R> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queue<J, R>> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Answers busy the jobs that waited longer than `limit`, and drops those whose caller
    /// left, from the front of each group (the oldest; a group is in arrival order, so this
    /// stops at its first job still worth checking).
    fn expire(&self, limit: Duration) {
        let mut gone: Vec<Pending<J, R>> = Vec::new();
        {
            let mut queue = self.lock();
            let Queue { groups, order, len, .. } = &mut *queue;
            for group in groups.values_mut() {
                while group.front().is_some_and(|p| p.reply.is_closed() || p.since.elapsed() > limit) {
                    gone.extend(group.pop_front());
                }
            }
            *len -= gone.len();
            groups.retain(|_, group| !group.is_empty());
            order.retain(|key| groups.contains_key(key));
        }
        for pending in gone.into_iter().filter(|p| !p.reply.is_closed()) {
            bump(&self.counters.expired, 1);
            let _ = pending.reply.send(Err(CpuBusy));
        }
    }

    /// How many jobs the next batch would find.
    fn next_group_len(&self) -> usize {
        let queue = self.lock();
        queue.order.front().and_then(|key| queue.groups.get(key)).map_or(0, VecDeque::len)
    }

    /// Up to `max` jobs of the next key, or `None` when the queue is empty: the drainer then
    /// stops, counted out under the same lock that enqueuers look at, so no job is left
    /// without a drainer.
    fn take(&self, max: usize, drainer: &mut Running<J, R>) -> Option<Vec<Pending<J, R>>> {
        let mut queue = self.lock();
        let Queue { groups, order, len, drainers } = &mut *queue;
        loop {
            let Some(key) = order.pop_front() else {
                *drainers -= 1;
                drainer.counted = false;
                return None;
            };
            let Some(group) = groups.get_mut(&key) else { continue };
            let batch: Vec<Pending<J, R>> = group.drain(..group.len().min(max)).collect();
            if group.is_empty() {
                groups.remove(&key);
            } else {
                // Keys take turns: a busy key never starves another.
                order.push_back(key);
            }
            *len -= batch.len();
            if !batch.is_empty() {
                return Some(batch);
            }
        }
    }

    /// Stops the drainer `drainer` when the queue is empty (see [`Shared::take`]).
    fn stop_if_empty(&self, drainer: &mut Running<J, R>) -> bool {
        let mut queue = self.lock();
        if queue.len > 0 {
            return false;
        }
        queue.drainers -= 1;
        drainer.counted = false;
        true
    }
}

/// A running drainer, counted in the queue's `drainers` until it stops; a drainer dropped
/// without stopping (its runtime shut down) is counted out on drop.
struct Running<J, R> {
    shared: Arc<Shared<J, R>>,
    counted: bool,
}

impl<J, R> Drop for Running<J, R> {
    fn drop(&mut self) {
        if self.counted {
            self.shared.lock().drainers -= 1;
        }
    }
}

/// Takes batches off the queue while it holds jobs.
struct Drainer<J, R> {
    cpu: CpuPool,
    settings: BatchSettings,
    shared: Arc<Shared<J, R>>,
}

impl<J: Send + 'static, R: Send + 'static> Drainer<J, R> {
    async fn drain(self) {
        let mut running = Running { shared: Arc::clone(&self.shared), counted: true };
        loop {
            let slot = match self.cpu.slot().await {
                Ok(slot) => slot,
                Err(CpuBusy) => {
                    // No place for as long as a caller of the pool would wait: those who
                    // waited that long hear busy, the others wait on.
                    self.shared.expire(self.cpu.queue_wait());
                    if self.shared.stop_if_empty(&mut running) {
                        return;
                    }
                    continue;
                }
            };
            if !self.settings.wait.is_zero() && self.shared.next_group_len() < self.settings.max {
                tokio::time::sleep(self.settings.wait).await;
            }
            self.shared.expire(self.cpu.queue_wait());
            let Some(batch) = self.shared.take(self.settings.max, &mut running) else { return };
            self.run_batch(slot, batch).await;
        }
    }

    /// Checks `batch` in the place `slot` and answers each caller.
    async fn run_batch(&self, slot: CpuSlot, batch: Vec<Pending<J, R>>) {
        let (jobs, replies): (Vec<J>, Vec<Reply<R>>) = batch.into_iter().map(|p| (p.job, p.reply)).unzip();
        let size = jobs.len();
        let many = Arc::clone(&self.shared.many);
        let ran = CpuPool::run_in(slot, move || many(jobs)).await;
        let c = &self.shared.counters;
        bump(&c.batches, 1);
        bump(&c.batched_jobs, size as u64);
        let bucket =
            BATCH_SIZE_BUCKETS.iter().position(|&bound| size <= bound).unwrap_or(BATCH_SIZE_BUCKETS.len());
        bump(&c.sizes[bucket], 1);
        match ran {
            Ok(run) => {
                bump(&c.fallbacks, run.fallbacks);
                // A missing output drops its reply: that caller hears busy, never another's answer.
                for (reply, output) in replies.into_iter().zip(run.outputs) {
                    let _ = reply.send(Ok(output));
                }
            }
            Err(CpuBusy) => {
                for reply in replies {
                    let _ = reply.send(Err(CpuBusy));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
