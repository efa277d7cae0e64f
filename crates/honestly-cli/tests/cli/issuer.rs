//! `honestly issuer keygen | sign | revoke | state`, as an external issuer runs them: the key
//! file, credentials that parse strictly and verify (natively and in circomlibjs), revocation
//! states whose root is the revoked ids' tree root, and every refusal leaving files untouched.

use std::collections::BTreeSet;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use honestly_core::credentials::{CalendarDate, Credential, NativeEddsa, RevocationStateFile, SignedState};
use honestly_zk::eddsa::PublicKey;
use honestly_zk::revocation::RevocationTree;
use honestly_zk::{fr_to_decimal, Fr};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::process::honestly;

const ISSUER_ID: &str = "iss_0123456789abcdef0123456789abcdef";

/// A holder commitment (any non-zero field element will do for the issuer).
const HOLDER: &str = "18586133768512220936620570745912940619677854269274689475585506675881198879027";

fn run(dir: &Path, args: &[&str]) -> Output {
    honestly(dir, &[]).arg("issuer").args(args).output().expect("the binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn succeeded(out: &Output) -> &Output {
    assert!(out.status.success(), "{}", stderr(out));
    out
}

/// A refusal: exit code 2 and `words` in the message.
fn refused(out: &Output, words: &str) {
    assert_eq!(out.status.code(), Some(2), "expected a refusal: {}", stderr(out));
    assert!(stderr(out).contains(words), "expected {words:?} in: {}", stderr(out));
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// `honestly issuer keygen --out DIR/NAME --name … --id …`; the public key it printed.
fn keygen(dir: &Path, name: &str) -> (PathBuf, Value) {
    let path = dir.join(name);
    let out = run(dir, &["keygen", "--out", name, "--name", "Test registry office", "--id", ISSUER_ID]);
    let public: Value = serde_json::from_slice(&succeeded(&out).stdout).unwrap();
    (path, public)
}

fn document_sha256() -> String {
    hex::encode(Sha256::digest(b"a scanned identity card"))
}

fn claims_input() -> Value {
    json!({
        "birth_date": "1945-05-09",
        "nationality": "DEU",
        "document_expiry": "2099-06-30",
        "document_type": "identity",
        "document_sha256": document_sha256(),
    })
}

fn write_json(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
    path
}

/// `honestly issuer sign` with the claims `value`, out to `out` (relative to `dir`).
fn sign(dir: &Path, key: &str, value: &Value, out: &str) -> Output {
    write_json(dir, "claims.json", value);
    run(dir, &["sign", "--key", key, "--claims", "claims.json", "--holder", HOLDER, "--out", out])
}

fn read_credential(path: &Path) -> Credential {
    Credential::from_json(&std::fs::read(path).unwrap()).unwrap()
}

fn read_state(path: &Path) -> RevocationStateFile {
    RevocationStateFile::from_json(&std::fs::read(path).unwrap()).unwrap()
}

fn today() -> CalendarDate {
    CalendarDate::of_timestamp(honestly_core::clock::Timestamp::now()).unwrap()
}

#[test]
fn keygen_then_sign_gives_a_credential_that_parses_strictly_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let (key_path, public) = keygen(dir.path(), "key.json");
    assert_eq!(mode(&key_path), 0o600);
    let key_file: Value = serde_json::from_slice(&std::fs::read(&key_path).unwrap()).unwrap();
    assert_eq!(key_file["public_key"], public, "stdout is the key file's public key");
    assert_eq!(key_file["kind"], json!("honestly-issuer-key"));
    assert_eq!(key_file["private_key"].as_str().unwrap().len(), 64);
    let public_key: PublicKey = serde_json::from_value(public.clone()).unwrap();

    let before = today();
    succeeded(&sign(dir.path(), "key.json", &claims_input(), "credential.json"));
    let after = today();
    let credential_path = dir.path().join("credential.json");
    assert_eq!(mode(&credential_path), 0o600);
    let credential = read_credential(&credential_path);
    assert!(credential.verify_signature(&NativeEddsa));
    assert_eq!(credential.issuer.id(), Some(ISSUER_ID));
    assert_eq!(credential.issuer.name(), Some("Test registry office"));
    assert_eq!(fr_to_decimal(&credential.issuer.public_key().x), public["x"].as_str().unwrap());
    let claims = &credential.claims;
    assert_eq!(fr_to_decimal(&claims.holder), HOLDER);
    let digest: [u8; 32] = Sha256::digest(b"a scanned identity card").into();
    assert_eq!(claims.document_hash, honestly_core::credentials::Claims::document_hash_of(&digest));
    assert_eq!(claims.birth_date.to_string(), "1945-05-09");
    assert_eq!(claims.nationality.numeric(), 276);
    assert!(claims.issued_at == before || claims.issued_at == after, "issued today");
    assert_eq!(
        claims.valid_until,
        honestly_core::credentials::claim_input::one_year_after(claims.issued_at).unwrap()
    );
    assert!(public_key.verify(
        credential.claims_hash(),
        &honestly_core::credentials::native_eddsa::checked_signature(&credential.signature).unwrap()
    ));
    // The file is the canonical form.
    let text = std::fs::read_to_string(&credential_path).unwrap();
    assert_eq!(text, format!("{}\n", credential.to_json_pretty()));

    // `--out -` prints it; every credential gets its own credentialId.
    let printed = succeeded(&sign(dir.path(), "key.json", &claims_input(), "-")).stdout.clone();
    let second = Credential::from_json(&printed).unwrap();
    assert!(second.verify_signature(&NativeEddsa));
    assert_ne!(second.claims.credential_id, credential.claims.credential_id);

    // Without name and id, the credential names the key only; explicit dates are kept.
    succeeded(&run(dir.path(), &["keygen", "--out", "bare.json"]));
    let mut dated = claims_input();
    dated["issued_at"] = json!("2020-01-01");
    dated["valid_until"] = json!("2030-01-01");
    dated["document_expiry"] = json!(null);
    dated["nationality"] = json!(250);
    dated["document_type"] = json!(2);
    succeeded(&sign(dir.path(), "bare.json", &dated, "bare-credential.json"));
    let bare = read_credential(&dir.path().join("bare-credential.json"));
    assert_eq!((bare.issuer.id(), bare.issuer.name()), (None, None));
    assert_eq!(bare.claims.issued_at.to_string(), "2020-01-01");
    assert_eq!(bare.claims.valid_until.to_string(), "2030-01-01");
    assert_eq!(bare.claims.document_expiry, None);
    assert_eq!(bare.claims.nationality.numeric(), 250);
    assert!(bare.verify_signature(&NativeEddsa));
}

#[test]
fn keygen_never_writes_over_a_file_and_checks_name_and_id() {
    let dir = tempfile::tempdir().unwrap();
    let existing = dir.path().join("key.json");
    std::fs::write(&existing, "precious").unwrap();
    refused(&run(dir.path(), &["keygen", "--out", "key.json"]), "already exists");
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "precious");
    refused(&run(dir.path(), &["keygen", "--out", "new.json", "--id", "iss_nope"]), "id: must be iss_");
    refused(&run(dir.path(), &["keygen", "--out", "new.json", "--name", " padded"]), "name: must not start");
    assert!(!dir.path().join("new.json").exists());
}

