//! `honestly audit verify` on the data a real server wrote: OK after a graceful stop (SIGTERM
//! flushes the writer), then exit 1 naming the seq of a row edited behind the server's back.

use std::path::Path;
use std::time::Duration;

use crate::process::{honestly, wait_ready, Server};

fn verify(dir: &Path) -> (i32, String, String) {
    let data = dir.display().to_string();
    let out = honestly(dir, &[("DATA_DIR", data.as_str())]).args(["audit", "verify"]).output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

#[test]
fn audit_verify_passes_after_serving_and_names_a_tampered_seq() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    // Liveness is enough here: the audit trail does not wait for the zero-knowledge keys.
    wait_ready(&server.url("/monitoring/live"), Duration::from_secs(10));
    let client = reqwest::blocking::Client::new();
    // Probes are not audited; real routes are.
    for _ in 0..3 {
        assert_eq!(client.get(server.url("/zkp/circuits")).send().unwrap().status(), 200);
    }
    let failed = client
        .post(server.url("/auth/login"))
        .json(&serde_json::json!({"username": "nobody", "password": "not a real password"}))
        .send()
        .unwrap();
    assert_eq!(failed.status(), 401);
    // No flush from the test: only the graceful shutdown makes these durable.
    server.signal("TERM");
    let (status, lines) = server.wait(Duration::from_secs(60));
    assert!(status.success(), "{status}");
    assert!(lines.iter().any(|l| l.contains("audit trail flushed")), "{lines:?}");

    let db = rusqlite::Connection::open(dir.path().join("honestly.db")).unwrap();
    let count: i64 = db.query_row("SELECT COUNT(*) FROM audit_events", [], |r| r.get(0)).unwrap();
    let failed_seq: i64 = db
        .query_row("SELECT seq FROM audit_events WHERE action = 'auth.login.failed'", [], |r| r.get(0))
        .expect("the failed login is in the trail");
    // Three requests, the login request and the failed-login decision.
    assert!(count >= 5, "{count} events");

    let (code, stdout, stderr) = verify(dir.path());
    assert_eq!(code, 0, "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.contains(&format!("audit chain OK: {count} events")), "{stdout}");

    // Someone erases who failed to log in.
    db.execute("UPDATE audit_events SET client_ip = '203.0.113.7' WHERE seq = ?1", [failed_seq]).unwrap();
    drop(db);
    let (code, stdout, stderr) = verify(dir.path());
    assert_eq!(code, 1, "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.contains(&format!("BROKEN at seq {failed_seq} ")), "{stdout}");
    assert!(stdout.contains("altered"), "{stdout}");
}

#[test]
fn audit_verify_with_a_bad_configuration_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let out = honestly(dir.path(), &[("DATA_DIR", data.as_str()), ("DATABASE_URL", "mysql://nope")])
        .args(["audit", "verify"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}
