//! `honestly agent sign` signs exactly like the Python agents: compared with python3's own
//! `hmac.new(secret.encode(), json.dumps(envelope, sort_keys=True).encode(), sha256)`.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::process::honestly;

/// An envelope with what canonicalisation can get wrong: key order, non-ASCII and astral
/// characters, a control character, an integer beyond 64 bits, float exponents, `-0.0`.
const ENVELOPE: &str = r#"{"timestamp": 1764309600.5, "agent_id": "bot-é", "action": "verify_proof",
 "parameters": {"z": [1e-7, -0.0, 1e16, 2.5], "note": "é😀\u0001/\u007f", "n": 123456789012345678901234567890}}"#;

fn sign(envs: &[(&str, &str)], args: &[&str], input: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut child = honestly(dir.path(), envs)
        .args(["agent", "sign"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// Python's signature of `input` (canonical, or raw bytes), or `None` without python3 outside CI.
fn python_signature(secret: &str, input: &str, raw: bool) -> Option<String> {
    let program = if raw {
        "import hmac,hashlib,sys; print(hmac.new(sys.argv[1].encode(), sys.stdin.buffer.read(), hashlib.sha256).hexdigest())"
    } else {
        "import json,hmac,hashlib,sys; d=json.loads(sys.stdin.read()); \
         print(hmac.new(sys.argv[1].encode(), json.dumps(d, sort_keys=True).encode(), hashlib.sha256).hexdigest())"
    };
    let child = Command::new("python3")
        .args(["-c", program, secret])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "python3 is required in CI: {e}");
            eprintln!("skipping: cannot run python3 ({e})");
            return None;
        }
    };
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    Some(String::from_utf8(out.stdout).unwrap().trim().to_string())
}

#[test]
fn agent_sign_matches_python_for_canonical_and_raw_signatures() {
    let Some(expected) = python_signature("first-secret", ENVELOPE, false) else { return };
    let out = sign(&[("AI_AGENT_SECRET", "first-secret,older-secret")], &[], ENVELOPE);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), expected, "the first secret signs");

    let raw = python_signature("hsk_delegated", ENVELOPE, true).unwrap();
    assert_ne!(raw, expected);
    let out = sign(
        &[("MY_AGENT_SECRET", "hsk_delegated")],
        &["--secret-env", "MY_AGENT_SECRET", "--raw"],
        ENVELOPE,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), raw);
}

#[test]
fn agent_sign_refuses_bad_input_without_printing_a_signature() {
    let out = sign(&[], &["--secret-env", "NOT_SET_ANYWHERE"], ENVELOPE);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NOT_SET_ANYWHERE is not set"));
    assert!(out.stdout.is_empty());
    let out = sign(&[("AI_AGENT_SECRET", "s")], &[], "{not json");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let out = sign(&[("AI_AGENT_SECRET", "s")], &[], r#"{"x": NaN}"#);
    assert_eq!(out.status.code(), Some(2), "NaN has no canonical form");
}