#[test]
fn sign_refuses_bad_keys_claims_and_outputs() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path(), "key.json");
    succeeded(&sign(dir.path(), "key.json", &claims_input(), "credential.json"));

    // Wrong key file: a credential is not a key; a key file whose public key was swapped.
    refused(&sign(dir.path(), "credential.json", &claims_input(), "out.json"), "not an issuer key file");
    keygen(dir.path(), "other.json");
    let mut mixed: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("key.json")).unwrap()).unwrap();
    let other: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("other.json")).unwrap()).unwrap();
    mixed["public_key"] = other["public_key"].clone();
    write_json(dir.path(), "mixed.json", &mixed);
    refused(
        &sign(dir.path(), "mixed.json", &claims_input(), "out.json"),
        "not the public key of its private_key",
    );
    refused(&sign(dir.path(), "missing.json", &claims_input(), "out.json"), "cannot read missing.json");

    // Claims: a birth date in the future, an unknown country, an unknown field, bad dates.
    let mut future = claims_input();
    future["birth_date"] = json!("2999-01-01");
    refused(&sign(dir.path(), "key.json", &future, "out.json"), "birth_date: is in the future");
    let mut country = claims_input();
    country["nationality"] = json!("ZZZ");
    refused(&sign(dir.path(), "key.json", &country, "out.json"), "nationality: \"ZZZ\" is not an ISO 3166-1");
    let mut numeric = claims_input();
    numeric["nationality"] = json!(999);
    refused(&sign(dir.path(), "key.json", &numeric, "out.json"), "999 is not an ISO 3166-1 numeric");
    let mut extra = claims_input();
    extra["age"] = json!(81);
    refused(&sign(dir.path(), "key.json", &extra, "out.json"), "unknown field `age`");
    let mut backwards = claims_input();
    backwards["issued_at"] = json!("2026-01-01");
    backwards["valid_until"] = json!("2025-01-01");
    refused(&sign(dir.path(), "key.json", &backwards, "out.json"), "valid_until: must be after issued_at");

    // The holder must be a field element.
    write_json(dir.path(), "claims.json", &claims_input());
    for holder in
        ["0x12", "-1", "21888242871839275222246405745257275088548364400416034343698204186575808495617"]
    {
        let holder = format!("--holder={holder}");
        let out = run(
            dir.path(),
            &["sign", "--key", "key.json", "--claims", "claims.json", &holder, "--out", "out.json"],
        );
        refused(&out, "--holder must be the holder's commitment");
    }
    let zero = run(
        dir.path(),
        &["sign", "--key", "key.json", "--claims", "claims.json", "--holder", "0", "--out", "out.json"],
    );
    refused(&zero, "holder: must not be 0");

    // Oversize files are refused before parsing.
    std::fs::write(dir.path().join("big-claims.json"), vec![b' '; 4 * 1024 + 1]).unwrap();
    let out = run(
        dir.path(),
        &[
            "sign",
            "--key",
            "key.json",
            "--claims",
            "big-claims.json",
            "--holder",
            HOLDER,
            "--out",
            "out.json",
        ],
    );
    refused(&out, "larger than 4096 bytes");
    std::fs::write(dir.path().join("big-key.json"), vec![b' '; 4 * 1024 + 1]).unwrap();
    refused(&sign(dir.path(), "big-key.json", &claims_input(), "out.json"), "larger than 4096 bytes");
    assert!(!dir.path().join("out.json").exists(), "no refusal writes a credential");

    // An existing output is never written over.
    let before = std::fs::read(dir.path().join("credential.json")).unwrap();
    refused(&sign(dir.path(), "key.json", &claims_input(), "credential.json"), "already exists");
    assert_eq!(std::fs::read(dir.path().join("credential.json")).unwrap(), before);
}

