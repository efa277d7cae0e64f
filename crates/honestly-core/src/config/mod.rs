//! Configuration: read once from the environment (and a `.env` file), parsed into a typed
//! [`Config`], validated as a whole so every problem is reported at once.
//!
//! Loading never touches the process environment: callers pass the variables in, which keeps
//! tests independent of each other and of the machine.

mod declare;
mod dev_secrets;
mod problem;
mod read;
mod settle;
mod show;
mod strength;
mod validate;
mod variables;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use ipnet::IpNet;
use secrecy::SecretString;

pub use declare::{DefaultText, Variable};
pub use dev_secrets::DevSecretsOutcome;
pub use problem::ConfigProblem;
pub use show::mask_secret;
pub use strength::decode_key32;
pub use variables::VARIABLES;

/// Where the server runs: development generates missing secrets, production refuses them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// A developer's machine: friendly defaults, generated secrets, detailed 5xx bodies.
    Development,
    /// A deployment: strict secrets, opaque errors, JSON logs.
    Production,
}

impl Environment {
    /// The name used in `ENVIRONMENT`.
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Development => "development",
            Environment::Production => "production",
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable, coloured when the output is a terminal.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// Which storage backend `DATABASE_URL` selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// The embedded SQLite database at this path.
    Sqlite(PathBuf),
    /// A Neo4j server reached over Bolt (`neo4j://` or `bolt://`).
    Neo4j(String),
}

/// The secrets the server needs. They never print: [`SecretString`] hides them from `Debug`.
#[derive(Debug, Clone)]
pub struct Secrets {
    /// HMAC key of access tokens (HS256).
    pub jwt_secret: SecretString,
    /// Deployment-wide AI-agent secrets; the first one is current, any verifies.
    pub ai_agent_secrets: Vec<SecretString>,
    /// Master key of the vault, from which per-user document keys are derived.
    pub vault_master_key: SecretString,
    /// Bearer token for the metrics routes, if set.
    pub monitoring_token: Option<SecretString>,
    /// Ed25519 seed of the bundle-signing key shared by every replica (32 bytes, hex or
    /// base64); without it each data directory makes its own key.
    pub bundle_signing_key: Option<SecretString>,
    /// Password of the Neo4j user, if set.
    pub neo4j_pass: Option<SecretString>,
}

/// The general rate limit applied to public routes, per client IP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitSettings {
    /// Whether limits are enforced at all (`RATE_LIMIT_ENABLED`).
    pub enabled: bool,
    /// Sustained requests per minute per client (`RATE_LIMIT_PER_MINUTE`).
    pub per_minute: u32,
    /// Requests a client may make at once before the sustained rate applies (`RATE_LIMIT_BURST`).
    pub burst: u32,
}

/// The whole typed configuration of a server process.
#[derive(Debug, Clone)]
pub struct Config {
    /// `ENVIRONMENT`.
    pub environment: Environment,
    /// `HOST`: the address to bind.
    pub host: IpAddr,
    /// `PORT`: the port to bind (0 picks a free one).
    pub port: u16,
    /// `DATA_DIR`: where the database, keys and generated secrets live.
    pub data_dir: PathBuf,
    /// `DATABASE_URL`, resolved against `DATA_DIR`.
    pub database: DatabaseUrl,
    /// `NEO4J_URI`, kept for compatibility with the original deployment's variables.
    pub neo4j_uri: Option<String>,
    /// `NEO4J_USER`.
    pub neo4j_user: String,
    /// `NEO4J_MAX_CONNECTIONS`.
    pub neo4j_max_connections: u32,
    /// Secrets (see [`Secrets`]).
    pub secrets: Secrets,
    /// `JWT_ACCESS_EXPIRY`: lifetime of access tokens.
    pub jwt_access_expiry: Duration,
    /// `JWT_REFRESH_EXPIRY`: lifetime of refresh tokens.
    pub jwt_refresh_expiry: Duration,
    /// `AI_AGENT_RATE_LIMIT`: requests per minute per agent credential.
    pub ai_agent_rate_limit: u32,
    /// `AI_HASH_LOOKUP_RATE_LIMIT`: document look-ups by SHA-256 per minute per agent credential.
    pub ai_hash_lookup_rate_limit: u32,
    /// `AI_SIGNATURE_TOLERANCE`: how far an agent's timestamp may be from the server clock.
    pub ai_signature_tolerance: Duration,
    /// The general limiter (`RATE_LIMIT_ENABLED`, `RATE_LIMIT_PER_MINUTE`, `RATE_LIMIT_BURST`).
    pub rate_limit: RateLimitSettings,
    /// `RATE_LIMIT_REDIS_URL`: shared limits across replicas, when set.
    pub rate_limit_redis_url: Option<String>,
    /// `SLOW_REQUEST_THRESHOLD`: requests slower than this are logged and counted as slow.
    pub slow_request_threshold: Duration,
    /// `REQUEST_TIMEOUT`: a request running longer is answered with 503.
    pub request_timeout: Duration,
    /// `WEBHOOK_RETRY_BASE`: the first webhook retry's delay (each next one doubles).
    pub webhook_retry_base: Duration,
    /// `WEBHOOK_POLL_INTERVAL`: how often the delivery worker looks for due events.
    pub webhook_poll_interval: Duration,
    /// `WEBHOOK_CONNECT_TIMEOUT`: to resolve and connect to a receiver.
    pub webhook_connect_timeout: Duration,
    /// `WEBHOOK_TIMEOUT`: one delivery attempt, answer included.
    pub webhook_timeout: Duration,
    /// `CPU_QUEUE_WAIT`: how long CPU-heavy work waits for a place in the pool before 503.
    pub cpu_queue_wait: Duration,
    /// `VERIFY_BATCHING`: single verifications arriving while the CPU pool is busy are
    /// checked in batches.
    pub verify_batching: bool,
    /// `VERIFY_BATCH_MAX`: most proofs in one batch across requests.
    pub verify_batch_max: u32,
    /// `VERIFY_BATCH_WAIT_US`: how long a batch waits for more proofs, in microseconds.
    pub verify_batch_wait_us: u32,
    /// `VERIFY_QUEUE_MAX`: most verifications waiting for a batch.
    pub verify_queue_max: u32,
    /// `ALLOWED_ORIGINS`: the browser origins CORS allows.
    pub allowed_origins: Vec<String>,
    /// `SHARE_LINK_BASE_URL`: the public base URL share links are built on.
    pub share_link_base_url: String,
    /// `SHARE_BUNDLE_CACHE_TTL`.
    pub share_bundle_cache_ttl: Duration,
    /// `DOCUMENT_CACHE_TTL`.
    pub document_cache_ttl: Duration,
    /// `MAX_UPLOAD_BYTES`.
    pub max_upload_bytes: u64,
    /// `ALLOW_REGISTRATION`.
    pub allow_registration: bool,
    /// `TRUSTED_PROXIES`: peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpNet>,
    /// `LOG_FORMAT`.
    pub log_format: LogFormat,
    /// `LOG_LEVEL` (a `tracing` filter directive).
    pub log_level: String,
    /// `HONESTLY_TEST_ROUTES`: development-only routes used by the project's own tests.
    pub test_routes: bool,
    /// `ZK_KEYS_DIR`: where the built-in circuits' keys live (default `DATA_DIR/zk`).
    pub zk_keys_dir: PathBuf,
}

