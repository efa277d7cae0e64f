//! Turning raw variables into typed values, collecting every problem on the way.

use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use ipnet::IpNet;
use secrecy::SecretString;

use super::dev_secrets::DevSecrets;
use super::{Config, ConfigProblem, DatabaseUrl, EnvMap, Environment, LogFormat, RateLimitSettings, Secrets};

/// Parsed variables before secrets are settled (they may still come from the dev file).
#[derive(Debug)]
pub(super) struct Parsed {
    pub environment: Environment,
    pub host: IpAddr,
    pub port: u16,
    pub data_dir: PathBuf,
    pub database: DatabaseUrl,
    pub neo4j_uri: Option<String>,
    pub neo4j_user: String,
    pub neo4j_pass: Option<String>,
    pub neo4j_max_connections: u32,
    pub jwt_secret: Option<String>,
    pub ai_agent_secret: Option<String>,
    pub vault_master_key: Option<String>,
    pub monitoring_token: Option<String>,
    pub bundle_signing_key: Option<String>,
    pub jwt_access_expiry: Duration,
    pub jwt_refresh_expiry: Duration,
    pub ai_agent_rate_limit: u32,
    pub ai_signature_tolerance: Duration,
    pub rate_limit: RateLimitSettings,
    pub rate_limit_redis_url: Option<String>,
    pub slow_request_threshold: Duration,
    pub request_timeout: Duration,
    pub allowed_origins: Vec<String>,
    pub allowed_origins_raw: Option<String>,
    pub share_link_base_url: String,
    pub share_bundle_cache_ttl: Duration,
    pub document_cache_ttl: Duration,
    pub max_upload_bytes: u64,
    pub allow_registration: bool,
    pub trusted_proxies: Vec<IpNet>,
    pub log_format: LogFormat,
    pub log_level: String,
    pub test_routes: bool,
    pub zk_keys_dir: PathBuf,
}

/// Reads values from the map, remembering every problem.
struct Reader<'a> {
    vars: &'a EnvMap,
    problems: Vec<ConfigProblem>,
}

impl Reader<'_> {
    /// The trimmed value of a variable, `None` when unset or blank.
    fn get(&self, name: &str) -> Option<String> {
        self.vars.get(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
    }

    fn problem(&mut self, name: &str, message: impl Into<String>) {
        self.problems.push(ConfigProblem::new(name, message));
    }

    fn parse<T: FromStr>(&mut self, name: &str, default: T, what: &str) -> T {
        match self.get(name) {
            None => default,
            Some(raw) => raw.parse().unwrap_or_else(|_| {
                self.problem(name, format!("expected {what}, got {raw:?}"));
                default
            }),
        }
    }

    fn bool(&mut self, name: &str, default: bool) -> bool {
        match self.get(name).map(|v| v.to_ascii_lowercase()) {
            None => default,
            Some(v) if matches!(v.as_str(), "1" | "true" | "yes" | "on") => true,
            Some(v) if matches!(v.as_str(), "0" | "false" | "no" | "off") => false,
            Some(v) => {
                self.problem(name, format!("expected true or false, got {v:?}"));
                default
            }
        }
    }

    /// Whole seconds within `min..=max`.
    fn seconds(&mut self, name: &str, default: u64, min: u64, max: u64) -> Duration {
        let value: u64 = self.parse(name, default, "a whole number of seconds");
        if !(min..=max).contains(&value) {
            self.problem(name, format!("must be between {min} and {max} seconds, got {value}"));
            return Duration::from_secs(default);
        }
        Duration::from_secs(value)
    }

    fn count(&mut self, name: &str, default: u32, min: u32, max: u32) -> u32 {
        let value: u32 = self.parse(name, default, "a whole number");
        if !(min..=max).contains(&value) {
            self.problem(name, format!("must be between {min} and {max}, got {value}"));
            return default;
        }
        value
    }
}

