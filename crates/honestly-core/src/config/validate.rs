//! Checks that look at the configuration as a whole (production rules, consistency).

use super::settle::split_secrets;
use super::strength::{decode_key32, weakness};
use super::variables::Parsed;
use super::{ConfigProblem, DatabaseUrl, Environment};

const WEAK_NEO4J_PASSWORDS: &[&str] = &["", "neo4j", "test", "password"];

/// Returns warnings for the operator, or every problem that forbids starting.
pub(super) fn validate(p: &Parsed) -> Result<Vec<String>, Vec<ConfigProblem>> {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let production = p.environment == Environment::Production;

    if production {
        for (name, value) in [
            ("JWT_SECRET", &p.jwt_secret),
            ("AI_AGENT_SECRET", &p.ai_agent_secret),
            ("VAULT_MASTER_KEY", &p.vault_master_key),
        ] {
            match value {
                None => problems.push(ConfigProblem::new(name, "is required in production")),
                Some(v) if name != "JWT_SECRET" => {
                    for (i, secret) in split_secrets(v).iter().enumerate() {
                        if let Some(why) = weakness(secret) {
                            problems.push(ConfigProblem::new(name, format!("secret #{} {why}", i + 1)));
                        }
                    }
                }
                Some(v) => {
                    if let Some(why) = weakness(v) {
                        problems.push(ConfigProblem::new(name, why));
                    }
                }
            }
        }
        if p.allowed_origins.list.iter().any(|o| o == "*") {
            problems.push(ConfigProblem::new("ALLOWED_ORIGINS", "\"*\" is not allowed in production"));
        }
        if !p.allowed_origins.given {
            warnings.push("ALLOWED_ORIGINS is not set: no browser origin may call the API".into());
        }
        if matches!(p.database, DatabaseUrl::Neo4j(_))
            && p.neo4j_pass.as_deref().is_none_or(|pw| WEAK_NEO4J_PASSWORDS.contains(&pw.trim()))
        {
            problems.push(ConfigProblem::new("NEO4J_PASS", "is missing or a default/weak password"));
        }
        if p.test_routes {
            problems.push(ConfigProblem::new("HONESTLY_TEST_ROUTES", "must not be enabled in production"));
        }
        if let Some(token) = &p.monitoring_token {
            if token.len() < 32 {
                problems.push(ConfigProblem::new("MONITORING_TOKEN", "must have at least 32 characters"));
            }
        } else {
            warnings.push("MONITORING_TOKEN is not set: metrics are readable by admins only".into());
        }
        if p.bundle_signing_key.is_none() {
            warnings.push(
                "BUNDLE_SIGNING_KEY is not set: bundles are signed with DATA_DIR/signing-key.json, \
                 a different key on each replica that does not share DATA_DIR"
                    .into(),
            );
        }
    } else if p.allowed_origins.list.iter().any(|o| o == "*") {
        warnings.push("ALLOWED_ORIGINS=* lets any website call this development server".into());
    }

    if let Some(keys) = &p.vault_master_key {
        if split_secrets(keys).is_empty() || split_secrets(keys).iter().any(|k| decode_key32(k).is_none()) {
            problems.push(ConfigProblem::new(
                "VAULT_MASTER_KEY",
                "each key must be 32 bytes written as 64 hex characters or base64",
            ));
        }
    }
    if p.bundle_signing_key.as_deref().is_some_and(|k| decode_key32(k).is_none()) {
        problems.push(ConfigProblem::new(
            "BUNDLE_SIGNING_KEY",
            "must be 32 bytes written as 64 hex characters or base64",
        ));
    }
    if let Some(secret) = &p.ai_agent_secret {
        if split_secrets(secret).is_empty() {
            problems.push(ConfigProblem::new("AI_AGENT_SECRET", "holds no secret"));
        }
    }

    if problems.is_empty() {
        Ok(warnings)
    } else {
        Err(problems)
    }
}
