//! Backends for the suite and builders of test records with fresh ids.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use honestly_core::agents::AgentRecord;
use honestly_core::auth::model::{Role, User, UserRecord};
use honestly_core::clock::Timestamp;
use honestly_core::crypto::vault::Sealed;
use honestly_core::documents::{DocumentMeta, DocumentType, NewDocument};
use honestly_core::ids::{AgentId, DocumentId, LinkId, TokenId, UserId};
use honestly_core::links::{AccessLevel, ShareLink};
use honestly_core::store::{Store, StoreError};
use honestly_core::timeline::{TimelineEvent, TimelineKind};
use honestly_store::neo4j::{Neo4jOptions, Neo4jStore};
use honestly_store::sqlite::SqliteStore;

/// Neo4j tests run one at a time (the registry and audit chain are global).
pub static NEO4J_SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Runs `test` against a fresh SQLite database.
pub async fn with_sqlite<F, Fut>(test: F)
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = SqliteStore::open(&dir.path().join("honestly.db")).await.expect("open sqlite");
    test(Arc::new(store)).await;
}

/// Where the test Neo4j is, if configured; panics under `CI=true` when it is not.
pub fn neo4j_options() -> Option<Neo4jOptions> {
    let url = std::env::var("HONESTLY_TEST_NEO4J_URL").ok().filter(|v| !v.is_empty());
    let password = std::env::var("HONESTLY_TEST_NEO4J_PASS").ok().filter(|v| !v.is_empty());
    match (url, password) {
        (Some(url), Some(password)) => Some(Neo4jOptions {
            url,
            user: std::env::var("HONESTLY_TEST_NEO4J_USER").unwrap_or_else(|_| "neo4j".into()),
            password,
            max_connections: 50,
            timeout: Duration::from_secs(20),
        }),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!(
                    "CI=true but HONESTLY_TEST_NEO4J_URL / HONESTLY_TEST_NEO4J_PASS are not set: \
                     the Neo4j backend must be tested in CI (scripts/ci.sh starts one)"
                );
            }
            eprintln!(
                "skipped: HONESTLY_TEST_NEO4J_URL and HONESTLY_TEST_NEO4J_PASS are not set \
                 (scripts/neo4j/start.sh DATA_DIR PORT PASSWORD starts a test server)"
            );
            None
        }
    }
}

/// Connects to the test Neo4j (creating its schema if needed).
pub async fn neo4j_store(options: &Neo4jOptions) -> Neo4jStore {
    Neo4jStore::connect(options).await.expect("connect to the test Neo4j")
}

/// Runs `test` against the test Neo4j, or prints why it is skipped.
pub async fn with_neo4j<F, Fut>(test: F)
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(options) = neo4j_options() else { return };
    let _serial = NEO4J_SERIAL.lock().await;
    let store = neo4j_store(&options).await;
    test(Arc::new(store)).await;
}

pub async fn backend_answers_ping(store: Arc<dyn Store>) {
    store.ping().await.expect("ping");
    assert!(["sqlite", "neo4j"].contains(&store.backend()));
}

/// The time now.
pub fn now() -> Timestamp {
    Timestamp::now()
}

/// The time `secs` seconds from now (before now when negative).
pub fn from_now(secs: i64) -> Timestamp {
    let now = now();
    let by = Duration::from_secs(secs.unsigned_abs());
    if secs < 0 {
        now.minus(by)
    } else {
        now.plus(by)
    }
}

/// The fixed time written `rfc3339` (for records whose creation time the test chooses).
pub fn at(rfc3339: &str) -> Timestamp {
    Timestamp::parse_rfc3339(rfc3339).expect("an RFC 3339 time")
}

/// The creation time of most test records.
pub const CREATED_AT: &str = "2026-11-28T06:00:00Z";

/// 64 fresh random hex digits (a SHA-256 of a token or of a document).
pub fn random_hash() -> String {
    TokenId::generate().as_str()[TokenId::PREFIX.len()..].repeat(2)
}

/// A fresh enabled user (stored), with its canonical username.
pub async fn new_user(store: &Arc<dyn Store>) -> UserRecord {
    let record = user_record(false, CREATED_AT);
    store.create_user(&record, &record.user.username).await.expect("create user");
    record
}

pub fn user_record(disabled: bool, created_at: &str) -> UserRecord {
    let id = UserId::generate();
    UserRecord {
        user: User {
            username: format!("u{}", &id.as_str()[4..20]),
            id,
            role: Role::User,
            created_at: at(created_at),
            disabled,
        },
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
    }
}

pub fn sealed(version: &str, fill: u8) -> Sealed {
    Sealed {
        key_version: version.into(),
        nonce: vec![fill; 12],
        ciphertext: (0..=255u8).chain([0, fill]).collect(),
    }
}

/// A document of `user_id` at `registry_index`, under key version `version`.
pub fn new_document(user_id: &UserId, registry_index: u64, version: &str) -> NewDocument {
    NewDocument {
        meta: DocumentMeta {
            sha256: random_hash(),
            id: DocumentId::generate(),
            user_id: user_id.clone(),
            document_type: DocumentType::Identity,
            file_name: "passport.pdf".into(),
            mime_type: "application/pdf".into(),
            size_bytes: 256,
            created_at: at(CREATED_AT),
            metadata: serde_json::json!({"country": "FR", "nested": {"n": 1}}),
            registry_index,
        },
        sealed: sealed(version, 7),
        registry_leaf: format!("{}", 1000 + registry_index),
        registry_root: format!("{}", 5000 + registry_index),
    }
}

/// Stores a document for `user_id` at the next registry position.
pub async fn insert_document(store: &Arc<dyn Store>, user_id: &UserId) -> NewDocument {
    let size = store.registry_state().await.expect("registry state").size;
    let doc = new_document(user_id, size, "v1");
    let event = TimelineEvent::new(user_id, TimelineKind::DocumentUploaded).document(&doc.meta.id);
    store.insert_document(&doc, &event).await.expect("insert document");
    doc
}

/// A link to `document_id` of `user_id`, unrevoked, expiring in an hour.
pub fn new_link(
    user_id: &UserId,
    document_id: &DocumentId,
    max_accesses: Option<u32>,
    access_count: u32,
) -> ShareLink {
    ShareLink {
        id: LinkId::generate(),
        user_id: user_id.clone(),
        document_id: document_id.clone(),
        proof_id: None,
        access_level: AccessLevel::Metadata,
        token_hash: random_hash(),
        expires_at: from_now(3600),
        max_accesses,
        access_count,
        passphrase_hash: None,
        created_at: at(CREATED_AT),
        revoked_at: None,
    }
}

pub fn new_agent(user_id: &UserId, name: &str) -> AgentRecord {
    AgentRecord {
        id: AgentId::generate(),
        user_id: user_id.clone(),
        name: name.into(),
        sealed_secret: sealed("v1", 3),
        created_at: at(CREATED_AT),
    }
}

pub fn is_conflict<T: std::fmt::Debug>(result: Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::Conflict(_)))
}
