//! `honestly user …` as an operator runs it: weak passwords refused at creation, roles
//! changed, accounts disabled, enabled and erased, the last admin kept, and a change made from
//! the command line ending a running server's sessions at once.

use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

use crate::process::{honestly, Server, TEST_PASSWORD};

/// Runs `honestly user ARGS` on `data_dir`, with `stdin` as standard input.
fn user(data_dir: &Path, args: &[&str], stdin: &str) -> Output {
    let data = data_dir.display().to_string();
    let mut child = honestly(data_dir, &[("DATA_DIR", data.as_str())])
        .arg("user")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    writeln!(child.stdin.take().unwrap(), "{stdin}").unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn list(data_dir: &Path) -> String {
    let out = user(data_dir, &["list"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

/// The `user list` line of `name`.
fn line_of(listing: &str, name: &str) -> Option<String> {
    listing.lines().find(|l| l.split_whitespace().nth(1) == Some(name)).map(str::to_string)
}

#[test]
fn user_create_refuses_weak_passwords_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    for (password, reason) in [
        ("password1234", "too easy to guess"),
        ("aaaaaaaaaaaa", "too easy to guess"),
        ("Operator-Olga-2026!", "must not contain the username"),
    ] {
        let out = user(dir.path(), &["create", "--username", "operator-olga", "--role", "admin"], password);
        assert_eq!(out.status.code(), Some(2), "{password}");
        assert!(text(&out.stderr).contains(reason), "{password}: {}", text(&out.stderr));
    }
    assert!(line_of(&list(dir.path()), "operator-olga").is_none());
    let out = user(dir.path(), &["create", "--username", "operator-olga", "--role", "admin"], TEST_PASSWORD);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn roles_disabling_and_erasure_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (name, role) in [("boss", "admin"), ("worker", "user")] {
        let out = user(d, &["create", "--username", name, "--role", role], TEST_PASSWORD);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let out = user(d, &["set-role", "--username", "worker", "--role", "verifier"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(line_of(&list(d), "worker").unwrap().contains("verifier"));
    let out = user(d, &["disable", "--username", "WORKER"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(line_of(&list(d), "worker").unwrap().trim_end().ends_with("true"));
    let out = user(d, &["enable", "--username", "worker"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(line_of(&list(d), "worker").unwrap().trim_end().ends_with("false"));

    // The only admin stays one.
    for args in [
        &["set-role", "--username", "boss", "--role", "user"][..],
        &["disable", "--username", "boss"][..],
        &["delete", "--username", "boss"][..],
    ] {
        let out = user(d, args, "");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(text(&out.stderr).contains("last enabled admin"), "{}", text(&out.stderr));
    }
    assert!(line_of(&list(d), "boss").unwrap().contains("admin"));

    let out = user(d, &["delete", "--username", "worker"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("erased worker"), "{}", text(&out.stdout));
    assert!(line_of(&list(d), "worker").is_none());
    let out = user(d, &["delete", "--username", "worker"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no account named worker"), "{}", text(&out.stderr));
}

#[test]
fn a_change_from_the_command_line_ends_a_running_servers_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let client = reqwest::blocking::Client::new();
    server.register(&client, "remote-worker");
    let token = server.login(&client, "remote-worker");
    let me = |token: &str| client.get(server.url("/auth/me")).bearer_auth(token).send().unwrap().status();
    assert_eq!(me(&token), 200);

    let out = user(dir.path(), &["disable", "--username", "remote-worker"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(me(&token), 401, "the access token is refused at once");
    let creds = serde_json::json!({"username": "remote-worker", "password": TEST_PASSWORD});
    assert_eq!(client.post(server.url("/auth/login")).json(&creds).send().unwrap().status(), 401);

    let out = user(dir.path(), &["enable", "--username", "remote-worker"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token = server.login(&client, "remote-worker");
    assert_eq!(me(&token), 200);
    let out = user(dir.path(), &["delete", "--username", "remote-worker"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(me(&token), 401);
}

/// A password piped from something that never ends (here `/dev/zero`, no line ending ever) is
/// refused after one line's worth of bytes instead of being read until memory runs out.
#[test]
fn a_password_from_an_endless_stdin_is_refused_without_reading_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let mut child = honestly(dir.path(), &[("DATA_DIR", data.as_str())])
        .args(["user", "create", "--username", "operator-olga", "--role", "admin"])
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    // Without the bound the command would never end: give it a generous while, then fail.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("honestly user create kept reading an endless stdin");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("stdin is larger than"), "{err}");
    assert!(line_of(&list(dir.path()), "operator-olga").is_none());
}

#[test]
fn hosted_issuers_and_their_members_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let issuer = |args: &[&str]| {
        honestly(dir.path(), &[("DATA_DIR", data.as_str())]).arg("issuer").args(args).output().unwrap()
    };
    let out = issuer(&["create", "--name", "Example Registry Office"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let created: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("iss_"));
    assert!(created["public_key"]["x"].is_string());
    // Names are unique; the listing shows the issuer.
    let again = issuer(&["create", "--name", "Example Registry Office"]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again.stderr));
    let listing = issuer(&["list"]);
    assert!(text(&listing.stdout).contains(&id) && text(&listing.stdout).contains("Example Registry Office"));

    // A member: role issuer, acting for that issuer; an unknown issuer or no --issuer is refused.
    let out = user(
        dir.path(),
        &["create", "--username", "registrar", "--role", "issuer", "--issuer", &id],
        TEST_PASSWORD,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(&format!("role issuer for {id}")), "{}", text(&out.stdout));
    assert!(line_of(&list(dir.path()), "registrar").unwrap().contains("issuer"));
    let unknown = user(
        dir.path(),
        &[
            "create",
            "--username",
            "registrar2",
            "--role",
            "issuer",
            "--issuer",
            "iss_00000000000000000000000000000000",
        ],
        TEST_PASSWORD,
    );
    assert_eq!(unknown.status.code(), Some(2), "{}", text(&unknown.stderr));
    let missing =
        user(dir.path(), &["create", "--username", "registrar3", "--role", "issuer"], TEST_PASSWORD);
    assert!(!missing.status.success());
    assert!(line_of(&list(dir.path()), "registrar2").is_none(), "nothing was created");
}
