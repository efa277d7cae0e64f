//! The webhook outbox survives SIGKILL of the real binary: a proof request's end whose first
//! delivery failed is delivered by the next process on the same data directory, with the same
//! `webhook-id`, body and a valid signature.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use serde_json::{json, Value};

use crate::process::{honestly, Server, TEST_PASSWORD};

/// One request a receiver got: its headers (lower-case names) and body.
#[derive(Clone, Debug)]
struct Received {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str())
    }
}

/// A receiver on 127.0.0.1 answering 500 to its first request and 200 after; every request kept.
fn receiver() -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}/hook", listener.local_addr().unwrap().port());
    let received = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&received);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut headers = Vec::new();
            let mut line = String::new();
            let _ = reader.read_line(&mut line); // the request line
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                if let Some((name, value)) = line.trim_end().split_once(':') {
                    headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
                }
            }
            let length: usize = headers
                .iter()
                .find(|(n, _)| n == "content-length")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            let mut body = vec![0; length.min(1 << 20)];
            let _ = reader.read_exact(&mut body);
            let n = {
                let mut all = kept.lock().unwrap();
                all.push(Received { headers, body });
                all.len()
            };
            let status = if n == 1 { "500 Internal Server Error" } else { "200 OK" };
            let _ = stream.write_all(
                format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").as_bytes(),
            );
        }
    });
    (url, received)
}

fn wait_for(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !check() {
        assert!(Instant::now() < deadline, "never happened: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn deliveries(server: &Server, client: &Client, token: &str, request: &str) -> Vec<Value> {
    let r = client
        .get(server.url(&format!("/verifier/requests/{request}/deliveries")))
        .bearer_auth(token)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json::<Value>().unwrap()["deliveries"].as_array().cloned().unwrap_or_default()
}

/// `honestly user create --role verifier` on the data directory, as an operator would.
fn create_verifier(data_dir: &std::path::Path, username: &str) {
    let data = data_dir.display().to_string();
    let mut child = honestly(data_dir, &[("DATA_DIR", data.as_str())])
        .args(["user", "create", "--username", username, "--role", "verifier"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    writeln!(child.stdin.take().unwrap(), "{TEST_PASSWORD}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "user create failed: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_pending_webhook_is_delivered_after_sigkill_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("WEBHOOK_RETRY_BASE", "1"), ("WEBHOOK_POLL_INTERVAL", "0.1")];
    let (url, received) = receiver();
    let client = Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
    create_verifier(dir.path(), "door-keeper");

    let server = Server::start(dir.path(), &env);
    let verifier = server.login(&client, "door-keeper");
    server.register(&client, "passer-by");
    let holder = server.login(&client, "passer-by");
    let created = client
        .post(server.url("/verifier/requests"))
        .bearer_auth(&verifier)
        .json(&json!({"purpose": "Crash test", "proof_type": "age_proof_v2", "query": {"min_age": 18},
                      "callback_url": url}))
        .send()
        .unwrap();
    assert_eq!(created.status(), 201);
    let created: Value = created.json().unwrap();
    let secret = created["webhook_secret"].as_str().unwrap().to_string();
    let request = created["request"]["id"].as_str().unwrap().to_string();
    let token = created["request"]["request_uri"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
    let declined = client
        .post(server.url(&format!("/requests/{token}/respond")))
        .bearer_auth(&holder)
        .json(&json!({"decline": true}))
        .send()
        .unwrap();
    assert_eq!(declined.status(), 200);
    // The first attempt fails (500) and is recorded; then the process dies without warning.
    wait_for("the failed first attempt is recorded", || {
        deliveries(&server, &client, &verifier, &request)
            .first()
            .is_some_and(|d| d["attempts"].as_array().is_some_and(|a| a.len() == 1))
    });
    server.crash();

    let server = Server::start(dir.path(), &env);
    let verifier = server.login(&client, "door-keeper");
    wait_for("delivered by the restarted process", || {
        deliveries(&server, &client, &verifier, &request).first().is_some_and(|d| d["status"] == "delivered")
    });
    let d = deliveries(&server, &client, &verifier, &request).remove(0);
    let codes: Vec<Value> =
        d["attempts"].as_array().unwrap().iter().map(|a| a["status_code"].clone()).collect();
    assert_eq!(codes, [json!(500), json!(200)]);
    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].header("webhook-id"), d["id"].as_str().unwrap());
    assert_eq!(got[0].header("webhook-id"), got[1].header("webhook-id"));
    assert_eq!(got[0].body, got[1].body, "the same bytes after the restart");
    let event: Value = serde_json::from_slice(&got[0].body).unwrap();
    assert_eq!(event["type"], "proof_request.declined");
    assert_eq!(event["data"]["id"], request.as_str());
    for r in &got {
        let key = honestly_core::webhooks::WebhookSecret::parse(&secret).unwrap();
        let timestamp: i64 = r.header("webhook-timestamp").parse().unwrap();
        assert!(honestly_core::webhooks::signature::verify(
            &key,
            r.header("webhook-signature"),
            r.header("webhook-id"),
            timestamp,
            &r.body
        ));
    }
}
