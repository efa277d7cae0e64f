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
    (
        11,
        // Issuance. The users table is rebuilt so that its role check admits `issuer` (SQLite
        // cannot change a CHECK in place): this migration runs with foreign keys off (see
        // `REBUILDS`), so the old table's rows move over without cascading deletes. Times are
        // Unix seconds; serials and public-key coordinates decimal text.
        "CREATE TABLE users_rebuilt (
             id TEXT PRIMARY KEY,
             username TEXT NOT NULL,
             username_canonical TEXT NOT NULL UNIQUE,
             password_hash TEXT NOT NULL,
             role TEXT NOT NULL CHECK (role IN ('admin', 'verifier', 'user', 'issuer')),
             created_at TEXT NOT NULL,
             disabled INTEGER NOT NULL DEFAULT 0
         );
         INSERT INTO users_rebuilt (id, username, username_canonical, password_hash, role, created_at, disabled)
           SELECT id, username, username_canonical, password_hash, role, created_at, disabled FROM users;
         DROP TABLE users;
         ALTER TABLE users_rebuilt RENAME TO users;
         CREATE TABLE issuers (
             seq INTEGER PRIMARY KEY AUTOINCREMENT,
             id TEXT NOT NULL UNIQUE,
             name TEXT NOT NULL UNIQUE,
             public_key_x TEXT NOT NULL,
             public_key_y TEXT NOT NULL,
             key_version TEXT NOT NULL,
             nonce BLOB NOT NULL,
             ciphertext BLOB NOT NULL,
             revocation_version INTEGER NOT NULL DEFAULT 0,
             created_at INTEGER NOT NULL
         );
         CREATE TABLE issuer_members (
             user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
             issuer_id TEXT NOT NULL REFERENCES issuers(id)
         ) WITHOUT ROWID;
         CREATE TABLE credential_requests (
             seq INTEGER PRIMARY KEY AUTOINCREMENT,
             id TEXT NOT NULL UNIQUE,
             holder TEXT NOT NULL,
             document_id TEXT NOT NULL,
             issuer_id TEXT NOT NULL REFERENCES issuers(id),
             key_version TEXT NOT NULL,
             nonce BLOB NOT NULL,
             ciphertext BLOB NOT NULL,
             status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
             reason TEXT,
             credential_id TEXT,
             decided_by TEXT,
             created_at INTEGER NOT NULL,
             decided_at INTEGER
         );
         CREATE INDEX credential_requests_holder ON credential_requests(holder, status);
         CREATE INDEX credential_requests_issuer ON credential_requests(issuer_id, status, created_at);
         CREATE INDEX credential_requests_issuer_created ON credential_requests(issuer_id, created_at);
         CREATE INDEX credential_requests_document ON credential_requests(document_id);
         CREATE TABLE issued_credentials (
             seq INTEGER PRIMARY KEY AUTOINCREMENT,
             id TEXT NOT NULL UNIQUE,
             issuer_id TEXT NOT NULL REFERENCES issuers(id),
             request_id TEXT NOT NULL,
             holder TEXT NOT NULL,
             serial TEXT NOT NULL,
             valid_until INTEGER NOT NULL,
             issued_at INTEGER NOT NULL,
             revoked_at INTEGER
         );
         CREATE INDEX issued_credentials_issuer ON issued_credentials(issuer_id, issued_at);
         CREATE INDEX issued_credentials_revoked ON issued_credentials(issuer_id, revoked_at);
         CREATE TABLE held_credentials (
             seq INTEGER PRIMARY KEY AUTOINCREMENT,
             id TEXT NOT NULL UNIQUE,
             holder TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
             document_id TEXT,
             issuer_id TEXT,
             issuer_key_x TEXT NOT NULL,
             issuer_key_y TEXT NOT NULL,
             serial TEXT NOT NULL,
             valid_until INTEGER NOT NULL,
             key_version TEXT NOT NULL,
             nonce BLOB NOT NULL,
             ciphertext BLOB NOT NULL,
             created_at INTEGER NOT NULL,
             UNIQUE (holder, issuer_key_x, issuer_key_y, serial)
         );
         CREATE INDEX held_credentials_document ON held_credentials(document_id);
         CREATE TABLE holder_secrets (
             user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
             key_version TEXT NOT NULL,
             nonce BLOB NOT NULL,
             ciphertext BLOB NOT NULL
         ) WITHOUT ROWID;",
    ),
    (
        12,
        // Proof requests: the verifier's question (`spec`) and the answer (`result`) as JSON;
        // times in Unix seconds. `proof_request_answers` holds one row per (verifier, scope,
        // holder nullifier) answered, so a holder answers a verifier's scope once.
        "CREATE TABLE proof_requests (
             seq INTEGER PRIMARY KEY AUTOINCREMENT,
             id TEXT NOT NULL UNIQUE,
             owner TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
             token_hash TEXT NOT NULL UNIQUE,
             spec TEXT NOT NULL,
             status TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'declined', 'expired')),
             created_at INTEGER NOT NULL,
             expires_at INTEGER NOT NULL,
             finished_at INTEGER,
             result TEXT
         );
         CREATE INDEX proof_requests_owner ON proof_requests(owner, seq);
         CREATE INDEX proof_requests_due ON proof_requests(status, expires_at);
         CREATE TABLE proof_request_answers (
             owner TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
             scope TEXT NOT NULL,
             nullifier TEXT NOT NULL,
             request_id TEXT NOT NULL,
             PRIMARY KEY (owner, scope, nullifier)
         ) WITHOUT ROWID;",
    ),
    (
        13,
        // The webhook outbox: each owner's signing secrets (the current one has no
        // `retired_until`), the events with their lease, and the attempt log. Scheduling
        // times are Unix milliseconds.
        "CREATE TABLE webhook_secrets (
             id TEXT PRIMARY KEY,
             owner TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
             key_version TEXT NOT NULL,
             nonce BLOB NOT NULL,
             ciphertext BLOB NOT NULL,
             created_at INTEGER NOT NULL,
             retired_until INTEGER
         );
         CREATE UNIQUE INDEX webhook_secrets_current ON webhook_secrets(owner) WHERE retired_until IS NULL;
         CREATE INDEX webhook_secrets_key_version ON webhook_secrets(key_version);
         CREATE TABLE webhook_events (
             id TEXT PRIMARY KEY,
             owner TEXT NOT NULL,
             subject TEXT NOT NULL,
             event_type TEXT NOT NULL,
             url TEXT NOT NULL,
             body BLOB NOT NULL,
             status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
             attempts INTEGER NOT NULL DEFAULT 0,
             created_at_ms INTEGER NOT NULL,
             next_attempt_ms INTEGER NOT NULL,
             first_attempt_ms INTEGER,
             finished_at_ms INTEGER,
             lease_owner TEXT,
             lease_until_ms INTEGER
         ) WITHOUT ROWID;
         CREATE INDEX webhook_events_due ON webhook_events(status, next_attempt_ms);
         CREATE INDEX webhook_events_subject ON webhook_events(owner, subject, created_at_ms);
         CREATE TABLE webhook_attempts (
             event_id TEXT NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
             attempt INTEGER NOT NULL,
             at_ms INTEGER NOT NULL,
             status_code INTEGER,
             error TEXT,
             duration_ms INTEGER NOT NULL,
             PRIMARY KEY (event_id, attempt)
         ) WITHOUT ROWID;",
    ),
    (
        14,
        // Timeline events may name a proof request (asked by a verifier, answered by a
        // holder).
        "ALTER TABLE timeline_events ADD COLUMN request_id TEXT;",
    ),
    (
        15,
        // A document's own history, newest first, with one index seek.
        "CREATE INDEX timeline_user_document_seq ON timeline_events(user_id, document_id, seq);",
    ),
    (
        16,
        // The issuer that signed a credential, found by its key when a proof is checked.
        "CREATE INDEX issuers_public_key ON issuers(public_key_x, public_key_y);",
    ),
];

