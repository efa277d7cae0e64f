//! The webhook outbox survives SIGKILL of the real binary: an event whose first attempt failed
//! is delivered by the next process on the same data directory, with the same `webhook-id`,
//! body and a valid signature.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use serde_json::{json, Value};

use crate::process::Server;

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

fn deliveries(server: &Server, client: &Client, token: &str, subject: &str) -> Vec<Value> {
    let r = client.get(server.url(&format!("/__test/webhooks/{subject}"))).bearer_auth(token).send().unwrap();
    assert_eq!(r.status(), 200);
    r.json::<Value>().unwrap()["deliveries"].as_array().cloned().unwrap_or_default()
}

#[test]
fn a_pending_webhook_is_delivered_after_sigkill_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let env =
        [("HONESTLY_TEST_ROUTES", "true"), ("WEBHOOK_RETRY_BASE", "1"), ("WEBHOOK_POLL_INTERVAL", "0.1")];
    let (url, received) = receiver();
    let client = Client::builder().timeout(Duration::from_secs(20)).build().unwrap();

    let server = Server::start(dir.path(), &env);
    server.register(&client, "hook-owner");
    let token = server.login(&client, "hook-owner");
    let raised = client
        .post(server.url("/__test/webhooks"))
        .bearer_auth(&token)
        .json(&json!({"subject": "req_crash", "url": url}))
        .send()
        .unwrap();
    assert_eq!(raised.status(), 200);
    let raised: Value = raised.json().unwrap();
    let secret = raised["webhook_secret"].as_str().unwrap().to_string();
    // The first attempt fails (500) and is recorded; then the process dies without warning.
    wait_for("the failed first attempt is recorded", || {
        deliveries(&server, &client, &token, "req_crash")
            .first()
            .is_some_and(|d| d["attempts"].as_array().is_some_and(|a| a.len() == 1))
    });
    server.crash();

    let server = Server::start(dir.path(), &env);
    let token = server.login(&client, "hook-owner");
    wait_for("delivered by the restarted process", || {
        deliveries(&server, &client, &token, "req_crash").first().is_some_and(|d| d["status"] == "delivered")
    });
    let d = deliveries(&server, &client, &token, "req_crash").remove(0);
    let codes: Vec<Value> =
        d["attempts"].as_array().unwrap().iter().map(|a| a["status_code"].clone()).collect();
    assert_eq!(codes, [json!(500), json!(200)]);
    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].header("webhook-id"), raised["id"].as_str().unwrap());
    assert_eq!(got[0].header("webhook-id"), got[1].header("webhook-id"));
    assert_eq!(got[0].body, got[1].body, "the same bytes after the restart");
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