/// Parses every variable; fails with all the problems found.
pub(super) fn parse(vars: &EnvMap) -> Result<Parsed, Vec<ConfigProblem>> {
    let mut r = Reader { vars, problems: Vec::new() };

    let environment = match r.get("ENVIRONMENT").map(|v| v.to_ascii_lowercase()).as_deref() {
        None | Some("development") | Some("dev") => Environment::Development,
        Some("production") | Some("prod") => Environment::Production,
        Some(other) => {
            r.problem("ENVIRONMENT", format!("must be development or production, got {other:?}"));
            Environment::Production
        }
    };
    let production = environment == Environment::Production;

    let default_host = if production { "0.0.0.0" } else { "127.0.0.1" };
    let host = r.parse("HOST", IpAddr::from_str(default_host).expect("literal address"), "an IP address");
    let port = r.parse("PORT", 8000u16, "a port number (0-65535)");
    let data_dir = PathBuf::from(r.get("DATA_DIR").unwrap_or_else(|| "./data".into()));

    let database = match r.get("DATABASE_URL") {
        None => DatabaseUrl::Sqlite(data_dir.join("honestly.db")),
        Some(url) => parse_database_url(&url, &data_dir).unwrap_or_else(|message| {
            r.problem("DATABASE_URL", message);
            DatabaseUrl::Sqlite(data_dir.join("honestly.db"))
        }),
    };

    let neo4j_uri = r.get("NEO4J_URI");
    let neo4j_user = r.get("NEO4J_USER").unwrap_or_else(|| "neo4j".into());
    let neo4j_pass = r.vars.get("NEO4J_PASS").cloned();
    let neo4j_max_connections = r.count("NEO4J_MAX_CONNECTIONS", 50, 1, 1000);

    let jwt_access_expiry = r.seconds("JWT_ACCESS_EXPIRY", 3600, 60, 86_400);
    let jwt_refresh_expiry = r.seconds("JWT_REFRESH_EXPIRY", 604_800, 300, 7_776_000);
    if jwt_refresh_expiry <= jwt_access_expiry {
        r.problem("JWT_REFRESH_EXPIRY", "must be longer than JWT_ACCESS_EXPIRY");
    }
    let ai_agent_rate_limit = r.count("AI_AGENT_RATE_LIMIT", 100, 1, 1_000_000);
    let ai_signature_tolerance = r.seconds("AI_SIGNATURE_TOLERANCE", 300, 1, 3600);

    let rate_limit = RateLimitSettings {
        enabled: r.bool("RATE_LIMIT_ENABLED", true),
        per_minute: r.count("RATE_LIMIT_PER_MINUTE", 600, 1, 10_000_000),
        burst: r.count("RATE_LIMIT_BURST", 100, 1, 1_000_000),
    };
    let rate_limit_redis_url = r.get("RATE_LIMIT_REDIS_URL");
    if let Some(url) = &rate_limit_redis_url {
        if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
            r.problem("RATE_LIMIT_REDIS_URL", "must start with redis:// or rediss://");
        }
    }

    let slow: f64 = r.parse("SLOW_REQUEST_THRESHOLD", 0.2, "seconds (e.g. 0.2)");
    let slow_request_threshold = if slow.is_finite() && slow > 0.0 && slow <= 3600.0 {
        Duration::from_secs_f64(slow)
    } else {
        r.problem("SLOW_REQUEST_THRESHOLD", "must be a positive number of seconds up to 3600");
        Duration::from_millis(200)
    };
    let request_timeout = r.seconds("REQUEST_TIMEOUT", 30, 1, 3600);

    let allowed_origins_raw = r.get("ALLOWED_ORIGINS");
    let allowed_origins = match &allowed_origins_raw {
        None if production => Vec::new(),
        None => vec!["http://localhost:3000".into(), "http://localhost:8000".into()],
        Some(raw) => raw
            .split(',')
            .map(|o| o.trim().trim_end_matches('/').to_string())
            .filter(|o| !o.is_empty())
            .collect(),
    };
    for origin in &allowed_origins {
        if origin != "*" && !(origin.starts_with("http://") || origin.starts_with("https://")) {
            r.problem("ALLOWED_ORIGINS", format!("{origin:?} is not an http(s) origin"));
        }
    }

    let share_link_base_url = r
        .get("SHARE_LINK_BASE_URL")
        .unwrap_or_else(|| format!("http://localhost:{port}"))
        .trim_end_matches('/')
        .to_string();
    if !(share_link_base_url.starts_with("http://") || share_link_base_url.starts_with("https://")) {
        r.problem("SHARE_LINK_BASE_URL", "must be an http(s) URL");
    }
    let share_bundle_cache_ttl = r.seconds("SHARE_BUNDLE_CACHE_TTL", 60, 0, 86_400);
    let document_cache_ttl = r.seconds("DOCUMENT_CACHE_TTL", 300, 0, 86_400);
    let max_upload_bytes = r.parse("MAX_UPLOAD_BYTES", 10u64 * 1024 * 1024, "a number of bytes");
    if !(1..=1024 * 1024 * 1024).contains(&max_upload_bytes) {
        r.problem("MAX_UPLOAD_BYTES", "must be between 1 byte and 1 GiB");
    }
    let allow_registration = r.bool("ALLOW_REGISTRATION", !production);

    let mut trusted_proxies = Vec::new();
    for item in r.get("TRUSTED_PROXIES").unwrap_or_default().split(',').map(str::trim) {
        if item.is_empty() {
            continue;
        }
        let parsed = IpNet::from_str(item).or_else(|_| IpAddr::from_str(item).map(IpNet::from));
        match parsed {
            Ok(net) => trusted_proxies.push(net),
            Err(_) => r.problem("TRUSTED_PROXIES", format!("{item:?} is not an IP address or CIDR range")),
        }
    }

    let log_format = match r.get("LOG_FORMAT").map(|v| v.to_ascii_lowercase()).as_deref() {
        None if production => LogFormat::Json,
        None => LogFormat::Pretty,
        Some("json") => LogFormat::Json,
        Some("pretty") | Some("text") => LogFormat::Pretty,
        Some(other) => {
            r.problem("LOG_FORMAT", format!("must be json or pretty, got {other:?}"));
            LogFormat::Json
        }
    };
    let log_level = r.get("LOG_LEVEL").unwrap_or_else(|| "info".into());
    let test_routes = r.bool("HONESTLY_TEST_ROUTES", false);
    let zk_keys_dir = r.get("ZK_KEYS_DIR").map_or_else(|| data_dir.join("zk"), PathBuf::from);

    let parsed = Parsed {
        environment,
        host,
        port,
        data_dir,
        database,
        neo4j_uri,
        neo4j_user,
        neo4j_pass,
        neo4j_max_connections,
        jwt_secret: r.get("JWT_SECRET"),
        ai_agent_secret: r.get("AI_AGENT_SECRET"),
        vault_master_key: r.get("VAULT_MASTER_KEY"),
        monitoring_token: r.get("MONITORING_TOKEN"),
        bundle_signing_key: r.get("BUNDLE_SIGNING_KEY"),
        jwt_access_expiry,
        jwt_refresh_expiry,
        ai_agent_rate_limit,
        ai_signature_tolerance,
        rate_limit,
        rate_limit_redis_url,
        slow_request_threshold,
        request_timeout,
        allowed_origins,
        allowed_origins_raw,
        share_link_base_url,
        share_bundle_cache_ttl,
        document_cache_ttl,
        max_upload_bytes,
        allow_registration,
        trusted_proxies,
        log_format,
        log_level,
        test_routes,
        zk_keys_dir,
    };
    if r.problems.is_empty() {
        Ok(parsed)
    } else {
        Err(r.problems)
    }
}

