//! From parsed variables to the final [`Config`]: secrets are settled (from the variables, or
//! from the development file for those unset) and related variables grouped.

use secrecy::SecretString;

use super::dev_secrets::DevSecrets;
use super::variables::Parsed;
use super::{Config, ConfigProblem, RateLimitSettings, Secrets};

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
            ai_hash_lookup_rate_limit: self.ai_hash_lookup_rate_limit,
            ai_signature_tolerance: self.ai_signature_tolerance,
            rate_limit: RateLimitSettings {
                enabled: self.rate_limit_enabled,
                per_minute: self.rate_limit_per_minute,
                burst: self.rate_limit_burst,
            },
            rate_limit_redis_url: self.rate_limit_redis_url,
            slow_request_threshold: self.slow_request_threshold,
            request_timeout: self.request_timeout,
            webhook_retry_base: self.webhook_retry_base,
            webhook_poll_interval: self.webhook_poll_interval,
            webhook_connect_timeout: self.webhook_connect_timeout,
            webhook_timeout: self.webhook_timeout,
            cpu_queue_wait: self.cpu_queue_wait,
            verify_batching: self.verify_batching,
            verify_batch_max: self.verify_batch_max,
            verify_batch_wait_us: self.verify_batch_wait_us,
            verify_queue_max: self.verify_queue_max,
            allowed_origins: self.allowed_origins.list,
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
