//! `honestly backup` and `honestly restore`: a backup taken while four writers upload holds
//! every document that had its 201 before the backup began, restores into a fresh directory
//! that a server with the same secrets serves (same content, same signing key) and whose audit
//! chain verifies; a restore refuses a non-empty directory and a damaged or altered archive,
//! leaving the directory empty.

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::process::{honestly, wait_ready, Server};

const MASTER_KEY: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const JWT_SECRET: &str = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";
const AI_SECRET: &str = "fd61a03af4f77d870fc21e05e7e80678095c92d808cfb3b5c279ee04c74aca13";
const SECRETS: [(&str, &str); 4] = [
    ("VAULT_MASTER_KEY", MASTER_KEY),
    ("JWT_SECRET", JWT_SECRET),
    ("AI_AGENT_SECRET", AI_SECRET),
    ("RATE_LIMIT_ENABLED", "false"),
];

/// Runs `honestly ARGS` with `DATA_DIR=data` and the shared secrets.
fn run(data: &Path, args: &[&str], extra: &[&Path]) -> Output {
    let data_text = data.display().to_string();
    let mut env = vec![("DATA_DIR", data_text.as_str())];
    env.extend_from_slice(&SECRETS);
    let cwd = data.ancestors().find(|a| a.is_dir()).unwrap();
    honestly(cwd, &env).args(args).args(extra).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Uploads `content` to `url` (`/vault/documents`) for `token`; the new document's id on 201,
/// `None` on a 503 (server busy).
fn upload(url: &str, client: &reqwest::blocking::Client, token: &str, content: &[u8]) -> Option<String> {
    let part = reqwest::blocking::multipart::Part::bytes(content.to_vec()).file_name("doc.bin");
    let form = reqwest::blocking::multipart::Form::new().part("file", part).text("document_type", "other");
    let response = client.post(url).bearer_auth(token).multipart(form).send().unwrap();
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().unwrap();
    match status {
        201 => Some(body["document"]["id"].as_str().expect("a document id").to_string()),
        503 => None,
        other => panic!("upload answered {other}: {body}"),
    }
}

/// A document whose upload was answered 201: its id, content and writer.
type Acked = (String, Vec<u8>, usize);

#[test]
fn a_backup_under_load_restores_every_acknowledged_document_and_a_verifiable_audit_trail() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live");
    std::fs::create_dir(&live).unwrap();
    let server = Server::start(&live, &SECRETS);
    wait_ready(&server.url("/monitoring/ready"), Duration::from_secs(30));
    let client = reqwest::blocking::Client::new();
    let writers = 4;
    let tokens: Vec<String> = (0..writers)
        .map(|w| {
            let name = format!("writer{w}");
            server.register(&client, &name);
            server.login(&client, &name)
        })
        .collect();
    let documents = server.url("/vault/documents");
    let acked: Arc<Mutex<Vec<Acked>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let handles: Vec<_> = tokens
        .iter()
        .enumerate()
        .map(|(w, token)| {
            let (url, acked, stop, token) =
                (documents.clone(), Arc::clone(&acked), Arc::clone(&stop), token.clone());
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::new();
                let mut n = 0usize;
                while !stop.load(Ordering::Relaxed) {
                    let content: Vec<u8> =
                        format!("writer {w} document {n};").repeat(50 + n % 200).into_bytes();
                    if let Some(id) = upload(&url, &client, &token, &content) {
                        acked.lock().unwrap().push((id, content, w));
                    }
                    n += 1;
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(120);
    while acked.lock().unwrap().len() < 40 {
        assert!(Instant::now() < deadline, "the writers made too little progress");
        std::thread::sleep(Duration::from_millis(10));
    }

    // Every document acknowledged before the backup begins must be in it.
    let before: Vec<Acked> = acked.lock().unwrap().clone();
    let archive = dir.path().join("backup.zip");
    let backup = run(&live, &["backup", "--out"], &[&archive]);
    let during = acked.lock().unwrap().len() - before.len();
    assert!(backup.status.success(), "{}{}", text(&backup.stdout), text(&backup.stderr));
    assert!(text(&backup.stdout).contains("backup written to"), "{}", text(&backup.stdout));
    stop.store(true, Ordering::Relaxed);
    for handle in handles {
        handle.join().unwrap();
    }
    eprintln!("{} documents before the backup, {during} acknowledged while it ran", before.len());
    let keys_before: serde_json::Value =
        client.get(server.url("/.well-known/honestly-keys.json")).send().unwrap().json().unwrap();
    server.signal("TERM");
    let (status, _) = server.wait(Duration::from_secs(60));
    assert!(status.success(), "{status}");

    // The archive: private, self-describing, without secrets but with the signing key.
    assert_eq!(mode(&archive), 0o600);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&archive).unwrap()).unwrap();
    let names: Vec<String> = zip.file_names().map(String::from).collect();
    for expected in ["manifest.json", "honestly.db", "signing-key.json"] {
        assert!(names.iter().any(|n| n == expected), "{expected} missing from {names:?}");
    }
    assert!(!names.iter().any(|n| n.contains("dev-secrets") || n.ends_with("-wal")), "{names:?}");
    let mut raw = String::new();
    zip.by_name("manifest.json").unwrap().read_to_string(&mut raw).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(manifest["format"], "honestly-backup");
    let version = hex::encode(&Sha256::digest(hex::decode(MASTER_KEY).unwrap())[..8]);
    assert_eq!(manifest["database"]["key_versions"], serde_json::json!([version]));
    assert!(!raw.contains(MASTER_KEY) && !raw.contains(JWT_SECRET));
    let live_db = rusqlite::Connection::open(live.join("honestly.db")).unwrap();
    let audited: i64 = live_db
        .query_row(
            "SELECT count(*) FROM audit_events WHERE action = 'data.backup' AND actor = 'cli' AND outcome = 'success'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);

    // An existing file is never overwritten.
    let size = std::fs::metadata(&archive).unwrap().len();
    let again = run(&live, &["backup", "--out"], &[&archive]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again.stderr));
    assert!(text(&again.stderr).contains("cannot create"), "{}", text(&again.stderr));
    assert_eq!(std::fs::metadata(&archive).unwrap().len(), size);

    // Restore into a directory that does not exist yet.
    let restored = dir.path().join("restored").join("data");
    let restore = run(&restored, &["restore"], &[&archive]);
    assert!(restore.status.success(), "{}{}", text(&restore.stdout), text(&restore.stderr));
    assert!(!text(&restore.stderr).contains("warning"), "{}", text(&restore.stderr));
    assert_eq!(mode(&restored), 0o700);
    assert_eq!(mode(&restored.join("honestly.db")), 0o600);
    assert_eq!(mode(&restored.join("signing-key.json")), 0o600);
    assert!(!restored.join("dev-secrets.json").exists());
    assert!(std::fs::read_dir(&restored).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with(".restore")));

    let server = Server::start(&restored, &SECRETS);
    wait_ready(&server.url("/monitoring/ready"), Duration::from_secs(30));
    let tokens: Vec<String> = (0..writers).map(|w| server.login(&client, &format!("writer{w}"))).collect();
    for (id, content, w) in &before {
        let served = server.download(&client, &tokens[*w], id);
        assert!(served == *content, "document {id} of writer {w} is not served as uploaded");
    }
    let keys_after: serde_json::Value =
        client.get(server.url("/.well-known/honestly-keys.json")).send().unwrap().json().unwrap();
    assert_eq!(keys_after, keys_before, "the restored server signs with another key");
    server.signal("TERM");
    let (status, _) = server.wait(Duration::from_secs(60));
    assert!(status.success(), "{status}");

    let verify = run(&restored, &["audit", "verify"], &[]);
    assert_eq!(verify.status.code(), Some(0), "{}{}", text(&verify.stdout), text(&verify.stderr));
    assert!(text(&verify.stdout).contains("audit chain OK"), "{}", text(&verify.stdout));
    let restored_db = rusqlite::Connection::open(restored.join("honestly.db")).unwrap();
    let audited: i64 = restored_db
        .query_row(
            "SELECT count(*) FROM audit_events WHERE action = 'data.restore' AND actor = 'cli'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
}

/// Copies the archive at `from` to `to`, passing each entry through `change` (which may
/// replace its content) and appending `extra` entries.
fn rewrite(from: &Path, to: &Path, change: impl Fn(&str, Vec<u8>) -> Vec<u8>, extra: &[(&str, &[u8])]) {
    let mut source = zip::ZipArchive::new(std::fs::File::open(from).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for i in 0..source.len() {
        let mut entry = source.by_index(i).unwrap();
        let name = entry.name().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        out.start_file(name.as_str(), options).unwrap();
        out.write_all(&change(&name, bytes)).unwrap();
    }
    for (name, bytes) in extra {
        out.start_file(*name, options).unwrap();
        out.write_all(bytes).unwrap();
    }
    out.finish().unwrap();
}

/// The manifest `bytes` with the database's size and hash set for `database`.
fn manifest_for(bytes: &[u8], database: &[u8]) -> Vec<u8> {
    let mut manifest: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    for file in manifest["files"].as_array_mut().unwrap() {
        if file["path"] == "honestly.db" {
            file["size"] = database.len().into();
            file["sha256"] = hex::encode(Sha256::digest(database)).into();
        }
    }
    serde_json::to_vec(&manifest).unwrap()
}

#[test]
fn a_restore_refuses_a_non_empty_directory_and_a_damaged_or_altered_backup() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live");
    std::fs::create_dir(&live).unwrap();
    let server = Server::start(&live, &SECRETS);
    wait_ready(&server.url("/monitoring/ready"), Duration::from_secs(30));
    let client = reqwest::blocking::Client::new();
    server.register(&client, "alice");
    let token = server.login(&client, "alice");
    let id = upload(&server.url("/vault/documents"), &client, &token, b"the original").expect("uploaded");
    // Files under DATA_DIR/zk travel with the backup; hidden files and links do not.
    std::fs::create_dir_all(live.join("zk").join("notes")).unwrap();
    std::fs::write(live.join("zk").join("notes").join("circuit.json"), b"kept").unwrap();
    std::fs::write(live.join("zk").join(".partial"), b"skipped").unwrap();
    std::os::unix::fs::symlink("/etc/hostname", live.join("zk").join("notes").join("link")).unwrap();
    let archive = dir.path().join("backup.zip");
    let backup = run(&live, &["backup", "--out"], &[&archive]);
    assert!(backup.status.success(), "{}", text(&backup.stderr));
    drop(server);

    // A directory holding anything is refused, and left as it was.
    let occupied = dir.path().join("occupied");
    std::fs::create_dir(&occupied).unwrap();
    std::fs::write(occupied.join("keep.txt"), b"mine").unwrap();
    let refused = run(&occupied, &["restore"], &[&archive]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
    assert!(text(&refused.stderr).contains("is not empty"), "{}", text(&refused.stderr));
    let left: Vec<_> = std::fs::read_dir(&occupied).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["keep.txt"]);

    let target = dir.path().join("target");
    let damaged = |name: &str| -> PathBuf { dir.path().join(name) };
    let flip = |bytes: &mut Vec<u8>, at: usize| bytes[at] ^= 0x55;
    // One byte of the database changed: its hash no longer matches the manifest.
    rewrite(
        &archive,
        &damaged("flipped.zip"),
        |name: &str, mut bytes: Vec<u8>| {
            if name == "honestly.db" {
                let at = bytes.len() / 2;
                flip(&mut bytes, at);
            }
            bytes
        },
        &[],
    );
    // A damaged page whose hash was updated: the integrity check catches it.
    rewrite(
        &archive,
        &damaged("rehashed.zip"),
        {
            let database = {
                let mut zip = zip::ZipArchive::new(std::fs::File::open(&archive).unwrap()).unwrap();
                let mut bytes = Vec::new();
                zip.by_name("honestly.db").unwrap().read_to_end(&mut bytes).unwrap();
                for b in &mut bytes[4096 * 2..4096 * 2 + 200] {
                    *b = 0xA5;
                }
                bytes
            };
            move |name: &str, bytes: Vec<u8>| match name {
                "honestly.db" => database.clone(),
                "manifest.json" => manifest_for(&bytes, &database),
                _ => bytes,
            }
        },
        &[],
    );
    // A file the manifest does not name.
    rewrite(
        &archive,
        &damaged("extra.zip"),
        |_: &str, bytes: Vec<u8>| bytes,
        &[("dev-secrets.json", &b"{}"[..])],
    );
    // A manifest naming a path outside DATA_DIR.
    rewrite(
        &archive,
        &damaged("escape.zip"),
        |name: &str, bytes: Vec<u8>| {
            if name != "manifest.json" {
                return bytes;
            }
            String::from_utf8(bytes)
                .unwrap()
                .replace("\"signing-key.json\"", "\"../signing-key.json\"")
                .into_bytes()
        },
        &[],
    );
    // A database with a schema this build does not know (a backup from a newer version).
    rewrite(
        &archive,
        &damaged("newer.zip"),
        {
            let scratch = dir.path().join("newer.db");
            let mut zip = zip::ZipArchive::new(std::fs::File::open(&archive).unwrap()).unwrap();
            let mut bytes = Vec::new();
            zip.by_name("honestly.db").unwrap().read_to_end(&mut bytes).unwrap();
            std::fs::write(&scratch, &bytes).unwrap();
            let db = rusqlite::Connection::open(&scratch).unwrap();
            db.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 'later')", [])
                .unwrap();
            db.pragma_update(None, "journal_mode", "DELETE").unwrap();
            drop(db);
            let database = std::fs::read(&scratch).unwrap();
            move |name: &str, bytes: Vec<u8>| match name {
                "honestly.db" => database.clone(),
                "manifest.json" => {
                    let mut manifest: serde_json::Value =
                        serde_json::from_slice(&manifest_for(&bytes, &database)).unwrap();
                    manifest["database"]["schema_versions"].as_array_mut().unwrap().push(9999.into());
                    serde_json::to_vec(&manifest).unwrap()
                }
                _ => bytes,
            }
        },
        &[],
    );
    // Cut short.
    let whole = std::fs::read(&archive).unwrap();
    std::fs::write(damaged("truncated.zip"), &whole[..whole.len() / 2]).unwrap();
    for (name, reason) in [
        ("flipped.zip", "does not match its manifest"),
        ("rehashed.zip", "checking the database"),
        ("extra.zip", "which its manifest does not name"),
        ("escape.zip", "is not one a backup holds"),
        ("truncated.zip", "is not a backup archive"),
        ("newer.zip", "which this version of honestly does not know"),
    ] {
        let out = run(&target, &["restore"], &[&damaged(name)]);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains(reason), "{name}: {}", text(&out.stderr));
        assert_eq!(std::fs::read_dir(&target).unwrap().count(), 0, "{name} left files behind");
    }

    // The directory the refusals left empty takes the intact backup. Without the master key in
    // the environment, the restore says which key version the documents need.
    let target_text = target.display().to_string();
    let restored = honestly(dir.path(), &[("DATA_DIR", target_text.as_str())])
        .arg("restore")
        .arg(&archive)
        .output()
        .unwrap();
    assert!(restored.status.success(), "{}", text(&restored.stderr));
    let version = hex::encode(&Sha256::digest(hex::decode(MASTER_KEY).unwrap())[..8]);
    assert!(
        text(&restored.stderr)
            .contains(&format!("warning: the documents are encrypted under master key version(s) {version}")),
        "{}",
        text(&restored.stderr)
    );
    let note = target.join("zk").join("notes").join("circuit.json");
    assert_eq!(std::fs::read(&note).unwrap(), b"kept");
    assert_eq!(
        (mode(&note), mode(&target.join("zk")), mode(&target.join("zk").join("notes"))),
        (0o600, 0o700, 0o700)
    );
    assert!(!target.join("zk").join(".partial").exists());
    assert!(!target.join("zk").join("notes").join("link").exists());
    let server = Server::start(&target, &SECRETS);
    wait_ready(&server.url("/monitoring/ready"), Duration::from_secs(30));
    let token = server.login(&client, "alice");
    assert_eq!(server.download(&client, &token, &id), b"the original");
}

