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
    (
        3,
        "CREATE TABLE documents (
             seq INTEGER PRIMARY KEY AUTOINCREMENT,
             id TEXT NOT NULL UNIQUE,
             user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
             document_type TEXT NOT NULL,
             file_name TEXT NOT NULL,
             mime_type TEXT NOT NULL,
             size_bytes INTEGER NOT NULL,
             sha256 TEXT NOT NULL,
             created_at TEXT NOT NULL,
             metadata TEXT NOT NULL,
             registry_index INTEGER NOT NULL,
             key_version TEXT NOT NULL,
             nonce BLOB NOT NULL,
             ciphertext BLOB NOT NULL
         );
         CREATE INDEX documents_user_seq ON documents(user_id, seq);
         CREATE INDEX documents_sha256 ON documents(sha256);
         CREATE INDEX documents_key_version ON documents(key_version);
         CREATE TABLE registry_leaves (
             idx INTEGER PRIMARY KEY,
             leaf TEXT NOT NULL,
             document_id TEXT NOT NULL
         );
         CREATE TABLE registry_roots (
             epoch INTEGER PRIMARY KEY,
             root TEXT NOT NULL,
             created_at TEXT NOT NULL
         );
         CREATE TABLE timeline_events (
             seq INTEGER PRIMARY KEY AUTOINCREMENT,
             id TEXT NOT NULL UNIQUE,
             user_id TEXT NOT NULL,
             kind TEXT NOT NULL,
             at TEXT NOT NULL,
             document_id TEXT,
             proof_id TEXT,
             link_id TEXT
         );
         CREATE INDEX timeline_user_seq ON timeline_events(user_id, seq);",
    ),
    (
        4,
        "CREATE TABLE proofs (
             seq INTEGER PRIMARY KEY AUTOINCREMENT,
             id TEXT NOT NULL UNIQUE,
             user_id TEXT NOT NULL,
             document_id TEXT NOT NULL,
             proof_type TEXT NOT NULL,
             proof TEXT NOT NULL,
             public_signals TEXT NOT NULL,
             nullifier TEXT NOT NULL,
             created_at TEXT NOT NULL
         );
         CREATE INDEX proofs_user_seq ON proofs(user_id, seq);",
    ),
    (
        5,
        "CREATE TABLE share_links (
             seq INTEGER PRIMARY KEY AUTOINCREMENT,
             id TEXT NOT NULL UNIQUE,
             user_id TEXT NOT NULL,
             document_id TEXT NOT NULL,
             proof_id TEXT,
             access_level TEXT NOT NULL,
             token_hash TEXT NOT NULL UNIQUE,
             expires_at INTEGER NOT NULL,
             max_accesses INTEGER,
             access_count INTEGER NOT NULL DEFAULT 0,
             passphrase_hash TEXT,
             created_at TEXT NOT NULL,
             revoked_at INTEGER
         );
         CREATE INDEX share_links_user_seq ON share_links(user_id, seq);
         CREATE INDEX share_links_document ON share_links(document_id);",
    ),
    (
        6,
        "CREATE TABLE audit_events (
             seq INTEGER PRIMARY KEY,
             id TEXT NOT NULL UNIQUE,
             at TEXT NOT NULL,
             actor TEXT NOT NULL,
             client_ip TEXT,
             action TEXT NOT NULL,
             target TEXT,
             outcome TEXT NOT NULL,
             reason TEXT,
             request_id TEXT,
             prev_hash TEXT NOT NULL,
             hash TEXT NOT NULL
         );",
    ),
    (
        7,
        "CREATE TABLE agents (
             seq INTEGER PRIMARY KEY AUTOINCREMENT,
             id TEXT NOT NULL UNIQUE,
             user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
             name TEXT NOT NULL,
             key_version TEXT NOT NULL,
             nonce BLOB NOT NULL,
             secret_ciphertext BLOB NOT NULL,
             created_at TEXT NOT NULL
         );
         CREATE INDEX agents_user_seq ON agents(user_id, seq);
         CREATE TABLE nullifiers (
             proof_type TEXT NOT NULL,
             nullifier TEXT NOT NULL,
             consumed_at TEXT NOT NULL,
             consumed_by TEXT NOT NULL,
             PRIMARY KEY (proof_type, nullifier)
         ) WITHOUT ROWID;",
    ),
    (
        8,
        // Deleting a document deletes its proofs and share links (found by document); those
        // left behind by deletions before this version go now.
        "CREATE INDEX proofs_document ON proofs(document_id);
         DELETE FROM proofs WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = proofs.document_id);
         DELETE FROM share_links
          WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = share_links.document_id);",
    ),
    (
        10,
        // The replay memory of signed agent requests: one row per accepted request until it
        // can no longer be fresh (digest: hex SHA-256 of the canonical envelope; expires_at:
        // Unix seconds).
        "CREATE TABLE signed_requests (
             digest TEXT PRIMARY KEY,
             expires_at INTEGER NOT NULL
         ) WITHOUT ROWID;
         CREATE INDEX signed_requests_expires ON signed_requests(expires_at);",
    ),
];

