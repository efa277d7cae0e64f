//! The shared backend: Neo4j over Bolt (`neo4rs`), for replicas behind a load balancer.
//!
//! Graph model: `(:User)-[:OWNS]->(:Document)`, `(:Proof)-[:PROVES]->(:Document)`,
//! `(:ShareLink)-[:FOR_DOCUMENT]->(:Document)`, `(:Agent)-[:ACTS_FOR]->(:User)`,
//! `(:Session)-[:OF_USER]->(:User)`, `(:RefreshToken)-[:IN_SESSION]->(:Session)`,
//! `(:RegistryLeaf)-[:LEAF_OF]->(:Document)`, `(:User)-[:MEMBER_OF]->(:Issuer)`,
//! `(:CredentialRequest)-[:REQUESTED_OF]->(:Issuer)`, `(:IssuedCredential)-[:ISSUED_BY]->(:Issuer)`,
//! `(:HolderSecret)-[:SECRET_OF]->(:User)`, `(:ProofRequest)-[:REQUESTED_BY]->(:User)`,
//! `(:HeldCredential)`, `(:ProofRequestAnswer)`, and standalone `(:Nullifier)`, `(:SignedRequest)`, `(:AuditEvent)`,
//! `(:TimelineEvent)`, `(:RegistryRoot)`, `(:RevokedAccessToken)`, `(:LoginFailure)`. Ids are
//! also kept as properties (`user_id`, `document_id`) so every hot lookup is one index seek.
//!
//! Atomicity: an operation that decides something (consume an access, rotate a token, append
//! to the audit chain or the registry, cap agents, compare-and-swap a ciphertext) runs in one
//! explicit transaction whose first statement takes the write lock of the node that guards
//! the decision (`SET n._lock = true REMOVE n._lock`); every later read in that transaction
//! sees the latest committed state, and concurrent callers queue on the lock. Concurrent
//! share-link access consumptions of one process share such a transaction, one per group (see
//! `link_access_queue`). Singletons
//! (`(:RegistryHead)`, `(:AuditHead)`) guard global chains and `(:AdminGuard)` the account
//! changes that could leave no administrator; `(:Sequence)` nodes number each user's records
//! so lists keep insertion order. Nullifiers rely on `MERGE` over a unique property. Every
//! call is bounded by a timeout so a dead server never hangs a request.

mod agents;
mod audit;
mod credential_requests;
mod credentials;
mod documents;
mod erasure;
mod holder_secrets;
mod issuers;
mod link_access_group;
mod link_access_queue;
mod link_row;
mod links;
mod nullifiers;
mod proof_requests;
mod proofs;
mod replay;
mod schema;
mod sessions;
mod timeline;
mod users;
mod webhooks;

use std::future::Future;
use std::time::Duration;

use async_trait::async_trait;
use neo4rs::{ConfigBuilder, Graph, Query, Row, Txn};
use serde::de::DeserializeOwned;

use honestly_core::store::{Store, StoreError};

pub use schema::hot_path_queries;

/// How long one store call may take, connection included, before it fails as unavailable.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// How to reach the server.
#[derive(Debug, Clone)]
pub struct Neo4jOptions {
    /// `neo4j://host:port` or `bolt://host:port`.
    pub url: String,
    /// The database user.
    pub user: String,
    /// Its password.
    pub password: String,
    /// Size of the connection pool.
    pub max_connections: usize,
    /// Bound of every store call.
    pub timeout: Duration,
}

/// The Neo4j store.
pub struct Neo4jStore {
    graph: Graph,
    timeout: Duration,
    /// Where share-link accesses queue to be consumed in groups; `None` in the handle the
    /// grouping task itself runs them with.
    access_queue: Option<link_access_queue::AccessQueue>,
}

/// Runs `$body` (which may use `?` and `$tx`) inside one write transaction: committed when the
/// body returns `Ok`, rolled back otherwise; retried a few times on transient errors
/// (deadlocks); bounded as a whole by the store's timeout.
macro_rules! in_tx {
    ($store:expr, |$tx:ident| $body:block) => {{
        let store: &$crate::neo4j::Neo4jStore = $store;
        store
            .bounded(async {
                let mut attempt = 0u32;
                loop {
                    attempt += 1;
                    let mut $tx = store.begin().await?;
                    let result: Result<_, honestly_core::store::StoreError> = async { $body }.await;
                    let outcome = match result {
                        Ok(value) => $tx.commit().await.map(|()| value),
                        Err(e) => {
                            $tx.rollback().await;
                            Err(e)
                        }
                    };
                    match outcome {
                        Err(e) if attempt < 4 && $crate::neo4j::is_transient(&e) => {
                            tokio::time::sleep(std::time::Duration::from_millis(10 * u64::from(attempt)))
                                .await;
                        }
                        other => break other,
                    }
                }
            })
            .await
    }};
}
pub(crate) use in_tx;

