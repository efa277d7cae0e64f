use super::*;
use secrecy::ExposeSecret;
use std::os::unix::fs::PermissionsExt;

fn vars(pairs: &[(&str, &str)]) -> EnvMap {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

const STRONG_A: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const STRONG_B: &str = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";
const STRONG_C: &str = "fd61a03af4f77d870fc21e05e7e80678095c92d808cfb3b5c279ee04c74aca13";

#[test]
fn production_without_secrets_names_every_missing_variable() {
    let dir = tempfile::tempdir().unwrap();
    let problems =
        Config::load(&vars(&[("ENVIRONMENT", "production"), ("DATA_DIR", dir.path().to_str().unwrap())]))
            .unwrap_err();
    let names: Vec<_> = problems.iter().map(|p| p.variable.as_str()).collect();
    for required in ["JWT_SECRET", "AI_AGENT_SECRET", "VAULT_MASTER_KEY"] {
        assert!(names.contains(&required), "{required} missing from {names:?}");
    }
    assert!(!dir.path().join("dev-secrets.json").exists());
}

#[test]
fn production_refuses_weak_secrets_wildcard_origins_and_default_neo4j_password() {
    let problems = Config::load(&vars(&[
        ("ENVIRONMENT", "production"),
        ("JWT_SECRET", "changeme"),
        ("AI_AGENT_SECRET", &"a".repeat(64)),
        ("VAULT_MASTER_KEY", "short"),
        ("ALLOWED_ORIGINS", "*"),
        ("DATABASE_URL", "neo4j://db:7687"),
        ("NEO4J_PASS", "neo4j"),
    ]))
    .unwrap_err();
    let names: Vec<_> = problems.iter().map(|p| p.variable.as_str()).collect();
    for bad in ["JWT_SECRET", "AI_AGENT_SECRET", "VAULT_MASTER_KEY", "ALLOWED_ORIGINS", "NEO4J_PASS"] {
        assert!(names.contains(&bad), "{bad} missing from {names:?}");
    }
}

#[test]
fn production_with_strong_secrets_loads() {
    let loaded = Config::load(&vars(&[
        ("ENVIRONMENT", "production"),
        ("JWT_SECRET", STRONG_A),
        ("AI_AGENT_SECRET", &format!("{STRONG_B},{STRONG_C}")),
        ("VAULT_MASTER_KEY", STRONG_C),
        ("ALLOWED_ORIGINS", "https://app.example.org"),
    ]))
    .unwrap();
    let config = loaded.config;
    assert!(config.is_production());
    assert_eq!(config.secrets.ai_agent_secrets.len(), 2);
    assert!(!config.allow_registration);
    assert_eq!(config.log_format, LogFormat::Json);
}

#[test]
fn development_generates_secrets_once_and_reuses_them() {
    let dir = tempfile::tempdir().unwrap();
    let env = vars(&[("DATA_DIR", dir.path().to_str().unwrap())]);
    let first = Config::load(&env).unwrap();
    let path = dir.path().join("dev-secrets.json");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(first.warnings.iter().any(|w| w.contains("generated")));
    let second = Config::load(&env).unwrap();
    assert!(second.warnings.iter().any(|w| w.contains("using generated")));
    assert_eq!(
        first.config.secrets.jwt_secret.expose_secret(),
        second.config.secrets.jwt_secret.expose_secret()
    );
    assert_eq!(
        first.config.secrets.vault_master_key.expose_secret(),
        second.config.secrets.vault_master_key.expose_secret()
    );
}

#[test]
fn unknown_database_scheme_and_bad_numbers_are_all_reported() {
    let problems = Config::load(&vars(&[
        ("DATABASE_URL", "postgres://x"),
        ("PORT", "eighty"),
        ("SLOW_REQUEST_THRESHOLD", "-1"),
    ]))
    .unwrap_err();
    let names: Vec<_> = problems.iter().map(|p| p.variable.as_str()).collect();
    assert_eq!(names, ["PORT", "DATABASE_URL", "SLOW_REQUEST_THRESHOLD"]);
}

#[test]
fn describe_masks_every_secret() {
    let dir = tempfile::tempdir().unwrap();
    let loaded = Config::load(&vars(&[
        ("DATA_DIR", dir.path().to_str().unwrap()),
        ("JWT_SECRET", STRONG_A),
        ("MONITORING_TOKEN", STRONG_B),
        ("RATE_LIMIT_REDIS_URL", "redis://:hunter2@cache:6379"),
    ]))
    .unwrap();
    let text = format!("{:?}", loaded.config.describe());
    assert!(!text.contains(STRONG_A) && !text.contains(STRONG_B) && !text.contains("hunter2"));
    assert!(!format!("{:?}", loaded.config).contains(STRONG_A));
}

/// What `describe()` prints for a variable left unset, when its declared default says
/// (`None` for defaults built from other variables or generated).
fn shown_when_unset(default: DefaultText, environment: Environment) -> Option<&'static str> {
    match default {
        DefaultText::Fixed(value) => Some(value),
        DefaultText::PerEnvironment { development, production } => match environment {
            Environment::Development => Some(development),
            Environment::Production => Some(production),
        },
        DefaultText::Unset => Some(""),
        DefaultText::Derived(_) | DefaultText::Generated => None,
    }
}