/// The variables read from the process environment merged over a `.env` file.
pub type EnvMap = BTreeMap<String, String>;

/// Reads the process environment over the `.env` file in the current directory, if any.
/// Variables from the process win over the file.
pub fn environment_with_dotenv() -> EnvMap {
    let mut vars = EnvMap::new();
    if let Ok(iter) = dotenvy::dotenv_iter() {
        for (key, value) in iter.flatten() {
            vars.insert(key, value);
        }
    }
    vars.extend(std::env::vars());
    vars
}

/// Where a process keeps its data, read from the variables without loading (or generating)
/// any secret: for commands that must not write into `DATA_DIR` before they look at it
/// (`honestly restore` fills an empty one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataLocation {
    /// `DATA_DIR`.
    pub data_dir: PathBuf,
    /// `DATABASE_URL`, resolved against `DATA_DIR`.
    pub database: DatabaseUrl,
    /// `ZK_KEYS_DIR`.
    pub zk_keys_dir: PathBuf,
}

impl DataLocation {
    /// Parses the variables (every problem reported, as [`Config::load`] does) and keeps
    /// only where the data lives. Nothing is read from or written to `DATA_DIR`.
    pub fn from_vars(vars: &EnvMap) -> Result<Self, Vec<ConfigProblem>> {
        let parsed = variables::parse(vars)?;
        Ok(Self { data_dir: parsed.data_dir, database: parsed.database, zk_keys_dir: parsed.zk_keys_dir })
    }
}

/// The outcome of loading: a configuration ready to use, plus notes for the operator
/// (for example that development secrets were generated).
#[derive(Debug)]
pub struct Loaded {
    /// The validated configuration.
    pub config: Config,
    /// Warnings to log at start.
    pub warnings: Vec<String>,
}

impl Config {
    /// Parses and validates the configuration from `vars`. In development, secrets that are
    /// not set are taken from (or generated once into) `DATA_DIR/dev-secrets.json`.
    /// Returns every problem found, not just the first.
    pub fn load(vars: &EnvMap) -> Result<Loaded, Vec<ConfigProblem>> {
        let parsed = variables::parse(vars)?;
        let mut warnings = validate::validate(&parsed)?;
        let config = match parsed.environment {
            Environment::Production => parsed.into_config(None)?,
            Environment::Development => {
                let (secrets, outcome) = dev_secrets::load_or_create(&parsed.data_dir)
                    .map_err(|e| vec![ConfigProblem::new("DATA_DIR", e.to_string())])?;
                if let Some(note) = outcome.note() {
                    warnings.push(note);
                }
                parsed.into_config(Some(secrets))?
            }
        };
        Ok(Loaded { config, warnings })
    }

    /// Whether this is a production deployment.
    pub fn is_production(&self) -> bool {
        self.environment == Environment::Production
    }

    /// The directory of operator-added snarkjs keys (`DATA_DIR/zk/external`).
    pub fn zk_external_dir(&self) -> PathBuf {
        self.data_dir.join("zk").join("external")
    }

    /// The effective configuration as `(VARIABLE, value)` pairs, secrets masked, for
    /// `honestly config check`: every variable of [`VARIABLES`], in that order.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        variables::describe(self)
    }
}

#[cfg(test)]
mod tests;
