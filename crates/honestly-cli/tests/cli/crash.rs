//! Crash safety of the real binary on the embedded SQLite store: a server stopped with SIGKILL
//! (no shutdown, no flush) keeps every document it answered 201 for, an interrupted key
//! rotation resumes to completion, and the audit chain stays valid across repeated crashes.

use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::blocking::{multipart, Client, RequestBuilder, Response};
use serde_json::{json, Value};

use crate::process::{honestly, wait_ready, Server};

use crate::process::TEST_PASSWORD as PASSWORD;
const K1: &str = "4b227777d4dd1fc61c6f884f48641d02b4d121d3fd328cb08b5531fcacdabf8a";
const K2: &str = "ef2d127de37b942baad06145e54b0c619a1f22327b2ebbcfbec78f5564afe39d";

fn client() -> Client {
    Client::builder().timeout(Duration::from_secs(20)).build().unwrap()
}

/// Sends `request`; a transport error (the server is gone) is returned, any answer but
/// `expected` fails the test.
fn send(request: RequestBuilder, expected: u16) -> Result<Response, reqwest::Error> {
    let response = request.send()?;
    let status = response.status().as_u16();
    if status != expected {
        panic!("expected {expected}, got {status}: {}", response.text().unwrap_or_default());
    }
    Ok(response)
}

