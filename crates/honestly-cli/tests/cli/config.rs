//! Start-up configuration checks.

use crate::process::honestly;

const STRONG: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

#[test]
fn production_without_secrets_refuses_to_start_and_names_each_variable() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    for args in [&["serve"][..], &["config", "check"][..]] {
        let out = honestly(
            dir.path(),
            &[("ENVIRONMENT", "production"), ("DATA_DIR", &data), ("ALLOWED_ORIGINS", "*")],
        )
        .args(args)
        .output()
        .unwrap();
        assert!(!out.status.success(), "{args:?} must fail");
        let stderr = String::from_utf8_lossy(&out.stderr);
        for name in ["JWT_SECRET", "AI_AGENT_SECRET", "VAULT_MASTER_KEY", "ALLOWED_ORIGINS"] {
            assert!(stderr.contains(name), "{args:?}: {name} not named in:\n{stderr}");
        }
    }
    assert!(!dir.path().join("dev-secrets.json").exists());
}

#[test]
fn config_check_prints_the_configuration_with_secrets_masked() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let out = honestly(dir.path(), &[("DATA_DIR", &data), ("JWT_SECRET", STRONG), ("PORT", "9123")])
        .args(["config", "check"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("PORT=9123"), "{stdout}");
    assert!(stdout.contains("JWT_SECRET=") && !stdout.contains(STRONG), "{stdout}");
    let generated = std::fs::read_to_string(dir.path().join("dev-secrets.json")).unwrap();
    let generated: serde_json::Value = serde_json::from_str(&generated).unwrap();
    let vault = generated["vault_master_key"].as_str().unwrap();
    assert!(!stdout.contains(vault), "generated secret printed");
}

#[test]
fn bad_values_fail_config_check() {
    let dir = tempfile::tempdir().unwrap();
    let out = honestly(dir.path(), &[("DATABASE_URL", "mysql://x"), ("PORT", "-1")])
        .args(["config", "check"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("DATABASE_URL") && stderr.contains("PORT"), "{stderr}");
}
