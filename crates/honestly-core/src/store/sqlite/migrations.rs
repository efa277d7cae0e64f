//! Schema migrations, applied in order at start inside one transaction each. A migration
//! never changes once released: add a new one instead.

use rusqlite::Connection;

/// `(version, SQL)` in ascending order.
const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        "CREATE TABLE server_meta (
             key TEXT PRIMARY KEY,
             value TEXT NOT NULL
         );",
    ),
    (
        2,
        "CREATE TABLE users (
             id TEXT PRIMARY KEY,
             username TEXT NOT NULL,
             username_canonical TEXT NOT NULL UNIQUE,
             password_hash TEXT NOT NULL,
             role TEXT NOT NULL CHECK (role IN ('admin', 'verifier', 'user')),
             created_at TEXT NOT NULL,
             disabled INTEGER NOT NULL DEFAULT 0
         );
         CREATE TABLE sessions (
             id TEXT PRIMARY KEY,
             user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
             created_at INTEGER NOT NULL,
             revoked_at INTEGER
         );
         CREATE INDEX sessions_user ON sessions(user_id);
         CREATE TABLE refresh_tokens (
             token_hash TEXT PRIMARY KEY,
             session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
             expires_at INTEGER NOT NULL,
             used_at INTEGER
         );
         CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id);
         CREATE TABLE revoked_access_tokens (
             jti TEXT PRIMARY KEY,
             expires_at INTEGER NOT NULL
         );
         CREATE TABLE login_failures (
             key TEXT NOT NULL,
             at INTEGER NOT NULL
         );
         CREATE INDEX login_failures_key_at ON login_failures(key, at);",
    ),
];

/// Applies every migration newer than the database's version.
pub(super) fn run(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY,
             applied_at TEXT NOT NULL
         );",
    )?;
    let current: i64 =
        conn.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| r.get(0))?;
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
            rusqlite::params![version, crate::clock::now_rfc3339()],
        )?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_idempotent() {
        let mut conn = Connection::open_in_memory().unwrap();
        run(&mut conn).unwrap();
        run(&mut conn).unwrap();
        let count: i64 = conn.query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get(0)).unwrap();
        assert_eq!(count, MIGRATIONS.len() as i64);
    }
}
