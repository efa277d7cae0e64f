//! `honestly zk setup | prove age | verify`: files written and exit codes.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

fn honestly(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_honestly"))
        .args(["zk"])
        .args(args)
        .env("ENVIRONMENT", "development")
        .output()
        .expect("run honestly")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../honestly-zk/tests/fixtures/circom_multiplier")
}

#[test]
fn setup_prove_verify_and_every_exit_code() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("zk");
    let out = honestly(&["setup", "--circuit", "age_proof_v2", "--out", s(&keys)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let vk = keys.join("age_proof_v2/verification_key.json");
    assert!(keys.join("age_proof_v2/proving_key.bin").is_file());
    assert!(vk.is_file());

    let doc = tmp.path().join("passport.pdf");
    std::fs::write(&doc, b"a scanned passport").unwrap();
    let proof_dir = tmp.path().join("proof");
    let out = honestly(&[
        "prove",
        "age",
        "--keys",
        s(&keys),
        "--birth-date",
        "1990-05-17",
        "--min-age",
        "18",
        "--document",
        s(&doc),
        "--out",
        s(&proof_dir),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (proof, public) = (proof_dir.join("proof.json"), proof_dir.join("public.json"));
    let verify = |vk: &Path, proof: &Path, public: &Path| {
        honestly(&["verify", "--vk", s(vk), "--proof", s(proof), "--public", s(public)]).status.code()
    };
    assert_eq!(verify(&vk, &proof, &public), Some(0));

    // One public signal changed → invalid (1).
    let mut signals: Vec<String> = serde_json::from_slice(&std::fs::read(&public).unwrap()).unwrap();
    signals[0] = "17".into();
    let tampered = tmp.path().join("tampered.json");
    std::fs::write(&tampered, serde_json::to_vec(&signals).unwrap()).unwrap();
    assert_eq!(verify(&vk, &proof, &tampered), Some(1));

    // Malformed inputs (2): garbage, wrong signal count, missing file.
    let garbage = tmp.path().join("garbage.json");
    std::fs::write(&garbage, b"{\"pi_a\": 12").unwrap();
    assert_eq!(verify(&vk, &garbage, &public), Some(2));
    signals.pop();
    let short = tmp.path().join("short.json");
    std::fs::write(&short, serde_json::to_vec(&signals).unwrap()).unwrap();
    assert_eq!(verify(&vk, &proof, &short), Some(2));
    assert_eq!(verify(&vk, &tmp.path().join("missing.json"), &public), Some(2));

    // Born before 1970: 76 on the 76th birthday (with a fixed reference date), not the day before.
    let prove_1950 = |reference: &str, out: &Path| {
        honestly(&[
            "prove",
            "age",
            "--keys",
            s(&keys),
            "--birth-date",
            "1950-03-01",
            "--min-age",
            "76",
            "--reference-date",
            reference,
            "--document",
            s(&doc),
            "--out",
            s(out),
        ])
        .status
        .code()
    };
    let old_dir = tmp.path().join("born-1950");
    assert_eq!(prove_1950("2026-03-01", &old_dir), Some(0));
    assert_eq!(verify(&vk, &old_dir.join("proof.json"), &old_dir.join("public.json")), Some(0));
    let signals: Vec<String> =
        serde_json::from_slice(&std::fs::read(old_dir.join("public.json")).unwrap()).unwrap();
    assert_eq!(signals[..2], ["76".to_string(), "20260301".to_string()]);
    assert_eq!(prove_1950("2026-02-28", &tmp.path().join("too-young")), Some(1));
    assert!(!tmp.path().join("too-young").exists());

    // A false statement: exit 1 and no files.
    let none_dir = tmp.path().join("none");
    let out = honestly(&[
        "prove",
        "age",
        "--keys",
        s(&keys),
        "--birth-date",
        "2015-01-01",
        "--min-age",
        "18",
        "--document",
        s(&doc),
        "--out",
        s(&none_dir),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!none_dir.exists());

    // Bad arguments: exit 2.
    let out = honestly(&[
        "prove",
        "age",
        "--keys",
        s(&keys),
        "--birth-date",
        "17/05/1990",
        "--document",
        s(&doc),
        "--out",
        s(&none_dir),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(honestly(&["setup", "--circuit", "nope", "--out", s(&keys)]).status.code(), Some(2));
}

#[test]
fn verify_accepts_an_external_snarkjs_key_and_proof() {
    let f = fixture();
    let verify = |public: &Path| {
        honestly(&[
            "verify",
            "--vk",
            s(&f.join("verification_key.json")),
            "--proof",
            s(&f.join("proof.json")),
            "--public",
            s(public),
        ])
        .status
        .code()
    };
    assert_eq!(verify(&f.join("public.json")), Some(0));
    let tmp = tempfile::tempdir().unwrap();
    let tampered = tmp.path().join("public.json");
    std::fs::write(&tampered, br#"["34", "14"]"#).unwrap();
    assert_eq!(verify(&tampered), Some(1));
}

/// Every file is read up to its bound plus one byte, never further: `/dev/zero` and a file
/// just over the bound are malformed input (exit 2) with a message naming the file and bound.
#[test]
fn files_over_their_bound_are_refused_without_being_read_whole() {
    let f = fixture();
    let (vk, proof, public) = (f.join("verification_key.json"), f.join("proof.json"), f.join("public.json"));
    let tmp = tempfile::tempdir().unwrap();
    let over = tmp.path().join("over.json");
    // Valid JSON (a huge string) one byte over the 4 MiB bound.
    let mut bytes = vec![b' '; 4 * 1024 * 1024 + 1];
    bytes[0] = b'[';
    bytes[4 * 1024 * 1024] = b']';
    std::fs::write(&over, &bytes).unwrap();
    let dev_zero = Path::new("/dev/zero");
    for (vk, proof, public, culprit) in [
        (vk.as_path(), dev_zero, public.as_path(), dev_zero),
        (vk.as_path(), proof.as_path(), dev_zero, dev_zero),
        (dev_zero, proof.as_path(), public.as_path(), dev_zero),
        (vk.as_path(), proof.as_path(), over.as_path(), over.as_path()),
        (over.as_path(), proof.as_path(), public.as_path(), over.as_path()),
    ] {
        let out = honestly(&["verify", "--vk", s(vk), "--proof", s(proof), "--public", s(public)]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(&format!("{} is larger than 4194304 bytes", culprit.display())), "{stderr}");
    }
    // Exactly at the bound, the file is read (and then refused as not a public-signal array).
    std::fs::write(&over, &bytes[..4 * 1024 * 1024]).unwrap();
    let out = honestly(&["verify", "--vk", s(&vk), "--proof", s(&proof), "--public", s(&over)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("larger than"));

    // `prove --document` reads at most MAX_UPLOAD_BYTES (the check comes before any key is needed).
    let doc = tmp.path().join("doc.pdf");
    std::fs::write(&doc, vec![7u8; 1001]).unwrap();
    for document in [doc.as_path(), dev_zero] {
        let out = Command::new(env!("CARGO_BIN_EXE_honestly"))
            .args(["zk", "prove", "age", "--keys", s(tmp.path()), "--birth-date", "1990-05-17"])
            .args(["--document", s(document), "--out", s(&tmp.path().join("out"))])
            .env("ENVIRONMENT", "development")
            .env("MAX_UPLOAD_BYTES", "1000")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(&format!("{} is larger than 1000 bytes", document.display())), "{stderr}");
    }
}
