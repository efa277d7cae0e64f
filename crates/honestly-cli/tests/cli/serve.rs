//! `honestly serve` as a process: restarts, graceful shutdown, a bare start.

use std::time::Duration;

use crate::process::{honestly, wait_ready, Server};

#[test]
fn development_restart_keeps_the_generated_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    wait_ready(&server.url("/monitoring/ready"), Duration::from_secs(10));
    let secrets_path = dir.path().join("dev-secrets.json");
    let first = std::fs::read(&secrets_path).unwrap();
    server.signal("TERM");
    let (status, _) = server.wait(Duration::from_secs(10));
    assert!(status.success(), "{status}");

    let server = Server::start(dir.path(), &[]);
    wait_ready(&server.url("/monitoring/ready"), Duration::from_secs(10));
    assert_eq!(std::fs::read(&secrets_path).unwrap(), first, "secrets changed across a restart");
    server.signal("TERM");
    let (_, lines) = server.wait(Duration::from_secs(10));
    let log = lines.join("\n");
    assert!(!log.contains(std::str::from_utf8(&first).unwrap()), "secrets logged");
}

#[test]
fn sigterm_lets_an_in_flight_request_finish() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[("HONESTLY_TEST_ROUTES", "true")]);
    wait_ready(&server.url("/monitoring/ready"), Duration::from_secs(10));
    let url = server.url("/__test/sleep?ms=1500");
    let in_flight = std::thread::spawn(move || {
        reqwest::blocking::get(url).map(|r| (r.status().as_u16(), r.text().unwrap_or_default()))
    });
    std::thread::sleep(Duration::from_millis(400));
    server.signal("TERM");
    let (status, body) = in_flight.join().unwrap().expect("the in-flight request is answered");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("1500"), "{body}");
    let (exit, lines) = server.wait(Duration::from_secs(10));
    assert!(exit.success(), "exit {exit}");
    assert!(lines.iter().any(|l| l.contains("shutdown signal received")), "{lines:?}");
}

#[test]
fn serve_with_no_environment_at_all_becomes_ready() {
    if std::net::TcpListener::bind("127.0.0.1:8000").is_err() {
        let message = "port 8000 (the default) is busy, cannot start with no configuration";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
        eprintln!("skipped: {message}");
        return;
    }
    /// Kills the server even when an assertion fails.
    struct KillOnDrop(std::process::Child);
    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let _child = KillOnDrop(honestly(dir.path(), &[]).stderr(std::process::Stdio::null()).spawn().unwrap());
    // The first start also generates the zero-knowledge keys; readiness waits for them.
    let elapsed = wait_ready("http://127.0.0.1:8000/monitoring/ready", Duration::from_secs(60));
    eprintln!("start to ready with no configuration (including key generation): {elapsed:?}");
    let data = dir.path().join("data");
    for file in ["dev-secrets.json", "honestly.db", "signing-key.json"] {
        assert!(data.join(file).exists(), "{file} missing");
    }
    assert!(data.join("zk/age_proof/verification_key.json").exists());
}