/// One open transaction.
pub(crate) struct Tx {
    txn: Option<Txn>,
}

impl Tx {
    /// Runs `q` and collects its rows.
    pub(crate) async fn rows(&mut self, q: Query) -> Result<Vec<Row>, StoreError> {
        let txn = self.txn.as_mut().ok_or_else(|| StoreError::internal("transaction closed"))?;
        let mut stream = txn.execute(q).await.map_err(from_neo4j)?;
        let mut rows = Vec::new();
        while let Some(row) = stream.next(txn.handle()).await.map_err(from_neo4j)? {
            rows.push(row);
        }
        Ok(rows)
    }

    /// Runs `q` and deserialises its rows.
    pub(crate) async fn fetch<T: DeserializeOwned>(&mut self, q: Query) -> Result<Vec<T>, StoreError> {
        self.rows(q).await?.iter().map(decode).collect()
    }

    /// Runs `q` and deserialises its first row, if any.
    pub(crate) async fn fetch_one<T: DeserializeOwned>(&mut self, q: Query) -> Result<Option<T>, StoreError> {
        Ok(self.fetch(q).await?.into_iter().next())
    }

    /// Runs `q`, discarding rows.
    pub(crate) async fn run(&mut self, q: Query) -> Result<(), StoreError> {
        let txn = self.txn.as_mut().ok_or_else(|| StoreError::internal("transaction closed"))?;
        txn.run(q).await.map_err(from_neo4j)?;
        Ok(())
    }

    /// Takes the write lock of the node `(:label {key: value})` until the transaction ends;
    /// false when there is no such node.
    pub(crate) async fn lock(&mut self, label: &str, key: &str, value: &str) -> Result<bool, StoreError> {
        let q = neo4rs::query(&format!(
            "MATCH (n:{label} {{{key}: $value}}) SET n._lock = true REMOVE n._lock RETURN count(n) AS n"
        ))
        .param("value", value);
        let found: Option<Count> = self.fetch_one(q).await?;
        Ok(found.is_some_and(|c| c.n > 0))
    }

    /// Replaces the sealed blob of `(:label {id})` (`key_version`, `nonce` and the ciphertext
    /// property `ciphertext_key`) if it is still under `expected_version`: a compare and swap
    /// under the node's write lock. False when the node is gone or already changed.
    pub(crate) async fn swap_sealed(
        &mut self,
        label: &str,
        id: &str,
        expected_version: &str,
        sealed: &honestly_core::crypto::vault::Sealed,
        ciphertext_key: &str,
    ) -> Result<bool, StoreError> {
        if !self.lock(label, "id", id).await? {
            return Ok(false);
        }
        let q = neo4rs::query(&format!(
            "MATCH (n:{label} {{id: $id}}) WHERE n.key_version = $expected \
             SET n.key_version = $key_version, n.nonce = $nonce, n.{ciphertext_key} = $ciphertext \
             RETURN count(n) AS n"
        ))
        .param("id", id)
        .param("expected", expected_version)
        .param("key_version", sealed.key_version.as_str())
        .param("nonce", sealed.nonce.clone())
        .param("ciphertext", sealed.ciphertext.clone());
        let changed: Option<Count> = self.fetch_one(q).await?;
        Ok(changed.is_some_and(|c| c.n == 1))
    }

    async fn commit(&mut self) -> Result<(), StoreError> {
        match self.txn.take() {
            Some(txn) => txn.commit().await.map(|_| ()).map_err(from_neo4j),
            None => Err(StoreError::internal("transaction closed")),
        }
    }

    async fn rollback(&mut self) {
        if let Some(txn) = self.txn.take() {
            // A failed rollback leaves the connection to the pool's RESET on recycle.
            let _ = txn.rollback().await;
        }
    }
}

/// `RETURN count(…) AS n`.
#[derive(serde::Deserialize)]
pub(crate) struct Count {
    pub(crate) n: i64,
}

/// A row in the shape of `T`; one that does not fit is an internal error whose cause is the
/// driver's account of the mismatch.
pub(crate) fn decode<T: DeserializeOwned>(row: &Row) -> Result<T, StoreError> {
    row.to::<T>().map_err(StoreError::internal)
}