/// `honestly issuer revoke --key key.json --state state.json ARGS…`, expecting success; the
/// signed state it printed.
fn revoke(dir: &Path, args: &[&str]) -> SignedState {
    let mut all = vec!["revoke", "--key", "key.json", "--state", "state.json"];
    all.extend_from_slice(args);
    let out = run(dir, &all);
    serde_json::from_slice(&succeeded(&out).stdout).unwrap()
}

fn root_of(ids: &[u128]) -> Fr {
    RevocationTree::from_ids(ids.iter().copied()).unwrap().root()
}

#[test]
fn revoking_twice_changes_nothing_and_every_state_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let (_, public) = keygen(dir.path(), "key.json");
    let public_key: PublicKey = serde_json::from_value(public).unwrap();
    succeeded(&sign(dir.path(), "key.json", &claims_input(), "first.json"));
    succeeded(&sign(dir.path(), "key.json", &claims_input(), "second.json"));
    let first = read_credential(&dir.path().join("first.json")).claims.credential_id;
    let second = read_credential(&dir.path().join("second.json")).claims.credential_id;
    let state_path = dir.path().join("state.json");

    // Created when missing.
    let printed = revoke(dir.path(), &["--credential", "first.json"]);
    assert_eq!(mode(&state_path), 0o600);
    let file = read_state(&state_path);
    assert_eq!(file.state, printed, "stdout is the signed state in the file");
    assert!(printed.verify(&public_key));
    assert_eq!(file.public_key, public_key);
    assert_eq!(file.revoked, BTreeSet::from([first]));
    assert_eq!(printed.state.root, root_of(&[first.value()]));

    // Again, by credential and by id: the same ids and root, a newer signature.
    let first_id = first.to_string();
    let again = revoke(dir.path(), &["--credential", "first.json", "--id", &first_id]);
    assert_eq!(read_state(&state_path).revoked, BTreeSet::from([first]));
    assert_eq!(again.state.root, printed.state.root);
    assert!(again.state.issued_at > printed.state.issued_at);
    assert!(again.verify(&public_key));

    // A second credential by id.
    let second_id = second.to_string();
    let both = revoke(dir.path(), &["--id", &second_id]);
    assert_eq!(read_state(&state_path).revoked, BTreeSet::from([first, second]));
    assert_eq!(both.state.root, root_of(&[first.value(), second.value()]));
    assert!(both.verify(&public_key));
    assert_ne!(both.state.root, again.state.root);

    // `state` signs the same root again, later.
    let out = run(dir.path(), &["state", "--key", "key.json", "--state", "state.json"]);
    let resigned: SignedState = serde_json::from_slice(&succeeded(&out).stdout).unwrap();
    assert_eq!(resigned.state.root, both.state.root);
    assert!(resigned.state.issued_at > both.state.issued_at);
    assert!(resigned.verify(&public_key));
    assert_eq!(read_state(&state_path).state, resigned);

    // `state` on a missing file starts an empty list.
    let out = run(dir.path(), &["state", "--key", "key.json", "--state", "empty.json"]);
    let empty: SignedState = serde_json::from_slice(&succeeded(&out).stdout).unwrap();
    assert_eq!(empty.state.root, RevocationTree::new().root());
    assert!(read_state(&dir.path().join("empty.json")).revoked.is_empty());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn revoke_refuses_foreign_edited_and_oversize_inputs() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path(), "key.json");
    keygen(dir.path(), "other.json");
    write_json(dir.path(), "claims.json", &claims_input());
    let out = run(
        dir.path(),
        &[
            "sign",
            "--key",
            "other.json",
            "--claims",
            "claims.json",
            "--holder",
            HOLDER,
            "--out",
            "foreign.json",
        ],
    );
    succeeded(&out);
    refused(
        &run(dir.path(), &["revoke", "--key", "key.json", "--state", "state.json"]),
        "at least one --credential or --id",
    );
    let foreign = ["revoke", "--key", "key.json", "--state", "state.json", "--credential", "foreign.json"];
    refused(&run(dir.path(), &foreign), "signed by another issuer key");
    for bad in ["0", "007", "abc", "340282366920938463463374607431768211456"] {
        let out = run(dir.path(), &["revoke", "--key", "key.json", "--state", "state.json", "--id", bad]);
        refused(&out, "a credentialId is a decimal number from 1 to 2^128 - 1");
    }
    assert!(!dir.path().join("state.json").exists(), "refusals write no state");

    revoke(dir.path(), &["--id", "5"]);
    let good = std::fs::read(dir.path().join("state.json")).unwrap();
    // Another issuer's key on this state file.
    let out = run(dir.path(), &["revoke", "--key", "other.json", "--state", "state.json", "--id", "6"]);
    refused(&out, "revocation state of another issuer key");
    // An id added by hand does not match the signed root.
    let mut edited: Value = serde_json::from_slice(&good).unwrap();
    edited["revoked"] = json!(["5", "9"]);
    write_json(dir.path(), "state.json", &edited);
    refused(
        &run(dir.path(), &["revoke", "--key", "key.json", "--state", "state.json", "--id", "6"]),
        "signed root is not the root",
    );
    assert_eq!(read_state(&dir.path().join("state.json")).revoked.len(), 2, "left as it was");
    // A state file over the bound is refused without being read.
    let big = std::fs::File::create(dir.path().join("big.json")).unwrap();
    big.set_len(64 * 1024 * 1024 + 1).unwrap();
    let out = run(dir.path(), &["state", "--key", "key.json", "--state", "big.json"]);
    refused(&out, "larger than 67108864 bytes");
    std::fs::write(dir.path().join("big-credential.json"), vec![b' '; 8 * 1024 + 1]).unwrap();
    std::fs::write(dir.path().join("state.json"), &good).unwrap();
    let out = run(
        dir.path(),
        &["revoke", "--key", "key.json", "--state", "state.json", "--credential", "big-credential.json"],
    );
    refused(&out, "larger than 8192 bytes");
    assert_eq!(std::fs::read(dir.path().join("state.json")).unwrap(), good);
}

