//! Two `honestly serve` processes sharing one store and one Redis behave as one service:
//! access counts, revocations, replay memory, nullifiers, agent rate limits and refresh-token
//! rotation hold across replicas (and nullifiers across restarts).

use std::time::Duration;

use serde_json::{json, Value};

use crate::agent_client::{envelope, post_signed};
use crate::process::{wait_ready, Server};
#[path = "../../../honestly-server/tests/api/redis_support.rs"]
#[allow(dead_code)] // Shared with the server tests, which also restart Redis.
mod redis_support;
use redis_support::RedisServer;

const JWT: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const VAULT: &str = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";
const SIGNING: &str = "fd61a03af4f77d870fc21e05e7e80678095c92d808cfb3b5c279ee04c74aca13";
const AI: &str = "5d41402abc4b2a76b9719d911017c592ae2f3f6b87a9c1e0b6b3f1e3ad7d4c11";
/// A second service secret: another credential, with its own agent rate limit.
const AI_2: &str = "7c222fb2927d828af22f592134e8932480637c0d1a1f0e6c3b5f1b0e0e0d4a22";
use crate::process::TEST_PASSWORD as PASSWORD;

/// The store both replicas share: a `DATABASE_URL` and the variables that go with it.
pub struct SharedStore {
    pub env: Vec<(&'static str, String)>,
    _dir: tempfile::TempDir,
}

impl SharedStore {
    /// The Neo4j server of the test run (`HONESTLY_TEST_NEO4J_URL`, `HONESTLY_TEST_NEO4J_PASS`),
    /// or `None` (after saying why) when it is not configured outside CI.
    pub fn neo4j() -> Option<Self> {
        let (Ok(url), Ok(pass)) =
            (std::env::var("HONESTLY_TEST_NEO4J_URL"), std::env::var("HONESTLY_TEST_NEO4J_PASS"))
        else {
            assert_ne!(
                std::env::var("CI").as_deref(),
                Ok("true"),
                "Neo4j is required in CI (scripts/ci.sh starts it)"
            );
            eprintln!("skipping: HONESTLY_TEST_NEO4J_URL / HONESTLY_TEST_NEO4J_PASS are not set");
            return None;
        };
        Some(Self {
            env: vec![("DATABASE_URL", url), ("NEO4J_PASS", pass)],
            _dir: tempfile::tempdir().unwrap(),
        })
    }

    /// One SQLite file opened by both processes.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("shared.db").display());
        Self { env: vec![("DATABASE_URL", url)], _dir: dir }
    }
}