/// Maps a driver error, kept as the cause: constraint violations are conflicts, transport and
/// server-side transient trouble is unavailability, the rest is internal.
pub(crate) fn from_neo4j(e: neo4rs::Error) -> StoreError {
    use neo4rs::Error as E;
    match &e {
        E::Neo4j(err) if err.code().starts_with("Neo.ClientError.Schema.ConstraintValidationFailed") => {
            StoreError::conflict(e)
        }
        E::Neo4j(err)
            if err.code().starts_with("Neo.TransientError.")
                || err.code().starts_with("Neo.ClientError.Security.")
                || err.code().starts_with("Neo.ClientError.Cluster.") =>
        {
            StoreError::unavailable(e)
        }
        E::IOError { .. }
        | E::ConnectionError
        | E::ConnectionTimedOut
        | E::IncompleteBoltExchange
        | E::AuthenticationError(_)
        | E::RequestIgnoredError
        | E::ServerUnavailableError(_)
        | E::Ignored(_) => StoreError::unavailable(e),
        _ => StoreError::internal(e),
    }
}

/// Whether a failed transaction may simply be tried again (deadlock, lock timeout…): the
/// server said so with a `Neo.TransientError.` code.
pub(crate) fn is_transient(e: &StoreError) -> bool {
    let StoreError::Unavailable(cause) = e else { return false };
    matches!(
        cause.downcast_ref::<neo4rs::Error>(),
        Some(neo4rs::Error::Neo4j(err)) if err.code().starts_with("Neo.TransientError.")
    )
}

impl Neo4jStore {
    /// Connects, checks the server answers, and creates the constraints and indexes that are
    /// missing (idempotent, safe to run from several replicas at once).
    pub async fn connect(options: &Neo4jOptions) -> anyhow::Result<Self> {
        let config = ConfigBuilder::default()
            .uri(options.url.as_str())
            .user(options.user.as_str())
            .password(options.password.as_str())
            .max_connections(options.max_connections.max(1))
            .connection_timeout(options.timeout)
            .build()
            .map_err(|e| anyhow::anyhow!("neo4j configuration: {e}"))?;
        let graph = Graph::connect(config).map_err(|e| anyhow::anyhow!("neo4j at {}: {e}", options.url))?;
        let mut store = Self { graph, timeout: options.timeout, access_queue: None };
        store.ping().await.map_err(|e| anyhow::anyhow!("neo4j at {}: {e}", options.url))?;
        schema::create(&store).await.map_err(|e| anyhow::anyhow!("neo4j schema: {e}"))?;
        let runner = Self { graph: store.graph.clone(), timeout: store.timeout, access_queue: None };
        store.access_queue = Some(link_access_queue::AccessQueue::spawn(runner));
        Ok(store)
    }

    /// How many grouped transactions have consumed share-link accesses since the store
    /// connected (each carries one or more concurrent `consume_link_access` calls).
    pub fn access_group_transactions(&self) -> u64 {
        self.access_queue.as_ref().map_or(0, link_access_queue::AccessQueue::groups)
    }

    /// Bounds `fut` by the store's timeout.
    pub(crate) async fn bounded<T>(
        &self,
        fut: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(self.timeout, fut).await {
            Ok(result) => result,
            Err(_) => Err(StoreError::unavailable(format!("neo4j did not answer within {:?}", self.timeout))),
        }
    }

    pub(crate) async fn begin(&self) -> Result<Tx, StoreError> {
        let txn = self.graph.start_txn().await.map_err(from_neo4j)?;
        Ok(Tx { txn: Some(txn) })
    }

    /// One auto-commit statement (reads, and writes that need no lock), its rows deserialised.
    pub(crate) async fn fetch<T: DeserializeOwned>(&self, q: Query) -> Result<Vec<T>, StoreError> {
        self.bounded(async {
            let mut stream = self.graph.execute(q).await.map_err(from_neo4j)?;
            let mut out = Vec::new();
            while let Some(row) = stream.next().await.map_err(from_neo4j)? {
                out.push(decode(&row)?);
            }
            Ok(out)
        })
        .await
    }

    /// Like [`Neo4jStore::fetch`], first row only.
    pub(crate) async fn fetch_one<T: DeserializeOwned>(&self, q: Query) -> Result<Option<T>, StoreError> {
        Ok(self.fetch(q).await?.into_iter().next())
    }

    /// One auto-commit statement whose rows do not matter.
    pub(crate) async fn run(&self, q: Query) -> Result<(), StoreError> {
        self.bounded(async { self.graph.run(q).await.map(|_| ()).map_err(from_neo4j) }).await
    }
}

#[async_trait]
impl Store for Neo4jStore {
    fn backend(&self) -> &'static str {
        "neo4j"
    }

    async fn ping(&self) -> Result<(), StoreError> {
        #[derive(serde::Deserialize)]
        struct One {
            one: i64,
        }
        match self.fetch_one::<One>(neo4rs::query("RETURN 1 AS one")).await? {
            Some(One { one: 1 }) => Ok(()),
            _ => Err(StoreError::internal("unexpected answer to RETURN 1")),
        }
    }
}