/// Every migration's version, ascending.
pub(super) fn versions() -> Vec<i64> {
    MIGRATIONS.iter().map(|(v, _)| *v).collect()
}

/// Applies every migration newer than the database's version.
pub(super) fn run(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY,
             applied_at TEXT NOT NULL
         );",
    )?;
    let applied: std::collections::BTreeSet<i64> = {
        let mut stmt = conn.prepare("SELECT version FROM schema_migrations")?;
        let versions = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        versions
    };
    // Every migration not yet applied, in order (not only those above the highest applied).
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| !applied.contains(v)) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
            rusqlite::params![version, honestly_core::clock::Timestamp::now().rfc3339()],
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

    #[test]
    fn proofs_and_links_of_documents_deleted_before_version_8_are_deleted() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);",
        )
        .unwrap();
        for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v < 8) {
            conn.execute_batch(sql).unwrap();
            conn.execute("INSERT INTO schema_migrations VALUES (?1, 'then')", [version]).unwrap();
        }
        conn.execute_batch(
            "INSERT INTO users VALUES ('usr_1', 'u', 'u', 'h', 'user', 'then', 0);
             INSERT INTO documents (id, user_id, document_type, file_name, mime_type, size_bytes, sha256,
                 created_at, metadata, registry_index, key_version, nonce, ciphertext)
               VALUES ('doc_kept', 'usr_1', 'other', 'f', 'm', 1, 's', 'then', '{}', 0, 'v', x'00', x'00');
             INSERT INTO proofs (id, user_id, document_id, proof_type, proof, public_signals, nullifier, created_at)
               VALUES ('prf_kept', 'usr_1', 'doc_kept', 'age_proof', '{}', '[]', 'n', 'then'),
                      ('prf_orphan', 'usr_1', 'doc_gone', 'age_proof', '{}', '[]', 'n', 'then');
             INSERT INTO share_links (id, user_id, document_id, access_level, token_hash, expires_at, created_at)
               VALUES ('lnk_kept', 'usr_1', 'doc_kept', 'full', 't1', 1, 'then'),
                      ('lnk_orphan', 'usr_1', 'doc_gone', 'full', 't2', 1, 'then');",
        )
        .unwrap();
        run(&mut conn).unwrap();
        let ids = |sql: &str| -> Vec<String> {
            let mut stmt = conn.prepare(sql).unwrap();
            let rows = stmt.query_map([], |r| r.get(0)).unwrap();
            rows.collect::<Result<_, _>>().unwrap()
        };
        assert_eq!(ids("SELECT id FROM proofs"), ["prf_kept"]);
        assert_eq!(ids("SELECT id FROM share_links"), ["lnk_kept"]);
    }
}