#[test]
fn backup_and_restore_refuse_a_neo4j_deployment() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_text = data.display().to_string();
    for args in [&["backup", "--out", "x.zip"][..], &["restore", "x.zip"][..]] {
        let out =
            honestly(dir.path(), &[("DATA_DIR", data_text.as_str()), ("DATABASE_URL", "bolt://127.0.0.1:1")])
                .args(args)
                .output()
                .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert!(text(&out.stderr).contains("neo4j-admin"), "{}", text(&out.stderr));
        assert!(!data.exists() && !dir.path().join("x.zip").exists());
    }
}

#[test]
fn a_backup_without_a_database_and_a_restore_without_a_file_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_text = data.display().to_string();
    let env = [("DATA_DIR", data_text.as_str())];
    let backup = honestly(dir.path(), &env).args(["backup", "--out", "x.zip"]).output().unwrap();
    assert_eq!(backup.status.code(), Some(2), "{}", text(&backup.stderr));
    assert!(text(&backup.stderr).contains("there is no database"), "{}", text(&backup.stderr));
    let restore = honestly(dir.path(), &env).args(["restore", "missing.zip"]).output().unwrap();
    assert_eq!(restore.status.code(), Some(2), "{}", text(&restore.stderr));
    assert!(text(&restore.stderr).contains("cannot read missing.zip"), "{}", text(&restore.stderr));
    // Neither created DATA_DIR (development would have generated secrets into it) nor the file.
    assert!(!data.exists() && !dir.path().join("x.zip").exists());
}