#[test]
fn declared_defaults_are_the_defaults_in_effect() {
    let dir = tempfile::tempdir().unwrap();
    let development = vars(&[("DATA_DIR", dir.path().to_str().unwrap())]);
    let production = vars(&[
        ("ENVIRONMENT", "production"),
        ("JWT_SECRET", STRONG_A),
        ("AI_AGENT_SECRET", STRONG_B),
        ("VAULT_MASTER_KEY", STRONG_C),
    ]);
    for (environment, env) in [(Environment::Development, development), (Environment::Production, production)]
    {
        let config = Config::load(&env).unwrap().config;
        assert_eq!(config.environment, environment);
        let described = config.describe();
        assert_eq!(
            described.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
            VARIABLES.iter().map(|v| v.name).collect::<Vec<_>>(),
            "describe() lists every declared variable, in order"
        );
        for (variable, (_, shown)) in VARIABLES.iter().zip(&described) {
            let Some(expected) = shown_when_unset(variable.default, environment) else { continue };
            if env.contains_key(variable.name) {
                continue;
            }
            let shown = if shown == "(not set)" || shown == "(none)" { "" } else { shown.as_str() };
            assert_eq!(shown, expected, "{} in {}", variable.name, environment.as_str());
        }
    }
}

#[test]
fn describe_masks_every_declared_secret() {
    use sha2::Digest;
    let dir = tempfile::tempdir().unwrap();
    let secrets: Vec<(&str, String)> = VARIABLES
        .iter()
        .filter(|v| v.secret)
        .map(|v| (v.name, hex::encode(sha2::Sha256::digest(v.name.as_bytes()))))
        .collect();
    assert!(secrets.len() >= 6, "declared secrets: {secrets:?}");
    let mut env = vars(&[("DATA_DIR", dir.path().to_str().unwrap())]);
    env.extend(secrets.iter().map(|(name, value)| (name.to_string(), value.clone())));
    let text = format!("{:?}", Config::load(&env).unwrap().config.describe());
    for (name, value) in &secrets {
        assert!(!text.contains(value.as_str()), "{name} is printed in clear");
    }
}

#[test]
fn data_location_reads_where_data_lives_without_creating_anything() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_text = data.display().to_string();
    let location = DataLocation::from_vars(&vars(&[("DATA_DIR", &data_text)])).unwrap();
    assert_eq!(location.data_dir, data);
    assert_eq!(location.database, DatabaseUrl::Sqlite(data.join("honestly.db")));
    assert_eq!(location.zk_keys_dir, data.join("zk"));
    // Development would generate secrets into DATA_DIR on load; reading the location does not.
    assert!(!data.exists());

    let neo4j =
        DataLocation::from_vars(&vars(&[("DATA_DIR", &data_text), ("DATABASE_URL", "bolt://db:7687")]));
    assert!(matches!(neo4j.unwrap().database, DatabaseUrl::Neo4j(_)));
    let problems = DataLocation::from_vars(&vars(&[("DATABASE_URL", "mysql://nope")])).unwrap_err();
    assert_eq!(problems[0].variable, "DATABASE_URL");
}

#[test]
fn verification_batching_settings_are_range_checked() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_str().unwrap();
    let problems = Config::load(&vars(&[
        ("DATA_DIR", data_dir),
        ("VERIFY_BATCHING", "maybe"),
        ("VERIFY_BATCH_MAX", "0"),
        ("VERIFY_BATCH_WAIT_US", "20000"),
        ("VERIFY_QUEUE_MAX", "-1"),
    ]))
    .unwrap_err();
    let reasons: Vec<_> = problems.iter().map(|p| (p.variable.as_str(), p.message.as_str())).collect();
    assert!(reasons.contains(&("VERIFY_BATCHING", "expected true or false, got \"maybe\"")), "{reasons:?}");
    assert!(reasons.contains(&("VERIFY_BATCH_MAX", "must be between 1 and 256, got 0")), "{reasons:?}");
    assert!(
        reasons.contains(&("VERIFY_BATCH_WAIT_US", "must be between 0 and 10000, got 20000")),
        "{reasons:?}"
    );
    assert!(reasons.iter().any(|(v, _)| *v == "VERIFY_QUEUE_MAX"), "{reasons:?}");

    let loaded = Config::load(&vars(&[
        ("DATA_DIR", data_dir),
        ("VERIFY_BATCHING", "off"),
        ("VERIFY_BATCH_MAX", "8"),
        ("VERIFY_BATCH_WAIT_US", "150"),
        ("VERIFY_QUEUE_MAX", "16"),
    ]))
    .unwrap()
    .config;
    let settings = crate::zk::batcher::BatchSettings::from_config(&loaded);
    assert_eq!(
        settings,
        crate::zk::batcher::BatchSettings {
            enabled: false,
            max: 8,
            wait: std::time::Duration::from_micros(150),
            queue_max: 16
        }
    );
}

#[test]
fn the_cpu_queue_wait_is_read_and_range_checked() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_str().unwrap();
    let default = Config::load(&vars(&[("DATA_DIR", data_dir)])).unwrap().config;
    assert_eq!(default.cpu_queue_wait, std::time::Duration::from_secs(2));
    let set = Config::load(&vars(&[("DATA_DIR", data_dir), ("CPU_QUEUE_WAIT", "600")])).unwrap().config;
    assert_eq!(set.cpu_queue_wait, std::time::Duration::from_secs(600));
    for bad in ["0", "601", "soon"] {
        let problems = Config::load(&vars(&[("DATA_DIR", data_dir), ("CPU_QUEUE_WAIT", bad)])).unwrap_err();
        assert!(problems.iter().any(|p| p.variable == "CPU_QUEUE_WAIT"), "{bad}: {problems:?}");
    }
}