/// `sqlite://PATH` (relative paths are kept as given), `neo4j://…` or `bolt://…`.
fn parse_database_url(url: &str, data_dir: &std::path::Path) -> Result<DatabaseUrl, String> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        if path.is_empty() {
            return Ok(DatabaseUrl::Sqlite(data_dir.join("honestly.db")));
        }
        return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
    }
    for scheme in ["neo4j://", "neo4j+s://", "bolt://", "bolt+s://"] {
        if url.starts_with(scheme) {
            return Ok(DatabaseUrl::Neo4j(url.to_string()));
        }
    }
    Err(format!(
        "unknown scheme in {:?}: use sqlite://PATH, neo4j://HOST:PORT or bolt://HOST:PORT",
        url.split("://").next().unwrap_or(url)
    ))
}

/// Splits `AI_AGENT_SECRET` on commas (rotation: the first is current).
pub(super) fn split_secrets(raw: &str) -> Vec<String> {
    raw.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}

impl Parsed {
    /// Settles the secrets (from the variables, or from the development file for those
    /// unset) and builds the final configuration.
    pub(super) fn into_config(self, dev: Option<DevSecrets>) -> Result<Config, Vec<ConfigProblem>> {
        let pick = |value: Option<String>, fallback: Option<&String>, name: &str| {
            value.or_else(|| fallback.cloned()).ok_or_else(|| ConfigProblem::new(name, "is required"))
        };
        let mut problems = Vec::new();
        let jwt = pick(self.jwt_secret, dev.as_ref().map(|d| &d.jwt_secret), "JWT_SECRET");
        let ai = pick(self.ai_agent_secret, dev.as_ref().map(|d| &d.ai_agent_secret), "AI_AGENT_SECRET");
        let vault =
            pick(self.vault_master_key, dev.as_ref().map(|d| &d.vault_master_key), "VAULT_MASTER_KEY");
        let (jwt, ai, vault) = match (jwt, ai, vault) {
            (Ok(j), Ok(a), Ok(v)) => (j, a, v),
            (j, a, v) => {
                problems.extend([j.err(), a.err(), v.err()].into_iter().flatten());
                return Err(problems);
            }
        };
        Ok(Config {
            environment: self.environment,
            host: self.host,
            port: self.port,
            data_dir: self.data_dir,
            database: self.database,
            neo4j_uri: self.neo4j_uri,
            neo4j_user: self.neo4j_user,
            neo4j_max_connections: self.neo4j_max_connections,
            secrets: Secrets {
                jwt_secret: SecretString::from(jwt),
                ai_agent_secrets: split_secrets(&ai).into_iter().map(SecretString::from).collect(),
                vault_master_key: SecretString::from(vault),
                monitoring_token: self.monitoring_token.map(SecretString::from),
                bundle_signing_key: self.bundle_signing_key.map(SecretString::from),
                neo4j_pass: self.neo4j_pass.map(SecretString::from),
            },
            jwt_access_expiry: self.jwt_access_expiry,
            jwt_refresh_expiry: self.jwt_refresh_expiry,
            ai_agent_rate_limit: self.ai_agent_rate_limit,
            ai_signature_tolerance: self.ai_signature_tolerance,
            rate_limit: self.rate_limit,
            rate_limit_redis_url: self.rate_limit_redis_url,
            slow_request_threshold: self.slow_request_threshold,
            request_timeout: self.request_timeout,
            allowed_origins: self.allowed_origins,
            share_link_base_url: self.share_link_base_url,
            share_bundle_cache_ttl: self.share_bundle_cache_ttl,
            document_cache_ttl: self.document_cache_ttl,
            max_upload_bytes: self.max_upload_bytes,
            allow_registration: self.allow_registration,
            trusted_proxies: self.trusted_proxies,
            log_format: self.log_format,
            log_level: self.log_level,
            test_routes: self.test_routes,
            zk_keys_dir: self.zk_keys_dir,
        })
    }
}