struct Pair {
    a: Server,
    b: Server,
    dirs: (tempfile::TempDir, tempfile::TempDir),
    env: Vec<(&'static str, String)>,
}

fn start(dir: &std::path::Path, env: &[(&'static str, String)]) -> Server {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = Server::start(dir, &env);
    wait_ready(&server.url("/monitoring/ready"), Duration::from_secs(30));
    server
}

impl Pair {
    fn start(store: &SharedStore, redis: &RedisServer) -> Self {
        let mut env = store.env.clone();
        env.extend([
            ("JWT_SECRET", JWT.to_string()),
            ("VAULT_MASTER_KEY", VAULT.to_string()),
            ("BUNDLE_SIGNING_KEY", SIGNING.to_string()),
            ("AI_AGENT_SECRET", format!("{AI},{AI_2}")),
            ("AI_AGENT_RATE_LIMIT", "10".to_string()),
            ("RATE_LIMIT_ENABLED", "false".to_string()),
            ("RATE_LIMIT_REDIS_URL", redis.url()),
        ]);
        let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let a = start(dirs.0.path(), &env);
        let b = start(dirs.1.path(), &env);
        Self { a, b, dirs, env }
    }

    fn restart(self) -> Self {
        let Pair { a, b, dirs, env } = self;
        for server in [a, b] {
            server.signal("TERM");
            server.wait(Duration::from_secs(15));
        }
        let a = start(dirs.0.path(), &env);
        let b = start(dirs.1.path(), &env);
        Self { a, b, dirs, env }
    }
}

fn json_of(response: reqwest::blocking::Response) -> Value {
    response.json().unwrap()
}

/// Runs every cross-replica check against `store`.
pub fn replicas_behave_as_one_service(store: &SharedStore, user: &str) {
    let Some(redis) = RedisServer::start() else { return };
    let pair = Pair::start(store, &redis);
    let client = reqwest::blocking::Client::new();
    let (a, b) = (&pair.a, &pair.b);

    // Refresh tokens: one rotated on A is spent on B (and the family dies).
    let creds = json!({"username": user, "password": PASSWORD});
    assert_eq!(client.post(a.url("/auth/register")).json(&creds).send().unwrap().status(), 201);
    let login = json_of(client.post(b.url("/auth/login")).json(&creds).send().unwrap());
    let first = json!({"refresh_token": login["refresh_token"]});
    assert_eq!(client.post(a.url("/auth/refresh")).json(&first).send().unwrap().status(), 200);
    assert_eq!(client.post(b.url("/auth/refresh")).json(&first).send().unwrap().status(), 401, "spent on B");
    let stale = login["access_token"].as_str().unwrap();
    assert_eq!(
        client.get(a.url("/auth/me")).bearer_auth(stale).send().unwrap().status(),
        401,
        "family revoked"
    );
    let login = json_of(client.post(a.url("/auth/login")).json(&creds).send().unwrap());
    let token = login["access_token"].as_str().unwrap().to_string();

    // A document and an age proof, made on A.
    let doc = a.upload(&client, &token, "p.pdf", b"passport", "identity");
    let doc_id = doc["document"]["id"].as_str().unwrap_or_else(|| panic!("upload: {doc}")).to_string();
    let proof = json_of(
        client
            .post(a.url(&format!("/vault/documents/{doc_id}/proofs")))
            .bearer_auth(&token)
            .json(&json!({"proof_type": "age_proof", "birth_date": "1990-05-17", "min_age": 18}))
            .send()
            .unwrap(),
    );
    let proof = &proof["proof"];

    // A link with 5 accesses, 40 concurrent opens over both replicas: exactly 5 succeed.
    let link = |extra: Value| {
        let mut body = json!({"document_id": doc_id, "proof_id": proof["id"], "access_level": "proof_only"});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        json_of(client.post(a.url("/vault/share-links")).bearer_auth(&token).json(&body).send().unwrap())
            ["link"]
            .clone()
    };
    let limited = link(json!({"max_accesses": 5}));
    let path = format!("/vault/share/{}", limited["token"].as_str().unwrap());
    let urls: Vec<String> = (0..40).map(|i| if i % 2 == 0 { a.url(&path) } else { b.url(&path) }).collect();
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = urls
            .iter()
            .map(|url| scope.spawn(move || reqwest::blocking::get(url).unwrap().status().as_u16()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 5, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 404).count(), 35, "{statuses:?}");

    // Revoked on A: a 404 on B at once, even right after B cached the bundle.
    let open = link(json!({}));
    let bundle = format!("/vault/share/{}/bundle", open["token"].as_str().unwrap());
    assert_eq!(reqwest::blocking::get(b.url(&bundle)).unwrap().status(), 200);
    let revoked = client
        .delete(a.url(&format!("/vault/share-links/{}", open["id"].as_str().unwrap())))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(revoked.status(), 204);
    assert_eq!(reqwest::blocking::get(b.url(&bundle)).unwrap().status(), 404);
    // Both replicas publish the same signing key.
    let keys_a = json_of(reqwest::blocking::get(a.url("/.well-known/honestly-keys.json")).unwrap());
    assert_eq!(keys_a, json_of(reqwest::blocking::get(b.url("/.well-known/honestly-keys.json")).unwrap()));

    // A signature accepted by A is a replay on B; a nullifier consumed on A is used on B.
    let params = json!({"proof_type": "age_proof_v2", "proof": proof["proof"], "public_signals": proof["public_signals"]});
    let request = envelope("replica-bot", "verify_proof", params.clone());
    let (status, first) = post_signed(&client, a, "/ai/verify-proof", AI, &request);
    assert_eq!((status, &first["data"]["verified"]), (200, &json!(true)), "{first}");
    let (status, again) = post_signed(&client, b, "/ai/verify-proof", AI, &request);
    assert_eq!((status, again["error"]["code"].as_str()), (409, Some("REPLAYED_REQUEST")));
    let fresh = envelope("replica-bot", "verify_proof", params.clone());
    let (_, used) = post_signed(&client, b, "/ai/verify-proof", AI, &fresh);
    assert_eq!(used["data"]["reason"], "nullifier_used", "{used}");

    // The per-credential limit (10 per minute) is shared: 14 calls over both with the second
    // secret (the first has been used above), 10 pass.
    let hash = json!({"document_sha256": "ab".repeat(32)});
    let passed = (0..14)
        .filter(|i| {
            let server = if i % 2 == 0 { a } else { b };
            let body = envelope("counted-bot", "get_document_hash", hash.clone());
            post_signed(&client, server, "/ai/get-document-hash", AI_2, &body).0 != 429
        })
        .count();
    assert_eq!(passed, 10, "the credential's limit holds over both replicas together");

    // After both restart the nullifier is still used.
    let pair = pair.restart();
    for server in [&pair.a, &pair.b] {
        let body = envelope("replica-bot", "verify_proof", params.clone());
        let (_, used) = post_signed(&client, server, "/ai/verify-proof", AI, &body);
        assert_eq!(used["data"]["reason"], "nullifier_used", "{used}");
    }
}

#[test]
fn two_replicas_on_one_sqlite_file_and_one_redis_behave_as_one_service() {
    replicas_behave_as_one_service(&SharedStore::sqlite(), "nora");
}

#[test]
fn two_replicas_on_one_neo4j_and_one_redis_behave_as_one_service() {
    let Some(store) = SharedStore::neo4j() else { return };
    // The Neo4j database outlives the test: a fresh user name each run.
    let user = format!("nora{}", &honestly_core::ids::UserId::generate().as_str()[4..16]);
    replicas_behave_as_one_service(&store, &user);
}
