//! Running the real binary: a child process with a clean environment, its JSON log read to
//! learn the bound address.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_honestly");

/// A command for the binary with nothing inherited from the test's environment.
pub fn honestly(cwd: &Path, env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear().current_dir(cwd);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Keys of the built-in circuits, made once per test binary with `honestly zk setup`.
pub fn shared_keys() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = honestly(dir.path(), &[])
            .args(["zk", "setup", "--circuit", "all", "--out"])
            .arg(dir.path())
            .output()
            .expect("zk setup runs");
        assert!(out.status.success(), "zk setup failed: {}", String::from_utf8_lossy(&out.stderr));
        dir
    })
    .path()
}

/// The password of the users the tests register.
pub const TEST_PASSWORD: &str = "correct horse battery staple";

pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    pub lines: mpsc::Receiver<String>,
}

impl Server {
    /// Starts `honestly serve` on port 0 with JSON logs and waits for its listening line.
    pub fn start(data_dir: &Path, env: &[(&str, &str)]) -> Server {
        let data = data_dir.display().to_string();
        let keys = shared_keys().display().to_string();
        let mut all = vec![
            ("DATA_DIR", data.as_str()),
            ("PORT", "0"),
            ("LOG_FORMAT", "json"),
            ("ZK_KEYS_DIR", keys.as_str()),
        ];
        all.extend_from_slice(env);
        let mut child = honestly(data_dir, &all)
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("binary starts");
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let Ok(line) = lines.recv_timeout(Duration::from_millis(200)) else {
                if let Ok(Some(status)) = child.try_wait() {
                    let _ = child.wait();
                    panic!("server exited early with {status}");
                }
                continue;
            };
            let Ok(value) = serde_json::from_str::<serde_json::Value>(&line) else { continue };
            if let Some(addr) = value["address"].as_str() {
                return Server { child, addr: addr.parse().unwrap(), lines };
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("server did not report its address in time");
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Uploads `content` as `file_name` (of `document_type`) with `token`; the JSON answer.
    pub fn upload(
        &self,
        client: &reqwest::blocking::Client,
        token: &str,
        file_name: &str,
        content: &[u8],
        document_type: &str,
    ) -> serde_json::Value {
        let part =
            reqwest::blocking::multipart::Part::bytes(content.to_vec()).file_name(file_name.to_string());
        let form = reqwest::blocking::multipart::Form::new()
            .part("file", part)
            .text("document_type", document_type.to_string());
        let response = client.post(self.url("/vault/documents")).bearer_auth(token).multipart(form).send();
        response.expect("upload sent").json().expect("JSON answer")
    }

    /// Registers `username` (expecting 201) with the tests' password.
    pub fn register(&self, client: &reqwest::blocking::Client, username: &str) {
        let creds = serde_json::json!({"username": username, "password": TEST_PASSWORD});
        let response = client.post(self.url("/auth/register")).json(&creds).send().expect("register sent");
        assert_eq!(response.status(), 201, "registering {username}");
    }

    /// Logs `username` in with the tests' password; the access token.
    pub fn login(&self, client: &reqwest::blocking::Client, username: &str) -> String {
        let creds = serde_json::json!({"username": username, "password": TEST_PASSWORD});
        let response = client.post(self.url("/auth/login")).json(&creds).send().expect("login sent");
        let body: serde_json::Value = response.json().expect("JSON answer");
        body["access_token"].as_str().expect("an access token").to_string()
    }

    /// Downloads document `id` with `token`; the bytes of the answer.
    pub fn download(&self, client: &reqwest::blocking::Client, token: &str, id: &str) -> Vec<u8> {
        let response =
            client.get(self.url(&format!("/vault/documents/{id}/content"))).bearer_auth(token).send();
        response.expect("download sent").bytes().expect("the content").to_vec()
    }

    pub fn signal(&self, name: &str) {
        let status =
            Command::new("kill").args([&format!("-{name}"), &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
    }

    /// Kills the process with SIGKILL, as a crash or a power cut would stop it: no graceful
    /// shutdown, no flush. Returns once it is reaped.
    pub fn crash(mut self) {
        self.child.kill().expect("SIGKILL is delivered");
        let status = self.child.wait().unwrap();
        assert_eq!(status.signal(), Some(9), "{status}");
    }

    /// Waits for the process to exit, killing it after `limit`.
    pub fn wait(mut self, limit: Duration) -> (ExitStatus, Vec<String>) {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                std::thread::sleep(Duration::from_millis(50));
                return (status, self.lines.try_iter().collect());
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("server did not exit within {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `url` until it answers 200, returning how long it took.
pub fn wait_ready(url: &str, limit: Duration) -> Duration {
    let started = Instant::now();
    let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(2)).build().unwrap();
    while started.elapsed() < limit {
        if client.get(url).send().is_ok_and(|r| r.status() == 200) {
            return started.elapsed();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("{url} not ready within {limit:?}");
}