/// Distinct, recognisable bytes for each (`seed`, `len`).
fn content(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// A logged-in user of one server process.
struct Account {
    client: Client,
    base: String,
    token: String,
}

impl Account {
    /// Registers `username` on the server at `base` (`http://host:port`) and logs in.
    fn register(base: &str, username: &str, request_id: &str) -> Result<Account, reqwest::Error> {
        let creds = json!({"username": username, "password": PASSWORD});
        let request = client().post(format!("{base}/auth/register")).header("x-request-id", request_id);
        send(request.json(&creds), 201)?;
        Account::login(base, username)
    }

    fn login(base: &str, username: &str) -> Result<Account, reqwest::Error> {
        let client = client();
        let creds = json!({"username": username, "password": PASSWORD});
        let login: Value = send(client.post(format!("{base}/auth/login")).json(&creds), 200)?.json()?;
        let token = login["access_token"].as_str().expect("an access token").to_string();
        Ok(Account { client, base: base.to_string(), token })
    }

    /// Uploads `bytes`; returns the document id once the server answered 201.
    fn upload(&self, bytes: &[u8], request_id: &str) -> Result<String, reqwest::Error> {
        let form = multipart::Form::new()
            .part("file", multipart::Part::bytes(bytes.to_vec()).file_name("scan.bin"))
            .text("document_type", "other");
        let request = self
            .client
            .post(format!("{}/vault/documents", self.base))
            .bearer_auth(&self.token)
            .header("x-request-id", request_id)
            .multipart(form);
        let created: Value = send(request, 201)?.json()?;
        Ok(created["document"]["id"].as_str().expect("a document id").to_string())
    }

    /// Creates a metadata share link for `document_id`; returns its token.
    fn share(&self, document_id: &str, request_id: &str) -> Result<String, reqwest::Error> {
        let body = json!({"document_id": document_id, "access_level": "metadata", "expires_in_hours": 24});
        let request = self
            .client
            .post(format!("{}/vault/share-links", self.base))
            .bearer_auth(&self.token)
            .header("x-request-id", request_id)
            .json(&body);
        let created: Value = send(request, 201)?.json()?;
        Ok(created["link"]["token"].as_str().expect("a link token").to_string())
    }

    fn download(&self, id: &str) -> Vec<u8> {
        let request =
            self.client.get(format!("{}/vault/documents/{id}/content", self.base)).bearer_auth(&self.token);
        send(request, 200).expect("the server answers").bytes().unwrap().to_vec()
    }
}

fn start(dir: &Path, env: &[(&str, &str)]) -> Server {
    let server = Server::start(dir, env);
    wait_ready(&server.url("/monitoring/ready"), Duration::from_secs(30));
    server
}

#[test]
fn crash_right_after_a_201_keeps_the_uploaded_document() {
    let dir = tempfile::tempdir().unwrap();
    let mut answered: Vec<(String, Vec<u8>)> = Vec::new();
    for round in 0..5u64 {
        let server = start(dir.path(), &[]);
        let alice = if round == 0 {
            Account::register(&server.url(""), "alice", "register").unwrap()
        } else {
            Account::login(&server.url(""), "alice").unwrap()
        };
        for (id, bytes) in &answered {
            assert_eq!(&alice.download(id), bytes, "document {id} changed after a crash (round {round})");
        }
        let bytes = content(round, 3000 + 1000 * round as usize);
        let id = alice.upload(&bytes, &format!("upload-{round}")).unwrap();
        // The 201 is in; the process dies before it can do anything else.
        server.crash();
        answered.push((id, bytes));
    }
    let server = start(dir.path(), &[]);
    let alice = Account::login(&server.url(""), "alice").unwrap();
    for (id, bytes) in &answered {
        assert_eq!(&alice.download(id), bytes, "document {id} changed after a crash");
    }
    let listed: Value = send(alice.client.get(server.url("/vault/documents")).bearer_auth(&alice.token), 200)
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(listed["documents"].as_array().map(Vec::len), Some(answered.len()), "{listed}");
}

/// How many documents are not under `version`, read from the database file itself.
fn documents_not_under(db: &rusqlite::Connection, version: &str) -> i64 {
    db.query_row("SELECT COUNT(*) FROM documents WHERE key_version <> ?1", [version], |r| r.get(0)).unwrap()
}

#[test]
fn crash_in_the_middle_of_a_key_rotation_resumes_to_completion() {
    const DOCUMENTS: usize = 200;
    const THREADS: usize = 4;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let server = start(dir.path(), &[("VAULT_MASTER_KEY", K1), ("RATE_LIMIT_ENABLED", "false")]);
    let base = server.url("");
    Account::register(&base, "alice", "register").unwrap();
    let uploaded: Vec<(String, Vec<u8>)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let base = &base;
                s.spawn(move || {
                    let alice = Account::login(base, "alice").unwrap();
                    (t..DOCUMENTS)
                        .step_by(THREADS)
                        .map(|i| {
                            let bytes = content(i as u64, 16 * 1024);
                            (alice.upload(&bytes, &format!("seed-{i}")).unwrap(), bytes)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
    });
    assert_eq!(uploaded.len(), DOCUMENTS);
    server.signal("TERM");
    assert!(server.wait(Duration::from_secs(30)).0.success());

    let db = rusqlite::Connection::open(dir.path().join("honestly.db")).unwrap();
    let old_version: String =
        db.query_row("SELECT DISTINCT key_version FROM documents", [], |r| r.get(0)).unwrap();
    assert_eq!(documents_not_under(&db, &old_version), 0);

    let rotate = || {
        let mut command = honestly(dir.path(), &[("DATA_DIR", &data), ("VAULT_MASTER_KEY", K1)]);
        command.args(["keys", "rotate", "--new-key", K2]).stdout(Stdio::piped()).stderr(Stdio::piped());
        command
    };
    // Watch the database and kill the rotation once it has re-encrypted a quarter.
    let mut first = rotate().spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = first.try_wait().unwrap() {
            panic!("the rotation finished ({status}) before it could be interrupted");
        }
        if documents_not_under(&db, &old_version) >= DOCUMENTS as i64 / 4 {
            first.kill().unwrap();
            break;
        }
        assert!(Instant::now() < deadline, "the rotation re-encrypted nothing within 30 s");
        std::thread::sleep(Duration::from_millis(1));
    }
    let status = first.wait().unwrap();
    assert!(!status.success(), "the rotation was killed, yet: {status}");
    let rotated = documents_not_under(&db, &old_version) as usize;
    assert!(0 < rotated && rotated < DOCUMENTS, "not a partial state: {rotated} of {DOCUMENTS} rotated");
    eprintln!("rotation killed with {rotated} of {DOCUMENTS} documents under the new key");

    // A rerun continues with exactly the documents left under the old key.
    let rerun = rotate().output().unwrap();
    let stdout = String::from_utf8_lossy(&rerun.stdout);
    assert!(rerun.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&rerun.stderr));
    assert!(stdout.contains(&format!("re-encrypted {} document(s)", DOCUMENTS - rotated)), "{stdout}");
    let new_version: String =
        db.query_row("SELECT DISTINCT key_version FROM documents", [], |r| r.get(0)).unwrap();
    assert_ne!(new_version, old_version);
    assert_eq!(documents_not_under(&db, &new_version), 0);
    drop(db);

    // With only the new key configured, every document opens to its original bytes.
    let server = start(dir.path(), &[("VAULT_MASTER_KEY", K2), ("RATE_LIMIT_ENABLED", "false")]);
    let alice = Account::login(&server.url(""), "alice").unwrap();
    for (id, bytes) in &uploaded {
        assert_eq!(&alice.download(id), bytes, "document {id} changed by the interrupted rotation");
    }
}

/// Where the request id `r{round}-c{client}-…` falls in its client's sequence: the
/// registration first, then upload `n` and link `n` in turn.
fn client_request(request_id: &str) -> Option<(usize, usize, usize)> {
    let rest = request_id.strip_prefix('r')?;
    let (round, rest) = rest.split_once("-c")?;
    let (client, step) = rest.split_once('-')?;
    let position = match step {
        "register" => 0,
        _ if step.starts_with('u') => 2 * step[1..].parse::<usize>().ok()? + 1,
        _ if step.starts_with('l') => 2 * step[1..].parse::<usize>().ok()? + 2,
        _ => return None,
    };
    Some((round.parse().ok()?, client.parse().ok()?, position))
}

/// What the clients of one crash round got a success answer for.
#[derive(Default)]
struct Answered {
    /// (username, document id, bytes)
    documents: Vec<(String, String, Vec<u8>)>,
    links: Vec<String>,
}

#[test]
fn repeated_crashes_under_concurrent_writes_keep_the_audit_chain_and_the_data() {
    const ROUNDS: usize = 5;
    const CLIENTS: usize = 4;
    const UPLOADS_BEFORE_CRASH: usize = 40;
    let dir = tempfile::tempdir().unwrap();
    let env = [("RATE_LIMIT_ENABLED", "false")];
    let answered = Mutex::new(Answered::default());

    for round in 0..ROUNDS {
        let server = start(dir.path(), &env);
        let base = server.url("");
        let (registered, uploads) = (AtomicUsize::new(0), AtomicUsize::new(0));
        std::thread::scope(|s| {
            let clients: Vec<_> = (0..CLIENTS)
                .map(|c| {
                    let (base, registered, uploads, answered) = (&base, &registered, &uploads, &answered);
                    s.spawn(move || {
                        let username = format!("r{round}c{c}");
                        let account = Account::register(base, &username, &format!("r{round}-c{c}-register"))
                            .expect("registration and login happen before any crash");
                        registered.fetch_add(1, Ordering::SeqCst);
                        // Writes until the server is killed under it.
                        for n in 0.. {
                            let bytes = content((round * 1_000_000 + c * 10_000 + n) as u64, 512 + n % 1024);
                            let Ok(id) = account.upload(&bytes, &format!("r{round}-c{c}-u{n}")) else {
                                return;
                            };
                            answered.lock().unwrap().documents.push((username.clone(), id.clone(), bytes));
                            uploads.fetch_add(1, Ordering::SeqCst);
                            let Ok(token) = account.share(&id, &format!("r{round}-c{c}-l{n}")) else {
                                return;
                            };
                            answered.lock().unwrap().links.push(token);
                        }
                    })
                })
                .collect();
            // Every client registered, then enough uploads answered 201 since; a client that
            // stopped early (a failed assertion) ends the wait too.
            let deadline = Instant::now() + Duration::from_secs(30);
            let waiting = |target: &AtomicUsize, count: usize| {
                while target.load(Ordering::SeqCst) < count
                    && Instant::now() < deadline
                    && !clients.iter().any(|c| c.is_finished())
                {
                    std::thread::sleep(Duration::from_millis(2));
                }
                target.load(Ordering::SeqCst) >= count
            };
            let all_registered = waiting(&registered, CLIENTS);
            let since = uploads.load(Ordering::SeqCst);
            let enough = all_registered && waiting(&uploads, since + UPLOADS_BEFORE_CRASH);
            // Killed in any case, so that the clients stop.
            server.crash();
            assert!(enough, "round {round}: {all_registered}, {} uploads", uploads.load(Ordering::SeqCst));
        });
    }

    let answered = answered.into_inner().unwrap();
    assert!(answered.documents.len() >= ROUNDS * UPLOADS_BEFORE_CRASH);
    let data = dir.path().display().to_string();
    let verify = || {
        let out =
            honestly(dir.path(), &[("DATA_DIR", data.as_str())]).args(["audit", "verify"]).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        stdout
    };
    let stdout = verify();
    let db = rusqlite::Connection::open(dir.path().join("honestly.db")).unwrap();
    let (count, last): (i64, i64) = db
        .query_row("SELECT COUNT(*), MAX(seq) FROM audit_events", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(count, last, "seq has gaps");
    assert!(stdout.contains(&format!("audit chain OK: {count} events")), "{stdout}");
    // Only the tail of a run may be missing (the trail is written in the background, and a
    // crash loses what was still queued), never a request in the middle: each client's
    // requests are sequential and each is recorded before it is answered, so the requests of
    // a client found in the chain are a prefix of those it made.
    let mut audited: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    let mut rows = db.prepare("SELECT request_id FROM audit_events WHERE action LIKE 'http %'").unwrap();
    for request_id in rows.query_map([], |r| r.get::<_, Option<String>>(0)).unwrap() {
        if let Some((round, client, position)) = request_id.unwrap().as_deref().and_then(client_request) {
            audited.entry((round, client)).or_default().push(position);
        }
    }
    drop(rows);
    for round in 0..ROUNDS {
        for c in 0..CLIENTS {
            let mut positions = audited.remove(&(round, c)).unwrap_or_default();
            positions.sort_unstable();
            // The registration, long before the crash, is always there.
            assert!(!positions.is_empty(), "round {round}, client {c}: nothing audited");
            assert!(
                positions.iter().enumerate().all(|(i, &p)| i == p),
                "round {round}, client {c}: a request missing from the middle of the trail: {positions:?}"
            );
        }
    }
    let registrations: i64 = db
        .query_row("SELECT COUNT(*) FROM audit_events WHERE action = 'auth.register'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(registrations, (ROUNDS * CLIENTS) as i64);
    eprintln!(
        "{ROUNDS} crashes: {} documents and {} links answered 201, {count} audit events chained",
        answered.documents.len(),
        answered.links.len()
    );

    // Every document answered 201 opens to its bytes; every link answered 201 opens.
    let server = start(dir.path(), &env);
    let mut accounts: HashMap<&str, Account> = HashMap::new();
    for (username, id, bytes) in &answered.documents {
        let account =
            accounts.entry(username).or_insert_with(|| Account::login(&server.url(""), username).unwrap());
        assert_eq!(&account.download(id), bytes, "document {id} of {username} lost or changed");
    }
    let anonymous = client();
    for token in &answered.links {
        send(anonymous.get(server.url(&format!("/vault/share/{token}"))), 200).unwrap();
    }
    server.signal("TERM");
    assert!(server.wait(Duration::from_secs(30)).0.success());
    let after = verify();
    assert!(!after.contains(&format!("audit chain OK: {count} events")), "nothing appended: {after}");
    drop(db);
}
