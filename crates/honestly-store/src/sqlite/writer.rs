//! Group commit on the one writer connection.
//!
//! Writes queue up for a dedicated writer thread. The thread takes everything waiting (at most
//! [`MAX_GROUP`] writes), runs it in one immediate transaction, each write inside its own
//! savepoint, and commits once — one `fsync` for the whole group — before any caller hears
//! back. A write that fails (or panics) is rolled back to its savepoint and leaves the others
//! untouched, so each caller sees exactly what it would have seen alone: its changes are
//! durable when it gets `Ok`, and absent when it gets `Err`. Under load this turns many small
//! synchronous commits (one access counted, one audit batch, one nullifier) into a few.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use honestly_core::store::StoreError;

/// The most writes one transaction carries.
const MAX_GROUP: usize = 64;
/// How many writes may wait for the writer before callers wait to enqueue.
const QUEUE: usize = 1024;

/// Hands a write's result to its caller once the group's commit is known.
type Deliver = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
/// A queued write: run on `Some(connection)` inside its savepoint (answering whether it
/// succeeded), or given `None` when its group could not start.
type Job = Box<dyn FnOnce(Option<&Connection>) -> (bool, Deliver) + Send>;

/// The sending side of the writer thread; dropping it lets the thread finish and close the
/// connection.
pub(super) struct Writer {
    jobs: mpsc::Sender<Job>,
    groups: Arc<AtomicU64>,
}

fn unavailable(reason: &'static str) -> StoreError {
    StoreError::unavailable(reason)
}

impl Writer {
    /// Starts the writer thread owning `conn`.
    pub(super) fn spawn(conn: Connection) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel(QUEUE);
        let groups = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&groups);
        std::thread::Builder::new()
            .name("honestly-sqlite-writer".into())
            .spawn(move || run(conn, queue, &counted))?;
        Ok(Self { jobs, groups })
    }

    /// How many transactions the writer has run so far.
    pub(super) fn groups(&self) -> u64 {
        self.groups.load(Ordering::Relaxed)
    }

    /// Runs `f` in the next group's transaction; `Ok` only once that transaction committed.
    pub(super) async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let result = match conn {
                Some(conn) => f(conn),
                None => Err(unavailable("the write transaction could not start")),
            };
            let ok = result.is_ok();
            let deliver: Deliver = Box::new(move |committed| {
                let _ = answer.send(committed.and(result));
            });
            (ok, deliver)
        });
        self.jobs.send(job).await.map_err(|_| unavailable("the writer has stopped"))?;
        answered.await.map_err(|_| StoreError::internal("a write was abandoned"))?
    }
}

/// The writer thread: one group per turn until every sender is gone.
fn run(mut conn: Connection, mut queue: mpsc::Receiver<Job>, groups: &AtomicU64) {
    while let Some(first) = queue.blocking_recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        run_group(&mut conn, group);
        groups.fetch_add(1, Ordering::Relaxed);
    }
}

/// Runs one savepoint step; `false` when SQLite refused it.
fn step(conn: &Connection, sql: &str) -> bool {
    conn.execute_batch(sql).is_ok()
}

