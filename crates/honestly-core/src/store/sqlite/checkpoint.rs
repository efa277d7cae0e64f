//! WAL checkpoints off the write path.
//!
//! By default SQLite checkpoints inside whichever commit pushes the write-ahead log past its
//! threshold, so one write in a few hundred waits for pages to be copied back and the database
//! file to be synced. The writer connection turns that off, and this thread, on a connection
//! of its own, checkpoints in `PASSIVE` mode a few times a second instead, which never blocks
//! the writer or the readers. Under steady load some reader always holds a snapshot that still
//! needs the log, so the log would never be rewound and would grow without bound; once it is
//! past [`LARGE_LOG`] a `RESTART` checkpoint also waits for those readers (each reads one short
//! query) and lets the next write start the log over. It holds writes back only while it copies
//! the few frames written since the passive pass just before it.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use rusqlite::Connection;

/// How often the log is checkpointed.
const INTERVAL: Duration = Duration::from_millis(200);
/// The log size from which checkpoints make sure the log starts over.
const LARGE_LOG: u64 = 32 * 1024 * 1024;

/// Keeps the checkpoint thread alive; dropping it stops the thread.
pub(super) struct Checkpointer {
    _stop: mpsc::Sender<()>,
}

impl Checkpointer {
    /// Starts checkpointing the database at `path` (opened with its own connection).
    pub(super) fn spawn(path: &Path) -> anyhow::Result<Self> {
        let mut conn = Connection::open(path)?;
        conn.busy_handler(Some(super::busy_retry))?;
        let (stop, stopped) = mpsc::channel::<()>();
        let path: PathBuf = path.to_path_buf();
        let mut log = path.clone().into_os_string();
        log.push("-wal");
        let log = PathBuf::from(log);
        std::thread::Builder::new().name("honestly-sqlite-checkpoint".into()).spawn(move || loop {
            match stopped.recv_timeout(INTERVAL) {
                Err(RecvTimeoutError::Timeout) => {
                    let mut result = checkpoint(&conn, "PASSIVE");
                    if result.is_ok() && std::fs::metadata(&log).is_ok_and(|m| m.len() > LARGE_LOG) {
                        result = checkpoint(&conn, "RESTART");
                    }
                    if let Err(e) = result {
                        tracing::warn!(database = %path.display(), error = %e, "WAL checkpoint failed");
                    }
                }
                Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
            }
        })?;
        Ok(Self { _stop: stop })
    }
}

/// Runs one checkpoint in `mode`; readers still busy after the busy timeout are not an error
/// (the next pass tries again).
fn checkpoint(conn: &Connection, mode: &str) -> rusqlite::Result<()> {
    conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |_| Ok(()))
}
