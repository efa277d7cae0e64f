//! WAL checkpoints off the write path.
//!
//! By default SQLite checkpoints inside whichever commit pushes the write-ahead log past its
//! threshold, so one write in a few hundred waits for pages to be copied back and the database
//! file to be synced. The writer connection turns that off, and this thread, on a connection
//! of its own, checkpoints in `PASSIVE` mode every [`INTERVAL`] instead, which never blocks
//! the writer or the readers; small, frequent checkpoints keep each one's write-back (and the
//! disk time it takes from the writer's commits) short.
//!
//! Under steady load some reader always holds a snapshot that still needs the log, so the log
//! would never be rewound and would grow without bound. Once it is past [`LARGE_LOG`], a
//! `RESTART` checkpoint also waits for those readers (each reads one short query) and lets the
//! next write start the log over. It holds writes back only while it copies the few frames
//! written since the passive pass just before it.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use rusqlite::Connection;

/// How often the log is checkpointed (50 ms and 200 ms gave a longer tail to commits under
/// load; a pass over a log with nothing new costs microseconds).
const INTERVAL: Duration = Duration::from_millis(20);
/// The log size from which checkpoints make sure the log starts over.
const LARGE_LOG: u64 = 32 * 1024 * 1024;
/// The longest a checkpoint waits for a lock or for readers.
const MAX_HOLD: Duration = Duration::from_millis(20);

/// Keeps the checkpoint thread alive; dropping it stops the thread.
pub(super) struct Checkpointer {
    _stop: mpsc::Sender<()>,
}

impl Checkpointer {
    /// Starts checkpointing the database at `path` (opened with its own connection).
    pub(super) fn spawn(path: &Path) -> anyhow::Result<Self> {
        let mut conn = Connection::open(path)?;
        conn.busy_handler(Some(short_busy_retry))?;
        let (stop, stopped) = mpsc::channel::<()>();
        let path: PathBuf = path.to_path_buf();
        let mut log = path.clone().into_os_string();
        log.push("-wal");
        let log = PathBuf::from(log);
        std::thread::Builder::new().name("honestly-sqlite-checkpoint".into()).spawn(move || {
            while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(INTERVAL) {
                let mut result = checkpoint(&conn, "PASSIVE");
                if result.is_ok() && std::fs::metadata(&log).is_ok_and(|m| m.len() > LARGE_LOG) {
                    result = checkpoint(&conn, "RESTART");
                }
                if let Err(e) = result {
                    tracing::warn!(database = %path.display(), error = %e, "WAL checkpoint failed");
                }
            }
        })?;
        Ok(Self { _stop: stop })
    }
}

/// The checkpoint connection's busy handler: a restart checkpoint holds the write lock while
/// it waits for readers, so it gives up after [`MAX_HOLD`] (and tries again on its next pass)
/// rather than hold writes back behind a long read.
fn short_busy_retry(attempt: i32) -> bool {
    super::retry_within(attempt, MAX_HOLD)
}

/// Runs one checkpoint in `mode`; readers still busy after the busy timeout are not an error
/// (the next pass tries again).
fn checkpoint(conn: &Connection, mode: &str) -> rusqlite::Result<()> {
    conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |_| Ok(()))
}

/// How many times [`truncate_log`] tries before giving up.
const TRUNCATE_TRIES: u32 = 200;

/// Copies the whole log back into the database and cuts the log file to zero bytes, on a
/// connection of its own (after an erasure: the log still holds the erased rows as they
/// were). Waits for readers and the writer through the busy handler, a few seconds at most;
/// false when some reader kept the log busy all that time.
pub(super) fn truncate_log(path: &Path) -> rusqlite::Result<bool> {
    let mut conn = Connection::open(path)?;
    conn.busy_handler(Some(super::busy_retry))?;
    for _ in 0..TRUNCATE_TRIES {
        let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        if busy == 0 {
            return Ok(true);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Ok(false)
}

/// How long [`truncate_log_until_done`] keeps trying in the background.
const TRUNCATE_PATIENCE: Duration = Duration::from_secs(300);

/// [`truncate_log`]; when readers keep the log busy, or it fails, a warning is logged and a
/// background thread tries again every 100 ms for up to [`TRUNCATE_PATIENCE`], so the log
/// is emptied as soon as it can be without holding the caller back.
pub(super) fn truncate_log_until_done(path: &Path) {
    match truncate_log(path) {
        Ok(true) => return,
        Ok(false) => {
            tracing::warn!(database = %path.display(), "WAL busy after an erasure: emptying it in the background")
        }
        Err(e) => {
            tracing::warn!(database = %path.display(), error = %e, "WAL not emptied after an erasure: retrying in the background")
        }
    }
    let path = path.to_path_buf();
    let spawned = std::thread::Builder::new().name("honestly-sqlite-truncate".into()).spawn(move || {
        let started = std::time::Instant::now();
        while started.elapsed() < TRUNCATE_PATIENCE {
            std::thread::sleep(Duration::from_millis(100));
            if matches!(truncate_log(&path), Ok(true)) {
                tracing::info!(database = %path.display(), "WAL emptied after an erasure");
                return;
            }
        }
        tracing::error!(database = %path.display(), "WAL still not emptied after an erasure: run `PRAGMA wal_checkpoint(TRUNCATE)`");
    });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the thread that empties the WAL after an erasure");
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    use super::LARGE_LOG;
    use crate::sqlite::SqliteStore;

    /// With the writer's own checkpoints off, this thread alone keeps the log near its bound
    /// while three times that much is written, with a reader always busy beside the writes.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_log_stays_bounded_under_steady_reads_and_writes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("c.db");
        let store = Arc::new(SqliteStore::open(&path).await.expect("open"));
        store
            .write(|c| Ok(c.execute_batch("CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB)")?))
            .await
            .expect("table");
        let done = Arc::new(AtomicBool::new(false));
        let reader = {
            let (store, done) = (Arc::clone(&store), Arc::clone(&done));
            tokio::spawn(async move {
                let mut reads = 0u64;
                while !done.load(Ordering::Relaxed) {
                    store
                        .read(|c| Ok(c.query_row("SELECT count(*) FROM blobs", [], |r| r.get::<_, i64>(0))?))
                        .await
                        .expect("read");
                    reads += 1;
                }
                reads
            })
        };
        let blob = vec![7u8; 64 * 1024];
        let rounds = 3 * LARGE_LOG as usize / blob.len();
        let mut largest = 0;
        let mut log = path.clone().into_os_string();
        log.push("-wal");
        for _ in 0..rounds {
            let blob = blob.clone();
            store
                .write(move |c| Ok(c.execute("INSERT INTO blobs (data) VALUES (?1)", [blob])?))
                .await
                .expect("write");
            largest = largest.max(std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0));
        }
        done.store(true, Ordering::Relaxed);
        assert!(reader.await.expect("reader") > 0);
        assert!(
            largest < 2 * LARGE_LOG,
            "the log reached {largest} bytes while {} were written",
            rounds * blob.len()
        );
    }
}
