//! The OpenAPI document as client generators see it: the real binary's `/openapi.json`
//! passes `openapi-spec-validator`, and the TypeScript types `openapi-typescript` makes of it
//! type-check a small client of the main operations (`scripts/openapi-client/client.ts`,
//! with `tsc --noEmit`). Without the tools (`scripts/openapi-client/setup.sh`) the test
//! skips, except with `CI=true`, where it fails.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::process::{wait_ready, Server};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tools_installed(root: &Path) -> bool {
    let venv =
        std::env::var_os("OPENAPI_VENV").map_or_else(|| root.join(".cache/venv-openapi"), PathBuf::from);
    let client = root.join("scripts/openapi-client/node_modules/.bin");
    if venv.join("bin/openapi-spec-validator").exists()
        && client.join("openapi-typescript").exists()
        && client.join("tsc").exists()
    {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but the OpenAPI client tools are missing: run scripts/openapi-client/setup.sh"
    );
    eprintln!("SKIPPED: the OpenAPI client tools are not installed; run scripts/openapi-client/setup.sh");
    false
}

#[test]
fn the_openapi_document_validates_and_its_generated_client_type_checks() {
    let root = repo_root();
    if !tools_installed(&root) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    wait_ready(&server.url("/monitoring/ready"), Duration::from_secs(60));
    let client = reqwest::blocking::Client::new();
    let document = client.get(server.url("/openapi.json")).send().unwrap().text().unwrap();
    let doc: serde_json::Value = serde_json::from_str(&document).unwrap();

    // What generators rely on, checked here too so a failure names it.
    let mut ids = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let id = operation["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path}: no operationId"));
            ids.push(id.to_string());
        }
    }
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "operationIds repeat: {ids:?}");
    let content = &doc["paths"]["/vault/documents/{id}/content"]["get"]["responses"]["200"]["content"]["*/*"];
    let binary = &doc["components"]["schemas"]
        [content["schema"]["$ref"].as_str().unwrap().rsplit('/').next().unwrap()];
    assert_eq!((binary["type"].as_str(), binary["format"].as_str()), (Some("string"), Some("binary")));

    let path = dir.path().join("openapi.json");
    std::fs::write(&path, &document).unwrap();
    let out = Command::new("bash")
        .arg(root.join("scripts/openapi-client/check.sh"))
        .arg(&path)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "the generated client does not check:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
