//! `honestly export`: an operator writes one account's archive to a new private file; the
//! documents come out decrypted, byte for byte, and the manifest's hashes match.

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::process::{honestly, wait_ready, Server};

const KEY: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

#[test]
fn an_operator_exports_one_account_into_a_new_private_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let env = [("DATA_DIR", data.as_str()), ("VAULT_MASTER_KEY", KEY)];
    let client = reqwest::blocking::Client::new();
    let server = Server::start(dir.path(), &[("VAULT_MASTER_KEY", KEY)]);
    wait_ready(&server.url("/monitoring/ready"), Duration::from_secs(10));
    server.register(&client, "alice");
    server.register(&client, "bob");
    let alice = server.login(&client, "alice");
    let content: Vec<u8> = (0..5000u32).map(|n| (n % 251) as u8).collect();
    let created = server.upload(&client, &alice, "scan.bin", &content, "identity");
    let bob = server.login(&client, "bob");
    server.upload(&client, &bob, "bob.txt", b"bob's", "other");
    server.signal("TERM");
    server.wait(Duration::from_secs(10));

    let output = dir.path().join("alice.zip");
    let export = |username: &str| {
        honestly(dir.path(), &env)
            .args(["export", "--username", username, "--output"])
            .arg(&output)
            .output()
            .unwrap()
    };
    let done = export("Alice");
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    assert!(String::from_utf8_lossy(&done.stdout).contains("exported alice"));
    assert_eq!(std::fs::metadata(&output).unwrap().permissions().mode() & 0o777, 0o600);

    let mut zip = zip::ZipArchive::new(std::fs::File::open(&output).unwrap()).unwrap();
    let mut read = |path: &str| {
        let mut out = Vec::new();
        zip.by_name(path).unwrap().read_to_end(&mut out).unwrap();
        out
    };
    let manifest: serde_json::Value = serde_json::from_slice(&read("manifest.json")).unwrap();
    assert_eq!(manifest["account"]["username"], "alice");
    let document = format!("documents/{}/scan.bin", created["document"]["id"].as_str().unwrap());
    assert_eq!(read(&document), content);
    let files = manifest["files"].as_array().unwrap().clone();
    for file in &files {
        let bytes = read(file["path"].as_str().unwrap());
        assert_eq!(file["sha256"], hex::encode(Sha256::digest(&bytes)), "{file}");
    }
    assert!(files.iter().all(|f| !f["path"].as_str().unwrap().ends_with("bob.txt")));

    // The file is never overwritten, and an unknown account is an error.
    let again = export("alice");
    assert_eq!(again.status.code(), Some(2), "{}", String::from_utf8_lossy(&again.stderr));
    assert!(String::from_utf8_lossy(&again.stderr).contains("cannot create"));
    std::fs::remove_file(&output).unwrap();
    let unknown = export("nobody");
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no account named nobody"));
    assert!(!output.exists());
}