fn run_group(conn: &mut Connection, group: Vec<Job>) {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        let e = super::classify(e);
        for job in group {
            let (_, deliver) = job(None);
            deliver(Err(e.clone()));
        }
        return;
    }
    let mut delivers = Vec::with_capacity(group.len());
    let mut broken = false;
    for job in group {
        if broken || !step(conn, "SAVEPOINT honestly_write") {
            broken = true;
            delivers.push(job(None).1);
            continue;
        }
        match catch_unwind(AssertUnwindSafe(|| job(Some(conn)))) {
            Ok((true, deliver)) => {
                broken = !step(conn, "RELEASE honestly_write");
                delivers.push(deliver);
            }
            Ok((false, deliver)) => {
                broken = !step(conn, "ROLLBACK TO honestly_write; RELEASE honestly_write");
                delivers.push(deliver);
            }
            // A panicking write dropped its answer (its caller gets an error); undo its part.
            Err(_) => broken = !step(conn, "ROLLBACK TO honestly_write; RELEASE honestly_write"),
        }
    }
    let committed = if broken {
        Err(StoreError::internal("a write's savepoint failed; the group was rolled back"))
    } else {
        conn.execute_batch("COMMIT").map_err(super::classify)
    };
    if committed.is_err() {
        // Nothing of the group is kept; a failed COMMIT may leave the transaction open.
        let _ = conn.execute_batch("ROLLBACK");
    }
    for deliver in delivers {
        deliver(committed.clone());
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::sqlite::SqliteStore;

    async fn store_with_table() -> (tempfile::TempDir, Arc<SqliteStore>) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(SqliteStore::open(&dir.path().join("w.db")).await.expect("open"));
        store.write(|c| Ok(c.execute_batch("CREATE TABLE t (x INTEGER PRIMARY KEY)")?)).await.expect("table");
        (dir, store)
    }

    async fn rows(store: &SqliteStore) -> Vec<i64> {
        store
            .read(|c| {
                let mut stmt = c.prepare("SELECT x FROM t ORDER BY x")?;
                let rows = stmt.query_map([], |r| r.get(0))?;
                Ok(rows.collect::<Result<Vec<i64>, _>>()?)
            })
            .await
            .expect("read")
    }

    /// Writes queued behind a slow one share its successor's transaction; within it, a write
    /// that fails after changing rows and one that panics leave nothing behind, and every
    /// other write is committed and answered `Ok`.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn grouped_writes_fail_and_commit_independently() {
        let (_dir, store) = store_with_table().await;
        let before = store.write_transactions();
        let slow = {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                store
                    .write(|c| {
                        std::thread::sleep(Duration::from_millis(300));
                        Ok(c.execute("INSERT INTO t (x) VALUES (0)", [])?)
                    })
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut queued = Vec::new();
        for i in 1..=40i64 {
            let store = Arc::clone(&store);
            queued.push(tokio::spawn(async move {
                store
                    .write(move |c| {
                        c.execute("INSERT INTO t (x) VALUES (?1)", [i])?;
                        if i % 10 == 3 {
                            return Err(StoreError::conflict(format!("refused {i}")).into());
                        }
                        if i == 25 {
                            panic!("a write that panics");
                        }
                        Ok(i)
                    })
                    .await
            }));
        }
        assert!(slow.await.expect("join").is_ok());
        let mut expected = vec![0];
        for (i, handle) in (1..=40i64).zip(queued) {
            match handle.await.expect("join") {
                Ok(v) => {
                    assert_eq!(v, i);
                    expected.push(i);
                }
                Err(StoreError::Conflict(m)) => {
                    assert_eq!((i % 10, m.to_string()), (3, format!("refused {i}")))
                }
                Err(e) => assert_eq!(i, 25, "unexpected error for write {i}: {e}"),
            }
        }
        assert_eq!(rows(&store).await, expected);
        assert_eq!(expected.len(), 36);
        let groups = store.write_transactions() - before;
        assert!(groups < 10, "41 writes took {groups} transactions");
    }

    /// When the group's transaction cannot start (another connection holds the write lock
    /// past the busy timeout), each queued write is refused as unavailable and changes nothing.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_group_that_cannot_start_refuses_every_write() {
        let (dir, store) = store_with_table().await;
        store.write(|c| Ok(c.busy_timeout(Duration::from_millis(50))?)).await.expect("short timeout");
        let other = Connection::open(dir.path().join("w.db")).expect("second connection");
        other.execute_batch("BEGIN IMMEDIATE").expect("lock");
        let refused = store.write(|c| Ok(c.execute("INSERT INTO t (x) VALUES (1)", [])?)).await;
        assert!(matches!(refused, Err(StoreError::Unavailable(_))), "{refused:?}");
        other.execute_batch("ROLLBACK").expect("unlock");
        assert_eq!(rows(&store).await, Vec::<i64>::new());
        store.write(|c| Ok(c.execute("INSERT INTO t (x) VALUES (2)", [])?)).await.expect("write after");
        assert_eq!(rows(&store).await, vec![2]);
    }
}
