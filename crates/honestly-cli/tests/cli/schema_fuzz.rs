//! Schema fuzzing: schemathesis generates requests for every operation of `/openapi.json` of
//! the real binary (seeded with an admin, documents, a proof, share links, an external circuit
//! and delegated agents) and checks that nothing is a 5xx and that every answer has a
//! documented status, a documented media type and a body matching its schema.
//!
//! Runs `scripts/schemathesis/run.sh` with `SCHEMATHESIS_MAX_EXAMPLES` cases per operation
//! and phase (default 25). Without the virtual environment (`scripts/schemathesis/setup.sh`)
//! the test skips, except with `CI=true`, where it fails.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::process::{honestly, wait_ready, Server};

const ADMIN: &str = "fuzz-admin";
const ADMIN_PASSWORD: &str = "fuzz admin's unguessable tangerine 7";
/// Far more than a 25-example run takes (about a minute), far less than a hung one.
const RUN_LIMIT: Duration = Duration::from_secs(600);

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn schemathesis_installed(root: &Path) -> bool {
    let venv = std::env::var_os("SCHEMATHESIS_VENV")
        .map_or_else(|| root.join(".cache/venv-schemathesis"), PathBuf::from);
    if venv.join("bin/st").exists() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but schemathesis is missing: run scripts/schemathesis/setup.sh"
    );
    eprintln!("SKIPPED: schemathesis is not installed; run scripts/schemathesis/setup.sh");
    false
}

fn create_admin(data_dir: &Path) {
    let data = data_dir.display().to_string();
    let mut child = honestly(data_dir, &[("DATA_DIR", data.as_str())])
        .args(["user", "create", "--username", ADMIN, "--role", "admin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    writeln!(child.stdin.take().unwrap(), "{ADMIN_PASSWORD}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "user create failed: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn every_operation_answers_as_documented_under_schemathesis() {
    let root = repo_root();
    if !schemathesis_installed(&root) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    create_admin(dir.path());
    let mut server = Server::start(
        dir.path(),
        &[
            ("RATE_LIMIT_ENABLED", "false"),
            ("AI_AGENT_RATE_LIMIT", "1000000"),
            ("AI_HASH_LOOKUP_RATE_LIMIT", "1000000"),
        ],
    );
    wait_ready(&server.url("/monitoring/ready"), Duration::from_secs(60));

    let max_examples = std::env::var("SCHEMATHESIS_MAX_EXAMPLES").unwrap_or_else(|_| "25".into());
    let log_path = dir.path().join("schemathesis.log");
    let log = File::create(&log_path).unwrap();
    let started = Instant::now();
    let mut run = Command::new("bash")
        .arg(root.join("scripts/schemathesis/run.sh"))
        .arg(&max_examples)
        .env("HONESTLY_URL", format!("http://{}", server.addr))
        .env("HONESTLY_ADMIN_USERNAME", ADMIN)
        .env("HONESTLY_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("bash runs");
    let status = loop {
        if let Some(status) = run.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = run.kill();
            let _ = run.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let output = std::fs::read_to_string(&log_path).unwrap_or_default();
    let alive = server.child.try_wait().unwrap().is_none();
    println!("{output}\nschemathesis took {:.0?}", started.elapsed());
    assert!(status.is_some(), "schemathesis did not finish within {RUN_LIMIT:?}:\n{output}");
    assert!(alive, "the server exited during the run:\n{output}");
    assert!(status.unwrap().success(), "schemathesis found problems ({max_examples} examples):\n{output}");
}
