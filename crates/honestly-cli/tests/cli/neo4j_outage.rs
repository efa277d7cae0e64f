//! A Neo4j outage: the server answers `ready` 503 within seconds and store-backed routes 503 in
//! the error shape (no hang); when Neo4j returns, everything is back and nothing was lost.
//! Uses a Neo4j of its own (scripts/neo4j/start.sh), which it stops and restarts.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::process::{wait_ready, Server};

fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/neo4j")
}

/// Starts (or restarts) the test's own Neo4j; false (after saying why) without Java/Maven
/// outside CI.
fn start_neo4j(dir: &Path, port: u16, password: &str) -> bool {
    let tools = ["java", "mvn"].iter().all(|t| Command::new(t).arg("-version").output().is_ok());
    if !tools {
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "java and mvn are required in CI");
        eprintln!("skipping: java or mvn is missing");
        return false;
    }
    let out = Command::new("bash")
        .arg(scripts().join("start.sh"))
        .arg(dir)
        .arg(port.to_string())
        .arg(password)
        .output()
        .unwrap();
    assert!(out.status.success(), "neo4j start: {}", String::from_utf8_lossy(&out.stderr));
    true
}

fn stop_neo4j(dir: &Path) {
    let out = Command::new("bash").arg(scripts().join("stop.sh")).arg(dir).output().unwrap();
    assert!(out.status.success(), "neo4j stop: {}", String::from_utf8_lossy(&out.stderr));
}

struct StopOnDrop(PathBuf);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let _ = Command::new("bash").arg(scripts().join("stop.sh")).arg(&self.0).output();
    }
}

fn poll_status(client: &reqwest::blocking::Client, url: &str, want: u16, limit: Duration) -> Duration {
    let started = Instant::now();
    loop {
        if client.get(url).send().is_ok_and(|r| r.status() == want) {
            return started.elapsed();
        }
        assert!(started.elapsed() < limit, "{url} did not answer {want} within {limit:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_neo4j_outage_turns_ready_503_quickly_and_recovery_loses_nothing() {
    let neo = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let password = "outage-test-password-1";
    if !start_neo4j(neo.path(), port, password) {
        return;
    }
    let _guard = StopOnDrop(neo.path().to_path_buf());
    let data = tempfile::tempdir().unwrap();
    let url = format!("bolt://127.0.0.1:{port}");
    let server = Server::start(data.path(), &[("DATABASE_URL", url.as_str()), ("NEO4J_PASS", password)]);
    wait_ready(&server.url("/monitoring/ready"), Duration::from_secs(30));
    let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
    server.register(&client, "olga");
    let token = server.login(&client, "olga");
    let content = b"olga's identity card".to_vec();
    let doc = server.upload(&client, &token, "id.pdf", &content, "identity");
    let id = doc["document"]["id"].as_str().unwrap().to_string();

    stop_neo4j(neo.path());
    let took = poll_status(&client, &server.url("/monitoring/ready"), 503, Duration::from_secs(10));
    eprintln!("ready answered 503 {took:?} after Neo4j stopped");
    let started = Instant::now();
    let r = client.get(server.url("/vault/documents")).bearer_auth(&token).send().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(12),
        "a store-backed route hung: {:?}",
        started.elapsed()
    );
    assert_eq!(r.status(), 503);
    let body: Value = r.json().unwrap();
    assert_eq!(body["error"]["code"], "SERVICE_UNAVAILABLE", "{body}");
    assert_eq!(client.get(server.url("/monitoring/live")).send().unwrap().status(), 200);

    assert!(start_neo4j(neo.path(), port, password));
    poll_status(&client, &server.url("/monitoring/ready"), 200, Duration::from_secs(60));
    assert_eq!(server.download(&client, &token, &id), content, "the document survived the outage");
}
