//! The embedded default backend: SQLite in WAL mode, one writer connection (on its own thread,
//! committing queued writes in groups) and a few readers on the blocking pool, so the async
//! runtime never waits on disk.

mod agents;
mod audit;
mod checkpoint;
mod columns;
mod credential_requests;
mod credentials;
mod documents;
mod erasure;
mod holder_secrets;
mod issuers;
mod links;
mod migrations;
mod nullifiers;
mod ownership;
mod proof_requests;
mod proofs;
mod replay;
mod sessions;
pub mod snapshot;
mod timeline;
mod users;
mod webhooks;
mod writer;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use parking_lot::Mutex;
use rusqlite::{params, Connection, OpenFlags};

use honestly_core::crypto::vault::Sealed;
use honestly_core::private_fs;

use honestly_core::store::{Store, StoreError};

const READERS: usize = 4;

/// The SQLite store.
pub struct SqliteStore {
    path: std::path::PathBuf,
    writer: writer::Writer,
    _checkpointer: checkpoint::Checkpointer,
    readers: Arc<Vec<Mutex<Connection>>>,
    next_reader: AtomicUsize,
}

/// What SQLite's answer means to the store's callers; the error itself is kept as the cause.
fn classify(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(err, _) if err.code == rusqlite::ErrorCode::ConstraintViolation => {
            StoreError::conflict(e)
        }
        rusqlite::Error::SqliteFailure(err, _)
            if matches!(
                err.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) =>
        {
            StoreError::unavailable(e)
        }
        _ => StoreError::internal(e),
    }
}

/// How work run on a connection fails: a SQLite error (classified by [`classify`]) or a
/// refusal of the store's own. `?` turns either into this; [`SqliteStore::read`] and
/// [`SqliteStore::write`] hand callers the [`StoreError`] inside.
#[derive(Debug, Clone)]
pub struct Failure(StoreError);

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        Failure(classify(e))
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure(e)
    }
}

impl From<Failure> for StoreError {
    fn from(f: Failure) -> Self {
        f.0
    }
}

/// The result of work run on a connection.
pub type SqlResult<T> = Result<T, Failure>;

/// How long a busy database is retried before the caller hears `Unavailable`.
const BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(5);
/// The pause between two tries on a busy database.
const BUSY_RETRY: std::time::Duration = std::time::Duration::from_micros(100);

/// Retries a busy database every [`BUSY_RETRY`] for about [`BUSY_WAIT`] (counted in tries, so
/// a little longer on a loaded machine). SQLite's own busy timeout sleeps 1, 2, 5, 10… ms
/// between tries, which turns a lock held for half a millisecond (a checkpoint, another
/// process's commit) into a wait of several.
fn busy_retry(attempt: i32) -> bool {
    retry_within(attempt, BUSY_WAIT)
}

/// A busy handler's answer for try number `attempt`: after a pause of [`BUSY_RETRY`], `true`
/// (try again) while the tries so far fit within `limit`.
fn retry_within(attempt: i32, limit: std::time::Duration) -> bool {
    let max_attempts = limit.as_micros() / BUSY_RETRY.as_micros();
    if u128::try_from(attempt).unwrap_or(u128::MAX) >= max_attempts {
        return false;
    }
    std::thread::sleep(BUSY_RETRY);
    true
}

fn configure(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.busy_handler(Some(busy_retry))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // FULL: a commit is on disk before the caller hears about it.
    conn.pragma_update(None, "synchronous", "FULL")?;
    // Deleted documents leave no ciphertext behind in free pages.
    conn.pragma_update(None, "secure_delete", "ON")?;
    Ok(())
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and runs pending migrations.
    pub async fn open(path: &Path) -> anyhow::Result<Self> {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || Self::open_blocking(&path)).await?
    }

    fn open_blocking(path: &Path) -> anyhow::Result<Self> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            private_fs::create_dir(parent)?;
        }
        // The database holds password hashes and the vault: the owner's only. SQLite creates
        // `-wal` and `-shm` with the database file's mode, so the file is made 0600 before
        // SQLite opens it; files left looser by older versions are narrowed.
        private_fs::touch(path)?;
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut side = path.as_os_str().to_owned();
            side.push(suffix);
            private_fs::restrict_if_present(Path::new(&side))?;
        }
        let mut writer = Connection::open(path)?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        configure(&mut writer)?;
        // Checkpoints run on their own thread (see `checkpoint`), not inside a commit; the log
        // file is cut back to this size when it is rewound.
        writer.pragma_update(None, "wal_autocheckpoint", 0)?;
        writer.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
        migrations::run(&mut writer)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let mut conn = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            configure(&mut conn)?;
            readers.push(Mutex::new(conn));
        }
        Ok(Self {
            path: path.to_path_buf(),
            writer: writer::Writer::spawn(writer)?,
            _checkpointer: checkpoint::Checkpointer::spawn(path)?,
            readers: Arc::new(readers),
            next_reader: AtomicUsize::new(0),
        })
    }

    /// Runs `f` on a reader connection, off the async runtime.
    pub async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&Connection) -> SqlResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let readers = Arc::clone(&self.readers);
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        tokio::task::spawn_blocking(move || {
            for i in 0..readers.len() {
                if let Some(conn) = readers[(start + i) % readers.len()].try_lock() {
                    return f(&conn).map_err(StoreError::from);
                }
            }
            let conn = readers[start % readers.len()].lock();
            f(&conn).map_err(StoreError::from)
        })
        .await
        .map_err(StoreError::internal)?
    }

    /// Replaces the sealed blob (`key_version`, `nonce` and `blob_column`) of row `id` in
    /// `table` if it is still under `expected_version` (compare and swap, for key rotation).
    async fn swap_sealed(
        &self,
        table: &'static str,
        blob_column: &'static str,
        id: &str,
        expected_version: &str,
        sealed: &Sealed,
    ) -> Result<bool, StoreError> {
        let (id, expected, sealed) = (id.to_string(), expected_version.to_string(), sealed.clone());
        self.write(move |tx| {
            let changed = tx.execute(
                &format!(
                    "UPDATE {table} SET key_version = ?1, nonce = ?2, {blob_column} = ?3
                     WHERE id = ?4 AND key_version = ?5"
                ),
                params![sealed.key_version, sealed.nonce, sealed.ciphertext, id, expected],
            )?;
            Ok(changed == 1)
        })
        .await
    }

    /// The first column of every row `sql` selects, as text.
    async fn read_strings(&self, sql: &'static str) -> Result<Vec<String>, StoreError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare(sql)?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<Result<Vec<String>, _>>()?)
        })
        .await
    }

    /// How many write transactions have run so far; each carries one or more writes.
    pub fn write_transactions(&self) -> u64 {
        self.writer.groups()
    }

    /// Runs `f` inside an immediate transaction on the writer connection, off the runtime
    /// (grouped with other waiting writes, see [`writer`]). Its changes are kept, and durable,
    /// only when `f` returns `Ok` and that is what the caller gets.
    pub async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&Connection) -> SqlResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.writer.write(move |conn| f(conn).map_err(StoreError::from)).await
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.read(|conn| {
            let one: i64 = conn.query_row("SELECT 1", [], |row| row.get(0))?;
            if one == 1 {
                Ok(())
            } else {
                Err(StoreError::internal("unexpected answer to SELECT 1").into())
            }
        })
        .await
    }
}
