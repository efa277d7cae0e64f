//! What the delivery tests share: a receiver on loopback that answers as told and keeps every
//! request, stores (SQLite, Neo4j), an outbox with small delays, waiting for a condition, and
//! the check of every received signature with the Python `standardwebhooks` package.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use honestly_core::auth::model::{Role, User, UserRecord};
use honestly_core::clock::Timestamp;
use honestly_core::config::Environment;
use honestly_core::crypto::vault::VaultKeys;
use honestly_core::ids::UserId;
use honestly_core::store::Store;
use honestly_core::webhooks::{signature, Transport, WebhookService, WebhookSettings, Worker, WorkerHandle};
use honestly_server::webhook_transport::HttpTransport;
use honestly_store::neo4j::{Neo4jOptions, Neo4jStore};
use honestly_store::sqlite::SqliteStore;
use parking_lot::Mutex;

/// One request a receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    /// `webhook-id`.
    pub id: String,
    /// `webhook-timestamp`.
    pub timestamp: String,
    /// `webhook-signature`.
    pub signature: String,
    /// The body.
    pub body: Vec<u8>,
}

/// How a receiver answers its n-th request (0-based): a status, or never.
#[derive(Clone)]
pub enum Answer {
    /// Answer with this status.
    Status(u16),
    /// Hold the request open until the test ends.
    Hang,
}

type Plan = Arc<dyn Fn(usize) -> Answer + Send + Sync>;

#[derive(Clone)]
struct ReceiverState {
    received: Arc<Mutex<Vec<Received>>>,
    plan: Plan,
}

/// An HTTP receiver on 127.0.0.1.
pub struct Receiver {
    /// Where it listens.
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    /// Starts a receiver answering its n-th request with `plan(n)`.
    pub async fn start(plan: impl Fn(usize) -> Answer + Send + Sync + 'static) -> Self {
        let state = ReceiverState { received: Arc::default(), plan: Arc::new(plan) };
        let received = Arc::clone(&state.received);
        let app = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, received }
    }

    /// Its URL with `host` (an address or a name) for the host part.
    pub fn url_with_host(&self, host: &str) -> String {
        format!("http://{host}:{}/hook", self.addr.port())
    }

    /// Its URL.
    pub fn url(&self) -> String {
        self.url_with_host("127.0.0.1")
    }

    /// Every request so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().clone()
    }
}

async fn receive(State(state): State<ReceiverState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let n = {
        let mut received = state.received.lock();
        received.push(Received {
            id: header("webhook-id"),
            timestamp: header("webhook-timestamp"),
            signature: header("webhook-signature"),
            body: body.to_vec(),
        });
        received.len() - 1
    };
    match (state.plan)(n) {
        Answer::Status(code) => StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        Answer::Hang => std::future::pending().await,
    }
}

/// A fresh SQLite store in `dir`.
pub async fn sqlite(dir: &tempfile::TempDir) -> Arc<dyn Store> {
    Arc::new(SqliteStore::open(&dir.path().join("outbox.db")).await.expect("sqlite"))
}

/// The Neo4j test server, when configured (skipped otherwise, failing under `CI=true`).
pub async fn neo4j() -> Option<Arc<dyn Store>> {
    let url = std::env::var("HONESTLY_TEST_NEO4J_URL").ok().filter(|v| !v.is_empty());
    let password = std::env::var("HONESTLY_TEST_NEO4J_PASS").ok().filter(|v| !v.is_empty());
    let (Some(url), Some(password)) = (url, password) else {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "CI=true but HONESTLY_TEST_NEO4J_URL / HONESTLY_TEST_NEO4J_PASS are not set"
        );
        eprintln!("skipped: HONESTLY_TEST_NEO4J_URL and HONESTLY_TEST_NEO4J_PASS are not set");
        return None;
    };
    let options = Neo4jOptions {
        url,
        user: std::env::var("HONESTLY_TEST_NEO4J_USER").unwrap_or_else(|_| "neo4j".into()),
        password,
        max_connections: 20,
        timeout: Duration::from_secs(20),
    };
    Some(Arc::new(Neo4jStore::connect(&options).await.expect("neo4j")))
}

