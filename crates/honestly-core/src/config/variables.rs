//! Every variable of the configuration, declared once: its name, meaning, default, how it is
//! read (type, range, checks) and how `honestly config check` shows it. The order is the order
//! of reading and of `describe()`; a variable's `read` may use the variables declared above it.
//!
//! `.env.example` and the table of `docs/configuration.md` list exactly these variables with
//! these defaults (checked by `tests/env_example.rs`).

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

use ipnet::IpNet;

use super::declare::declare_variables;
use super::declare::DefaultText::{Derived, Fixed, Generated, PerEnvironment, Unset};
use super::read::{database_url, is_http_url, Origins};
use super::show::{database, listed, mask_url, masked, masked_or_not_set, or_not_set};
use super::{DatabaseUrl, Environment, LogFormat};
use Environment::{Development, Production};

declare_variables! {
    /// development (generates missing secrets) or production (strict; refuses weak setups)
    "ENVIRONMENT" => environment: Environment {
        default: Fixed("development"),
        read: |v| v.choice(
            Development,
            &[
                ("development", Development),
                ("dev", Development),
                ("production", Production),
                ("prod", Production),
            ],
            "development or production",
            Production,
        ),
        show: |c| c.environment.as_str().into(),
    }
    /// address to bind
    "HOST" => host: IpAddr {
        default: PerEnvironment { development: "127.0.0.1", production: "0.0.0.0" },
        read: |v| {
            let address = if environment == Production { Ipv4Addr::UNSPECIFIED } else { Ipv4Addr::LOCALHOST };
            v.parse(IpAddr::V4(address), "an IP address")
        },
        show: |c| c.host.to_string(),
    }
    /// port to bind (0 picks a free one)
    "PORT" => port: u16 {
        default: Fixed("8000"),
        read: |v| v.parse(8000, "a port number (0-65535)"),
        show: |c| c.port.to_string(),
    }
    /// where the database, keys and (development only) generated secrets live
    "DATA_DIR" => data_dir: PathBuf {
        default: Fixed("./data"),
        read: |v| PathBuf::from(v.text("./data")),
        show: |c| c.data_dir.display().to_string(),
    }
    /// storage backend: sqlite://PATH, neo4j://HOST:PORT or bolt://HOST:PORT
    "DATABASE_URL" => database: DatabaseUrl {
        default: Derived("sqlite://DATA_DIR/honestly.db"),
        read: |v| {
            let embedded = DatabaseUrl::Sqlite(data_dir.join("honestly.db"));
            v.convert(embedded, |url| database_url(url, &data_dir))
        },
        show: |c| database(&c.database),
    }
    /// Neo4j URI kept for compatibility with the original deployment's variables
    "NEO4J_URI" => neo4j_uri: Option<String> {
        default: Unset,
        read: |v| v.value(),
        show: |c| or_not_set(c.neo4j_uri.as_deref()),
    }
    /// Neo4j user
    "NEO4J_USER" => neo4j_user: String {
        default: Fixed("neo4j"),
        read: |v| v.text("neo4j"),
        show: |c| c.neo4j_user.clone(),
    }
    /// Neo4j password, taken as given (not trimmed)
    "NEO4J_PASS" secret => neo4j_pass: Option<String> {
        default: Unset,
        read: |v| v.raw(),
        show: |c| masked_or_not_set(&c.secrets.neo4j_pass),
    }
    /// size of the Neo4j connection pool
    "NEO4J_MAX_CONNECTIONS" => neo4j_max_connections: u32 {
        default: Fixed("50"),
        read: |v| v.count(50, 1, 1000),
        show: |c| c.neo4j_max_connections.to_string(),
    }
    /// HMAC key of access tokens
    "JWT_SECRET" secret => jwt_secret: Option<String> {
        default: Generated,
        read: |v| v.value(),
        show: |c| masked(&c.secrets.jwt_secret),
    }
    /// AI-agent HMAC secret(s), comma-separated for rotation (the first is current)
    "AI_AGENT_SECRET" secret => ai_agent_secret: Option<String> {
        default: Generated,
        read: |v| v.value(),
        show: |c| c.secrets.ai_agent_secrets.iter().map(masked).collect::<Vec<_>>().join(","),
    }
    /// vault master key(s), 32 bytes each, comma-separated for rotation (the first is current)
    "VAULT_MASTER_KEY" secret => vault_master_key: Option<String> {
        default: Generated,
        read: |v| v.value(),
        show: |c| masked(&c.secrets.vault_master_key),
    }
    /// bearer token for the metrics routes
    "MONITORING_TOKEN" secret => monitoring_token: Option<String> {
        default: Unset,
        read: |v| v.value(),
        show: |c| masked_or_not_set(&c.secrets.monitoring_token),
    }
    /// Ed25519 seed signing share bundles, the same on every replica
    "BUNDLE_SIGNING_KEY" secret => bundle_signing_key: Option<String> {
        default: Unset,
        read: |v| v.value(),
        show: |c| masked_or_not_set(&c.secrets.bundle_signing_key),
    }
    /// access-token lifetime, seconds
    "JWT_ACCESS_EXPIRY" => jwt_access_expiry: Duration {
        default: Fixed("3600"),
        read: |v| v.seconds(3600, 60, 86_400),
        show: |c| c.jwt_access_expiry.as_secs().to_string(),
    }
    /// refresh-token lifetime, seconds (longer than JWT_ACCESS_EXPIRY)
    "JWT_REFRESH_EXPIRY" => jwt_refresh_expiry: Duration {
        default: Fixed("604800"),
        read: |v| {
            let expiry = v.seconds(604_800, 300, 7_776_000);
            v.ensure(expiry, |e| *e > jwt_access_expiry, "must be longer than JWT_ACCESS_EXPIRY")
        },
        show: |c| c.jwt_refresh_expiry.as_secs().to_string(),
    }
    /// requests per minute per AI-agent credential (a service secret, or a delegated agent)
    "AI_AGENT_RATE_LIMIT" => ai_agent_rate_limit: u32 {
        default: Fixed("100"),
        read: |v| v.count(100, 1, 1_000_000),
        show: |c| c.ai_agent_rate_limit.to_string(),
    }
    /// document look-ups by SHA-256 per minute per AI-agent credential
    "AI_HASH_LOOKUP_RATE_LIMIT" => ai_hash_lookup_rate_limit: u32 {
        default: Fixed("30"),
        read: |v| v.count(30, 1, 1_000_000),
        show: |c| c.ai_hash_lookup_rate_limit.to_string(),
    }
    /// allowed clock difference of signed agent requests, seconds
    "AI_SIGNATURE_TOLERANCE" => ai_signature_tolerance: Duration {
        default: Fixed("300"),
        read: |v| v.seconds(300, 1, 3600),
        show: |c| c.ai_signature_tolerance.as_secs().to_string(),
    }
    /// general per-IP limiter on/off
    "RATE_LIMIT_ENABLED" => rate_limit_enabled: bool {
        default: Fixed("true"),
        read: |v| v.flag(true),
        show: |c| c.rate_limit.enabled.to_string(),
    }
    /// sustained requests per minute per client IP
    "RATE_LIMIT_PER_MINUTE" => rate_limit_per_minute: u32 {
        default: Fixed("600"),
        read: |v| v.count(600, 1, 10_000_000),
        show: |c| c.rate_limit.per_minute.to_string(),
    }
    /// requests a client IP may make at once
    "RATE_LIMIT_BURST" => rate_limit_burst: u32 {
        default: Fixed("100"),
        read: |v| v.count(100, 1, 1_000_000),
        show: |c| c.rate_limit.burst.to_string(),
    }
    /// Redis shared by every replica (redis:// or rediss://); unset: limits are per process
    "RATE_LIMIT_REDIS_URL" => rate_limit_redis_url: Option<String> {
        default: Unset,
        read: |v| {
            let url = v.value();
            let redis = |u: &str| u.starts_with("redis://") || u.starts_with("rediss://");
            v.ensure(url, |u| u.as_deref().is_none_or(redis), "must start with redis:// or rediss://")
        },
        show: |c| c.rate_limit_redis_url.as_deref().map_or("(not set)".into(), mask_url),
    }
    /// seconds; slower requests are logged as warnings and counted as slow
    "SLOW_REQUEST_THRESHOLD" => slow_request_threshold: Duration {
        default: Fixed("0.2"),
        read: |v| v.fractional_seconds(0.2, 3600.0),
        show: |c| c.slow_request_threshold.as_secs_f64().to_string(),
    }
    /// seconds before a running request is answered with 503
    "REQUEST_TIMEOUT" => request_timeout: Duration {
        default: Fixed("30"),
        read: |v| v.seconds(30, 1, 3600),
        show: |c| c.request_timeout.as_secs().to_string(),
    }
    /// seconds before the first webhook retry; each next retry waits twice as long (at most 1 h)
    "WEBHOOK_RETRY_BASE" => webhook_retry_base: Duration {
        default: Fixed("5"),
        read: |v| v.fractional_seconds(5.0, 3600.0),
        show: |c| c.webhook_retry_base.as_secs_f64().to_string(),
    }
    /// seconds between two looks for due webhook deliveries (enqueues on this replica wake it at once)
    "WEBHOOK_POLL_INTERVAL" => webhook_poll_interval: Duration {
        default: Fixed("1"),
        read: |v| v.fractional_seconds(1.0, 60.0),
        show: |c| c.webhook_poll_interval.as_secs_f64().to_string(),
    }
    /// seconds to resolve and connect to a webhook receiver
    "WEBHOOK_CONNECT_TIMEOUT" => webhook_connect_timeout: Duration {
        default: Fixed("5"),
        read: |v| v.seconds(5, 1, 60),
        show: |c| c.webhook_connect_timeout.as_secs().to_string(),
    }
    /// seconds one webhook delivery attempt may take, answer included
    "WEBHOOK_TIMEOUT" => webhook_timeout: Duration {
        default: Fixed("10"),
        read: |v| v.seconds(10, 1, 300),
        show: |c| c.webhook_timeout.as_secs().to_string(),
    }
    /// seconds a CPU-heavy job (proving, password hashing, verifying) waits for a place in the pool before the request is answered 503 (1-600)
    "CPU_QUEUE_WAIT" => cpu_queue_wait: Duration {
        default: Fixed("2"),
        read: |v| v.seconds(2, 1, 600),
        show: |c| c.cpu_queue_wait.as_secs().to_string(),
    }
    /// batch single verifications that arrive while the CPU pool is busy (off: each runs on its own)
    "VERIFY_BATCHING" => verify_batching: bool {
        default: Fixed("true"),
        read: |v| v.flag(true),
        show: |c| c.verify_batching.to_string(),
    }
    /// most proofs checked in one batch across requests (1-256)
    "VERIFY_BATCH_MAX" => verify_batch_max: u32 {
        default: Fixed("32"),
        read: |v| v.count(32, 1, 256),
        show: |c| c.verify_batch_max.to_string(),
    }
    /// microseconds a batch waits for more proofs when fewer than VERIFY_BATCH_MAX are queued (0-10000)
    "VERIFY_BATCH_WAIT_US" => verify_batch_wait_us: u32 {
        default: Fixed("0"),
        read: |v| v.count(0, 0, 10_000),
        show: |c| c.verify_batch_wait_us.to_string(),
    }
    /// most verifications waiting for a batch; more are answered 503 with Retry-After (1-65536)
    "VERIFY_QUEUE_MAX" => verify_queue_max: u32 {
        default: Fixed("4096"),
        read: |v| v.count(4096, 1, 65_536),
        show: |c| c.verify_queue_max.to_string(),
    }
    /// comma-separated CORS origins; * is refused in production
    "ALLOWED_ORIGINS" => allowed_origins: Origins {
        default: PerEnvironment {
            development: "http://localhost:3000,http://localhost:8000",
            production: "",
        },
        read: |v| match environment {
            Production => v.origins(&[]),
            Development => v.origins(&["http://localhost:3000", "http://localhost:8000"]),
        },
        show: |c| listed(&c.allowed_origins),
    }
    /// public base URL of share links
    "SHARE_LINK_BASE_URL" => share_link_base_url: String {
        default: Derived("http://localhost:PORT"),
        read: |v| {
            let url = v.text(format!("http://localhost:{port}")).trim_end_matches('/').to_string();
            v.ensure(url, |u| is_http_url(u), "must be an http(s) URL")
        },
        show: |c| c.share_link_base_url.clone(),
    }
    /// seconds a share bundle stays cached
    "SHARE_BUNDLE_CACHE_TTL" => share_bundle_cache_ttl: Duration {
        default: Fixed("60"),
        read: |v| v.seconds(60, 0, 86_400),
        show: |c| c.share_bundle_cache_ttl.as_secs().to_string(),
    }
    /// seconds document metadata stays cached
    "DOCUMENT_CACHE_TTL" => document_cache_ttl: Duration {
        default: Fixed("300"),
        read: |v| v.seconds(300, 0, 86_400),
        show: |c| c.document_cache_ttl.as_secs().to_string(),
    }
    /// largest upload in bytes (1 byte to 1 GiB)
    "MAX_UPLOAD_BYTES" => max_upload_bytes: u64 {
        default: Fixed("10485760"),
        read: |v| {
            let bytes = v.parse(10 * 1024 * 1024, "a number of bytes");
            v.ensure(bytes, |b| (1..=1024 * 1024 * 1024).contains(b), "must be between 1 byte and 1 GiB")
        },
        show: |c| c.max_upload_bytes.to_string(),
    }
    /// open sign-up
    "ALLOW_REGISTRATION" => allow_registration: bool {
        default: PerEnvironment { development: "true", production: "false" },
        read: |v| v.flag(environment == Development),
        show: |c| c.allow_registration.to_string(),
    }
    /// comma-separated IPs/CIDRs of the proxies whose X-Forwarded-For is believed
    "TRUSTED_PROXIES" => trusted_proxies: Vec<IpNet> {
        default: Unset,
        read: |v| v.networks(),
        show: |c| listed(&c.trusted_proxies),
    }
    /// log lines as json or pretty text
    "LOG_FORMAT" => log_format: LogFormat {
        default: PerEnvironment { development: "pretty", production: "json" },
        read: |v| v.choice(
            if environment == Production { LogFormat::Json } else { LogFormat::Pretty },
            &[("json", LogFormat::Json), ("pretty", LogFormat::Pretty), ("text", LogFormat::Pretty)],
            "json or pretty",
            LogFormat::Json,
        ),
        show: |c| match c.log_format {
            LogFormat::Pretty => "pretty".into(),
            LogFormat::Json => "json".into(),
        },
    }
    /// a tracing filter directive (RUST_LOG overrides it)
    "LOG_LEVEL" => log_level: String {
        default: Fixed("info"),
        read: |v| v.text("info"),
        show: |c| c.log_level.clone(),
    }
    /// development-only routes used by the project's own tests; refused in production
    "HONESTLY_TEST_ROUTES" => test_routes: bool {
        default: Fixed("false"),
        read: |v| v.flag(false),
        show: |c| c.test_routes.to_string(),
    }
    /// keys of the built-in circuits, generated on first start when missing
    "ZK_KEYS_DIR" => zk_keys_dir: PathBuf {
        default: Derived("DATA_DIR/zk"),
        read: |v| v.value().map_or_else(|| data_dir.join("zk"), PathBuf::from),
        show: |c| c.zk_keys_dir.display().to_string(),
    }
}
