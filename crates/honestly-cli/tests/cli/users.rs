//! `honestly user …` as an operator runs it: weak passwords refused at creation.

use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

use crate::process::{honestly, TEST_PASSWORD};

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
