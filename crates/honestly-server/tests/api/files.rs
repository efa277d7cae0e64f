//! What the server keeps on disk is its owner's only: `DATA_DIR` 0700, every file in it 0600
//! (the database with its `-wal` and `-shm`, the secrets, the keys), and looser modes left by
//! an older version are narrowed at start.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::helpers::{shared_zk_keys, TestApp};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

/// Every entry below `dir`, with its mode.
fn modes_below(dir: &Path) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            out.push((path.display().to_string(), mode(&path)));
            if path.is_dir() {
                pending.push(path);
            }
        }
    }
    out
}

#[tokio::test]
async fn a_fresh_data_dir_and_every_file_in_it_are_the_owners_only() {
    let app = TestApp::spawn().await;
    // Writes make sure the write-ahead log and its index exist.
    app.register_and_login("olga").await;
    let dir = app.data_dir();
    assert_eq!(mode(dir), 0o700, "DATA_DIR");
    for file in ["honestly.db", "honestly.db-wal", "honestly.db-shm", "signing-key.json", "dev-secrets.json"]
    {
        assert_eq!(mode(&dir.join(file)), 0o600, "{file}");
    }
    for (path, m) in modes_below(dir) {
        assert_eq!(m & 0o077, 0, "{path} is open to others ({m:o})");
    }
    // The keys the test binary generated through the server's key service.
    for (path, m) in modes_below(shared_zk_keys()) {
        assert_eq!(m & 0o077, 0, "{path} is open to others ({m:o})");
    }
}

#[tokio::test]
async fn looser_modes_left_by_an_older_version_are_narrowed_at_start() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    {
        // A database as an older version left it: 0644, with a log beside it.
        let conn = rusqlite::Connection::open(dir.join("honestly.db")).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.execute_batch("CREATE TABLE leftover (x INTEGER); INSERT INTO leftover VALUES (1);").unwrap();
    }
    std::fs::write(dir.join("notes.txt"), b"kept by an operator").unwrap();
    for file in ["honestly.db", "notes.txt"] {
        std::fs::set_permissions(dir.join(file), std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let app = TestApp::spawn_env(&[("DATA_DIR", dir.to_str().unwrap())]).await;
    app.register_and_login("pavel").await;
    assert_eq!(mode(&dir), 0o700);
    for (path, m) in modes_below(&dir) {
        assert_eq!(m & 0o077, 0, "{path} is open to others ({m:o})");
    }
    assert_eq!(mode(&dir.join("honestly.db")), 0o600);
    assert_eq!(mode(&dir.join("honestly.db-wal")), 0o600);
}