/// Migrations that rebuild a table others refer to: they run with foreign keys off (dropping
/// the old table would otherwise cascade into the rows that refer to it), and their
/// transaction commits only when `PRAGMA foreign_key_check` finds nothing broken (SQLite's
/// documented procedure for schema changes `ALTER TABLE` cannot make).
const REBUILDS: &[i64] = &[11];

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
        if REBUILDS.contains(version) {
            rebuild(conn, *version, sql)?;
        } else {
            apply(conn, *version, sql, false)?;
        }
    }
    Ok(())
}

/// Runs one migration in its own transaction and records it; with `check_keys`, refuses to
/// commit when a foreign key is left dangling.
fn apply(conn: &mut Connection, version: i64, sql: &str, check_keys: bool) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    tx.execute_batch(sql)?;
    if check_keys {
        let dangling: i64 =
            tx.query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| r.get(0))?;
        if dangling > 0 {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
                Some(format!("migration {version} left {dangling} dangling foreign keys")),
            ));
        }
    }
    tx.execute(
        "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
        rusqlite::params![version, honestly_core::clock::Timestamp::now().rfc3339()],
    )?;
    tx.commit()
}

/// Runs a table-rebuilding migration with foreign keys off (they can only be switched outside
/// a transaction), restoring the connection's setting whatever happens.
fn rebuild(conn: &mut Connection, version: i64, sql: &str) -> rusqlite::Result<()> {
    let enforced: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let result = apply(conn, version, sql, true);
    if enforced {
        conn.pragma_update(None, "foreign_keys", "ON")?;
    }
    result
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
    #[test]
    fn version_11_rebuilds_users_keeping_every_row_and_what_refers_to_it() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        conn.execute_batch(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);",
        )
        .unwrap();
        for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v < 11) {
            conn.execute_batch(sql).unwrap();
            conn.execute("INSERT INTO schema_migrations VALUES (?1, 'then')", [version]).unwrap();
        }
        conn.execute_batch(
            "INSERT INTO users VALUES ('usr_1', 'u', 'u', 'h', 'verifier', 'then', 1);
             INSERT INTO sessions (id, user_id, created_at) VALUES ('ses_1', 'usr_1', 1);
             INSERT INTO documents (id, user_id, document_type, file_name, mime_type, size_bytes, sha256,
                 created_at, metadata, registry_index, key_version, nonce, ciphertext)
               VALUES ('doc_1', 'usr_1', 'other', 'f', 'm', 1, 's', 'then', '{}', 0, 'v', x'00', x'00');
             INSERT INTO agents (id, user_id, name, key_version, nonce, secret_ciphertext, created_at)
               VALUES ('agt_1', 'usr_1', 'a', 'v', x'00', x'00', 'then');",
        )
        .unwrap();
        assert!(conn.execute("UPDATE users SET role = 'issuer'", []).is_err(), "refused before");
        run(&mut conn).unwrap();

        let count = |table: &str| -> i64 {
            conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)).unwrap()
        };
        assert_eq!([count("users"), count("sessions"), count("documents"), count("agents")], [1, 1, 1, 1]);
        let user: (String, String, i64) = conn
            .query_row("SELECT username, role, disabled FROM users", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(user, ("u".to_string(), "verifier".to_string(), 1));
        let enforced: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert!(enforced, "foreign keys are on again");
        conn.execute("UPDATE users SET role = 'issuer'", []).unwrap();
        assert!(conn.execute("UPDATE users SET role = 'root'", []).is_err());
        // The rebuilt table is the one the others refer to: deleting the user cascades.
        conn.execute("DELETE FROM users", []).unwrap();
        assert_eq!([count("sessions"), count("documents"), count("agents")], [0, 0, 0]);
    }
}