fn interop_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/zk-interop");
    dir.canonicalize().unwrap_or(dir)
}

/// `Some(dir)` when node, circomlibjs and @zk-kit/eddsa-poseidon are there; `None` (skip)
/// locally otherwise; a panic when `CI` is set.
fn node_packages() -> Option<PathBuf> {
    let dir = interop_dir();
    let present = dir.join("node_modules/circomlibjs").is_dir()
        && dir.join("node_modules/@zk-kit/eddsa-poseidon").is_dir()
        && Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if present {
        return Some(dir);
    }
    // Any CI value but empty, "0" or "false" means CI (GitHub sets "true", others "1").
    let in_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    assert!(
        !in_ci,
        "CI is set but node, circomlibjs or @zk-kit/eddsa-poseidon is missing in {}: run \
         scripts/install-test-deps.sh (npm ci in scripts/zk-interop) before `cargo test`",
        dir.display()
    );
    eprintln!(
        "SKIPPED: circomlibjs interop needs node and `npm ci` in {} (scripts/install-test-deps.sh)",
        dir.display()
    );
    None
}

/// circomlibjs' `verifyPoseidon` (and @zk-kit's, which must agree) on each item, through
/// `scripts/zk-interop/eddsa.js verify`.
fn circomlibjs_verifies(dir: &Path, items: &[Value]) -> Vec<bool> {
    let mut child = Command::new("node")
        .arg(dir.join("eddsa.js"))
        .arg("verify")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(serde_json::to_string(items).unwrap().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let answers: Vec<bool> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| match line {
            "true" => true,
            "false" => false,
            other => panic!("unexpected answer {other:?}"),
        })
        .collect();
    assert_eq!(answers.len(), items.len());
    answers
}

#[test]
fn credentials_and_states_signed_by_the_cli_verify_in_circomlibjs() {
    let Some(node_dir) = node_packages() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_, public) = keygen(dir.path(), "key.json");
    succeeded(&sign(dir.path(), "key.json", &claims_input(), "credential.json"));
    let credential_text = std::fs::read(dir.path().join("credential.json")).unwrap();
    let credential: Value = serde_json::from_slice(&credential_text).unwrap();
    let claims_hash = fr_to_decimal(&Credential::from_json(&credential_text).unwrap().claims_hash());
    let state = revoke(dir.path(), &["--credential", "credential.json"]);
    let state_json = serde_json::to_value(&state).unwrap();
    let item = |message: String, signature: &Value| json!({"publicKey": public, "message": message, "signature": signature});
    let items = [
        item(claims_hash.clone(), &credential["signature"]),
        item(fr_to_decimal(&state.state.message()), &state_json["signature"]),
        // Negative twins: another message under each signature.
        item(fr_to_decimal(&state.state.message()), &credential["signature"]),
        item(claims_hash, &state_json["signature"]),
    ];
    assert_eq!(circomlibjs_verifies(&node_dir, &items), [true, true, false, false]);
}