/// A new account.
pub async fn new_user(store: &Arc<dyn Store>) -> UserId {
    let id = UserId::generate();
    let user = User {
        id: id.clone(),
        username: format!("v{}", &id.as_str()[4..20]),
        role: Role::Verifier,
        created_at: Timestamp::now(),
        disabled: false,
    };
    let username = user.username.clone();
    store.create_user(&UserRecord { user, password_hash: "h".into() }, &username).await.expect("user");
    id
}

/// Settings with millisecond delays, in `environment`.
pub fn fast(environment: Environment) -> WebhookSettings {
    WebhookSettings {
        retry_base: Duration::from_millis(20),
        poll_interval: Duration::from_millis(25),
        lease: Duration::from_secs(2),
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(30),
        ..WebhookSettings::new(environment)
    }
}

/// An outbox over `store` (one per simulated replica) sealing under a fixed test key.
pub fn outbox(store: &Arc<dyn Store>, settings: WebhookSettings) -> Arc<WebhookService> {
    let keys = Arc::new(VaultKeys::parse(&hex::encode([7u8; 32])).expect("keys"));
    Arc::new(WebhookService::new(Arc::clone(store), keys, settings))
}

/// A worker of `outbox` sending over HTTP.
pub fn worker(outbox: &Arc<WebhookService>) -> WorkerHandle {
    Worker::new(Arc::clone(outbox), Arc::new(HttpTransport) as Arc<dyn Transport>).spawn()
}

/// Waits until `check` answers true (polling), failing after a generous bound.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    while !check().await {
        assert!(Instant::now() < deadline, "never happened: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Checks every received request's signature against each of `secrets` (`whsec_…`), in
/// Rust and with the Python `standardwebhooks` package (when installed; required under
/// `CI=true`).
pub fn verify_all(received: &[Received], secrets: &[&str]) {
    assert!(!received.is_empty());
    for r in received {
        let timestamp: i64 = r.timestamp.parse().expect("numeric webhook-timestamp");
        for secret in secrets {
            let key = signature::WebhookSecret::parse(secret).expect("whsec_ secret");
            assert!(
                signature::verify(&key, &r.signature, &r.id, timestamp, &r.body),
                "signature of {}",
                r.id
            );
        }
    }
    let Some(python) = python() else { return };
    let cases: Vec<serde_json::Value> = received
        .iter()
        .flat_map(|r| {
            secrets.iter().map(move |secret| {
                serde_json::json!({
                    "secret": secret,
                    "headers": {"webhook-id": r.id, "webhook-timestamp": r.timestamp, "webhook-signature": r.signature},
                    "body": String::from_utf8_lossy(&r.body),
                })
            })
        })
        .collect();
    let script = "import json, sys\n\
        from standardwebhooks.webhooks import Webhook\n\
        cases = json.load(sys.stdin)\n\
        for c in cases:\n    Webhook(c['secret']).verify(c['body'], c['headers'])\n\
        print(len(cases))\n";
    let mut child = std::process::Command::new(&python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run python");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(serde_json::to_string(&cases).expect("json").as_bytes()).expect("write");
    }
    let out = child.wait_with_output().expect("python");
    assert!(
        out.status.success(),
        "standardwebhooks refused a delivery: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), cases.len().to_string());
}

/// The Python of the venv `scripts/webhooks/setup.sh` makes (`WEBHOOKS_VENV` or
/// `.cache/venv-webhooks`).
fn python() -> Option<PathBuf> {
    let venv = std::env::var_os("WEBHOOKS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.cache/venv-webhooks"));
    let python = venv.join("bin/python");
    let works = std::process::Command::new(&python)
        .args(["-c", "import standardwebhooks"])
        .output()
        .is_ok_and(|o| o.status.success());
    if works {
        return Some(python);
    }
    assert_ne!(
        std::env::var("CI").as_deref(),
        Ok("true"),
        "the standardwebhooks package is required in CI (scripts/webhooks/setup.sh)"
    );
    eprintln!(
        "python check skipped: no standardwebhooks in {} (run scripts/webhooks/setup.sh)",
        venv.display()
    );
    None
}

/// Counts per `webhook-id`.
pub fn per_id(received: &[Received]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for r in received {
        *counts.entry(r.id.clone()).or_insert(0) += 1;
    }
    counts
}
