//! Consistent copies of a live database, for `honestly backup` and `honestly restore`.
//!
//! [`snapshot_into`] runs `VACUUM INTO` on a read-only connection of its own: one read
//! transaction in WAL mode, so the copy is the database as of one commit while the server's
//! writer (in this process or another) keeps committing; it never takes the write lock. The
//! copy holds only live pages (free pages, where deleted ciphertexts were, are left out).
//! [`inspect`] checks a copy (`PRAGMA integrity_check`) and reads what a restore needs to know
//! about it.

use std::path::Path;

use anyhow::{bail, Context};
use rusqlite::{Connection, OpenFlags};

/// How long the snapshot connection retries a busy database (a checkpoint restarting the log
/// holds it for milliseconds).
const BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(5);
/// The most lines of a failed integrity check that are reported.
const REPORTED_PROBLEMS: usize = 5;

/// What a database copy holds, as far as a restore cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotFacts {
    /// The schema migrations applied to it, ascending.
    pub schema_versions: Vec<i64>,
    /// The master-key versions its sealed rows (documents, agents' secrets) were encrypted
    /// under, ascending: the keys `VAULT_MASTER_KEY` must hold to read them.
    pub key_versions: Vec<String>,
}

/// Writes a consistent copy of the database at `database` into `out`, which must not exist or
/// be an empty file (create it first to choose its mode). Blocking.
pub fn snapshot_into(database: &Path, out: &Path) -> anyhow::Result<()> {
    if !database.is_file() {
        bail!("there is no database at {}", database.display());
    }
    let conn = Connection::open_with_flags(
        database,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("opening {}", database.display()))?;
    conn.busy_timeout(BUSY_WAIT)?;
    let target = out.to_str().with_context(|| format!("{} is not a UTF-8 path", out.display()))?;
    conn.execute("VACUUM INTO ?1", [target])
        .with_context(|| format!("copying {} into {}", database.display(), out.display()))?;
    // SQLite does not sync the copy; a backup that is reported done must be on disk.
    std::fs::File::open(out)?.sync_all()?;
    Ok(())
}

/// Checks the database copy at `path` (`PRAGMA integrity_check`) and reads its facts; an error
/// names what is wrong. Opens the file read-only and changes nothing. Blocking.
pub fn inspect(path: &Path) -> anyhow::Result<SnapshotFacts> {
    let conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .with_context(|| format!("opening {}", path.display()))?;
    let problems: Vec<String> = {
        let mut stmt = conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.take(REPORTED_PROBLEMS).collect::<Result<_, _>>()?
    };
    if problems != ["ok"] {
        bail!("the database fails its integrity check: {}", problems.join("; "));
    }
    let schema_versions = strings_or_numbers(&conn, "SELECT version FROM schema_migrations ORDER BY version")
        .context("the database has no schema versions (not a Honestly database)")?
        .into_iter()
        .map(|v| v.parse::<i64>())
        .collect::<Result<Vec<_>, _>>()?;
    let key_versions = strings_or_numbers(
        &conn,
        "SELECT key_version FROM documents UNION SELECT key_version FROM agents ORDER BY 1",
    )
    .context("reading the master-key versions")?;
    Ok(SnapshotFacts { schema_versions, key_versions })
}

/// Every schema version this build knows how to migrate to, ascending.
pub fn known_schema_versions() -> Vec<i64> {
    super::migrations::versions()
}

/// The first column of every row `sql` selects, as text.
fn strings_or_numbers(conn: &Connection, sql: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], |r| {
        Ok(match r.get::<_, rusqlite::types::Value>(0)? {
            rusqlite::types::Value::Integer(n) => n.to_string(),
            rusqlite::types::Value::Text(t) => t,
            other => format!("{other:?}"),
        })
    })?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::sqlite::SqliteStore;

    /// A copy taken while the store is open holds every committed row, passes its check and
    /// names the key versions in use; a copy with a damaged page is refused.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_snapshot_of_an_open_store_is_complete_and_a_damaged_one_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("live.db");
        let store = Arc::new(SqliteStore::open(&path).await.expect("open"));
        store
            .write(|c| {
                c.execute_batch(
                    "INSERT INTO users (id, username, username_canonical, password_hash, role, created_at)
                     VALUES ('u1', 'a', 'a', 'h', 'user', '2026-01-01T00:00:00Z');
                     INSERT INTO agents (id, user_id, name, key_version, nonce, secret_ciphertext, created_at)
                     VALUES ('agt_1', 'u1', 'n', 'k2', x'00', x'00', '2026-01-01T00:00:00Z'),
                            ('agt_2', 'u1', 'n', 'k1', x'00', x'00', '2026-01-01T00:00:00Z');
                     CREATE TABLE filler (x BLOB);",
                )?;
                for _ in 0..200 {
                    c.execute("INSERT INTO filler (x) VALUES (?1)", [vec![9u8; 2000]])?;
                }
                Ok(())
            })
            .await
            .expect("rows");
        let out = dir.path().join("copy.db");
        snapshot_into(&path, &out).expect("snapshot");
        let facts = inspect(&out).expect("the copy is sound");
        assert_eq!(facts.schema_versions, known_schema_versions());
        assert_eq!(facts.key_versions, ["k1", "k2"]);
        let copy = Connection::open(&out).expect("open copy");
        let users: i64 = copy.query_row("SELECT count(*) FROM users", [], |r| r.get(0)).expect("count");
        let filler: i64 = copy.query_row("SELECT count(*) FROM filler", [], |r| r.get(0)).expect("count");
        assert_eq!((users, filler), (1, 200));
        drop(copy);

        // The target is never overwritten.
        assert!(snapshot_into(&path, &out).is_err());

        let mut bytes = std::fs::read(&out).expect("read copy");
        let page = 4096;
        let last = bytes.len() / page - 1;
        for b in &mut bytes[last * page..last * page + 64] {
            *b = 0xA5;
        }
        let damaged = dir.path().join("damaged.db");
        std::fs::write(&damaged, &bytes).expect("write");
        let refused = inspect(&damaged).expect_err("a damaged copy is refused");
        assert!(format!("{refused:#}").contains("integrity") || format!("{refused:#}").contains("malformed"));
    }
}
