//! Share-link accesses consumed in groups, one transaction (one commit) per group.
//!
//! Concurrent `consume_link_access` calls of one process queue on a bounded channel; a
//! background task takes whatever is waiting (at most [`MAX_GROUP`] calls) and runs it as one
//! transaction (see `link_access_group`), answering each caller its own result once the
//! commit is known. A lone call forms a group of one and starts at once. At most
//! [`GROUPS_IN_FLIGHT`] groups run at a time; under load the calls queued meanwhile make the
//! next groups larger. When a group fails before its commit, each of its calls runs again
//! alone, so one bad call never fails the others; when the commit itself fails, its outcome is
//! unknown and every caller of the group gets the error. A call whose caller stopped waiting
//! before its group started is dropped and consumes nothing.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, Semaphore};

use super::link_access_group::{self, Call};
use super::{in_tx, Neo4jStore};
use honestly_core::links::ShareLink;
use honestly_core::store::StoreError;

/// The most calls one group's transaction carries.
const MAX_GROUP: usize = 64;
/// How many calls may wait before callers wait to enqueue.
const QUEUE: usize = 1024;
/// How many groups' transactions may run at once.
const GROUPS_IN_FLIGHT: usize = 4;

type Answer = oneshot::Sender<Result<Option<ShareLink>, StoreError>>;

/// The sending side of the grouping task; dropping it lets the task finish.
pub(super) struct AccessQueue {
    calls: mpsc::Sender<(Call, Answer)>,
    groups: Arc<AtomicU64>,
}

impl AccessQueue {
    /// Starts the grouping task on the current runtime; `store` runs the groups (and must not
    /// itself send to a queue).
    pub(super) fn spawn(store: Neo4jStore) -> Self {
        let (calls, queue) = mpsc::channel(QUEUE);
        let groups = Arc::new(AtomicU64::new(0));
        tokio::spawn(run(Arc::new(store), queue, Arc::clone(&groups)));
        Self { calls, groups }
    }

    /// How many group transactions have been started so far.
    pub(super) fn groups(&self) -> u64 {
        self.groups.load(Ordering::Relaxed)
    }

    /// Consumes one access in the next group; answers once that group's outcome is known.
    pub(super) async fn consume(&self, call: Call) -> Result<Option<ShareLink>, StoreError> {
        let (answer, answered) = oneshot::channel();
        self.calls
            .send((call, answer))
            .await
            .map_err(|_| StoreError::unavailable("the share-link access queue has stopped"))?;
        answered.await.map_err(|_| StoreError::internal("a share-link access was abandoned"))?
    }
}

/// The grouping task: one group per free slot until every sender is gone.
async fn run(store: Arc<Neo4jStore>, mut queue: mpsc::Receiver<(Call, Answer)>, groups: Arc<AtomicU64>) {
    let slots = Arc::new(Semaphore::new(GROUPS_IN_FLIGHT));
    loop {
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else { return };
        let Some(first) = queue.recv().await else { return };
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(call) => group.push(call),
                Err(_) => break,
            }
        }
        let (store, groups) = (Arc::clone(&store), Arc::clone(&groups));
        tokio::spawn(async move {
            run_group(&store, &groups, group).await;
            drop(slot);
        });
    }
}

async fn run_group(store: &Neo4jStore, groups: &AtomicU64, group: Vec<(Call, Answer)>) {
    // A caller that gave up while queued (timed out, or its request went away) consumes nothing.
    let (calls, answers): (Vec<Call>, Vec<Answer>) =
        group.into_iter().filter(|(_, answer)| !answer.is_closed()).unzip();
    if calls.is_empty() {
        return;
    }
    groups.fetch_add(1, Ordering::Relaxed);
    // Whether the last attempt's statements all succeeded (so a failure was the commit's).
    let reached_commit = AtomicBool::new(false);
    let outcome = in_tx!(store, |tx| {
        reached_commit.store(false, Ordering::Relaxed);
        let consumed = link_access_group::consume(&mut tx, &calls).await;
        reached_commit.store(consumed.is_ok(), Ordering::Relaxed);
        consumed
    });
    match outcome {
        Ok(results) => {
            for (answer, result) in answers.into_iter().zip(results) {
                let _ = answer.send(Ok(result));
            }
        }
        Err(e) if reached_commit.load(Ordering::Relaxed) => {
            for answer in answers {
                let _ = answer.send(Err(e.clone()));
            }
        }
        Err(e) => {
            if calls.len() > 1 {
                tracing::warn!(error = %e, calls = calls.len(), "a group of share-link accesses failed; running each alone");
            }
            let alone = calls.iter().map(|c| store.consume_link_access_alone(&c.token_hash, c.now, &c.event));
            let results = futures_util::future::join_all(alone).await;
            for (answer, result) in answers.into_iter().zip(results) {
                let _ = answer.send(result);
            }
        }
    }
}
