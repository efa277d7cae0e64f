//! The scheduling of [`MicroBatcher`] with plain jobs: a job is `(key, value)`, its answer
//! the value times ten with what its batch looked like.

use std::collections::BTreeSet;
use std::sync::mpsc;
use std::time::Duration;

use super::*;

/// `(value × 10, distinct keys in its batch, size of its batch)`.
type Answer = (u64, usize, usize);

fn batcher(cpu: &CpuPool, queue_max: usize) -> MicroBatcher<(usize, u64), Answer> {
    let settings = BatchSettings { enabled: true, max: 4, wait: Duration::ZERO, queue_max };
    MicroBatcher::new(
        cpu.clone(),
        settings,
        |(_, value)| (value * 10, 1, 1),
        |jobs: Vec<(usize, u64)>| {
            let keys: BTreeSet<usize> = jobs.iter().map(|(key, _)| *key).collect();
            let size = jobs.len();
            BatchRun {
                outputs: jobs.into_iter().map(|(_, value)| (value * 10, keys.len(), size)).collect(),
                fallbacks: 0,
            }
        },
    )
}

/// Holds the pool's only place until the returned sender is used (or dropped).
fn hold(cpu: &CpuPool) -> mpsc::Sender<()> {
    let slot = cpu.try_slot().expect("the pool is free");
    let (release, wait) = mpsc::channel::<()>();
    tokio::spawn(CpuPool::run_in(slot, move || {
        let _ = wait.recv();
    }));
    release
}

/// Waits (without a time bound of its own) until `depth` jobs are queued.
async fn queued(batcher: &MicroBatcher<(usize, u64), Answer>, depth: u64) {
    for _ in 0..100_000 {
        if batcher.stats().queue_depth == depth {
            return;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    panic!("the queue never held {depth} jobs: {:?}", batcher.stats());
}

/// With a free place a job runs at once, on its own: nothing is queued or batched.
#[tokio::test]
async fn a_job_on_an_idle_pool_runs_at_once() {
    let cpu = CpuPool::new(2, Duration::from_secs(60));
    let batcher = batcher(&cpu, 8);
    assert_eq!(batcher.run(1, (1, 7)).await.unwrap(), (70, 1, 1));
    let stats = batcher.stats();
    assert_eq!((stats.immediate, stats.queued, stats.batches, stats.queue_depth), (1, 0, 0, 0));
}

/// Off, a job takes its own place even when it has to wait for one, and nothing is counted.
#[tokio::test]
async fn off_every_job_runs_on_its_own() {
    let cpu = CpuPool::new(1, Duration::from_secs(60));
    let settings = BatchSettings { enabled: false, ..BatchSettings::default() };
    let batcher = MicroBatcher::new(
        cpu.clone(),
        settings,
        |v: u64| v + 1,
        |_: Vec<u64>| -> BatchRun<u64> { unreachable!("no batch when batching is off") },
    );
    let release = hold(&cpu);
    let waiting = tokio::spawn(async move { batcher.run(0, 41).await.map(|v| (v, batcher.stats())) });
    release.send(()).unwrap();
    let (answer, stats) = waiting.await.unwrap().unwrap();
    assert_eq!(answer, 42);
    assert_eq!(
        stats,
        BatchStats { batch_sizes: vec![0; BATCH_SIZE_BUCKETS.len() + 1], ..BatchStats::default() }
    );
}

/// A full queue answers busy at once; the jobs already queued are answered once the pool
/// frees, and the next job runs again.
#[tokio::test]
async fn a_full_queue_is_busy_and_recovers() {
    let cpu = CpuPool::new(1, Duration::from_secs(60));
    let batcher = std::sync::Arc::new(batcher(&cpu, 2));
    let release = hold(&cpu);
    let waiting: Vec<_> = (0..2u64)
        .map(|value| {
            let batcher = std::sync::Arc::clone(&batcher);
            tokio::spawn(async move { batcher.run(5, (5, value)).await })
        })
        .collect();
    queued(&batcher, 2).await;
    assert!(matches!(batcher.run(5, (5, 9)).await, Err(CpuBusy)));
    assert_eq!(batcher.stats().queue_full, 1);
    release.send(()).unwrap();
    let mut answers = Vec::new();
    for job in waiting {
        answers.push(job.await.unwrap().unwrap());
    }
    assert_eq!(answers, vec![(0, 1, 2), (10, 1, 2)]);
    assert_eq!(batcher.run(5, (5, 3)).await.unwrap(), (30, 1, 1));
    let stats = batcher.stats();
    assert_eq!((stats.immediate, stats.queued, stats.batches, stats.batched_jobs), (1, 2, 1, 2));
    assert_eq!(stats.batch_sizes[1], 1, "{stats:?}");
    assert_eq!(stats.queue_depth, 0);
}

/// Queued jobs are checked in batches of one key and at most `max` jobs; each caller hears
/// its own answer.
#[tokio::test]
async fn batches_hold_one_key_and_each_caller_gets_its_answer() {
    let cpu = CpuPool::new(1, Duration::from_secs(60));
    let batcher = std::sync::Arc::new(batcher(&cpu, 64));
    let release = hold(&cpu);
    let waiting: Vec<_> = (0..20u64)
        .map(|value| {
            let batcher = std::sync::Arc::clone(&batcher);
            let key = (value % 2) as usize;
            tokio::spawn(async move { (value, batcher.run(key, (key, value)).await) })
        })
        .collect();
    queued(&batcher, 20).await;
    release.send(()).unwrap();
    for job in waiting {
        let (value, answer) = job.await.unwrap();
        let (times_ten, keys, size) = answer.unwrap();
        assert_eq!(times_ten, value * 10);
        assert_eq!(keys, 1, "a batch mixed keys");
        assert!((1..=4).contains(&size), "batch of {size}");
    }
    let stats = batcher.stats();
    assert_eq!((stats.queued, stats.batched_jobs, stats.queue_depth), (20, 20, 0));
    assert!(stats.batches >= 5, "{stats:?}");
}

/// A job that waited for a place longer than the pool allows answers busy, as a caller of
/// the pool would; the batcher serves the next job afterwards.
#[tokio::test]
async fn a_job_waiting_too_long_is_busy() {
    let cpu = CpuPool::new(1, Duration::from_millis(20));
    let batcher = std::sync::Arc::new(batcher(&cpu, 8));
    let release = hold(&cpu);
    let waiting = {
        let batcher = std::sync::Arc::clone(&batcher);
        tokio::spawn(async move { batcher.run(1, (1, 1)).await })
    };
    assert!(matches!(waiting.await.unwrap(), Err(CpuBusy)));
    assert_eq!(batcher.stats().expired, 1);
    release.send(()).unwrap();
    // The pool frees once the holding job sees the release.
    let mut answer = Err(CpuBusy);
    for _ in 0..1000 {
        answer = batcher.run(1, (1, 2)).await;
        if answer.is_ok() {
            break;
        }
    }
    assert_eq!(answer.unwrap(), (20, 1, 1));
}
