//! The web app walked in a real browser (Debian's Chromium through its chromedriver and
//! Selenium, `scripts/browser/walk.py`). A newcomer registers, uploads a document by the form
//! (through the upload progress bar), asks an issuer to vouch for it; a member of the issuer,
//! in a second browser, approves; the newcomer proves "at least 18" from the credential, copies
//! the share link (the copy button) and shares it for two views; the link, opened with no
//! session, is verified and names the issuer twice, then is not available. A holder answers a
//! proof request from its link, the newcomer answers a self-declared age request, a verifier's
//! open request page turns completed without a reload, and at last the newcomer deletes their
//! account. Every page passes axe-core (nothing serious or critical), logs nothing to the
//! browser's console (no policy violation) and is photographed at 375 and 1280 pixels into
//! `test-output/webapp/`. What the clicks did is then checked over the API, down to the
//! deleted account leaving nothing behind.

use std::path::PathBuf;

use serde_json::{json, Value};

use crate::accounts::admin_token;
use crate::helpers::{TestApp, PASSWORD};
use crate::proof_requests::{create, holder_with_credential, verifier_token};

/// The server's upload limit: small, so the walk sends a file over it quickly.
const MAX_UPLOAD_BYTES: &str = "262144";

/// The Python of the venv `scripts/browser/setup.sh` makes, with Chromium's driver beside
/// it; `None` (skipped, saying why) without them, a failure under `CI=true`.
fn walker() -> Option<(PathBuf, PathBuf)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let venv = std::env::var_os("BROWSER_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join(".cache/venv-browser"));
    let python = venv.join("bin/python");
    let script = root.join("scripts/browser/walk.py");
    let ready = std::process::Command::new(&python)
        .args(["-c", "import selenium"])
        .output()
        .is_ok_and(|o| o.status.success())
        && root.join("scripts/browser/node_modules/axe-core/axe.min.js").is_file()
        && PathBuf::from(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into()))
            .is_file();
    if ready {
        return Some((python, script));
    }
    assert_ne!(
        std::env::var("CI").as_deref(),
        Ok("true"),
        "CI=true but the browser tests' tools are missing (scripts/install-test-deps.sh installs chromium-driver, \
         scripts/browser/setup.sh Selenium and axe-core)"
    );
    eprintln!(
        "skipping the browser walk: run scripts/install-test-deps.sh (chromium-driver, Selenium, axe-core)"
    );
    None
}

#[tokio::test]
async fn a_person_uses_the_web_app_by_clicks_and_typing() {
    let Some((python, script)) = walker() else { return };
    // The share links are built on the address the browsers reach, as in a real deployment
    // (a free port, chosen before the server starts).
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let base = format!("http://127.0.0.1:{port}");
    let app = TestApp::spawn_env(&[
        ("REQUEST_TIMEOUT", "600"),
        ("PORT", port.as_str()),
        ("SHARE_LINK_BASE_URL", base.as_str()),
        ("MAX_UPLOAD_BYTES", MAX_UPLOAD_BYTES),
    ])
    .await;
    let (issuer_id, _holder_token, _credential) = holder_with_credential(&app, "walk").await;
    let verifier = verifier_token(&app, "walk-door").await;
    let (request_id, request_token, _) = create(
        &app,
        &verifier,
        json!({"purpose": "Entry to the walk", "query": {"min_age": 18}, "trusted_issuers": [issuer_id]}),
    )
    .await;

    let (declare_id, declare_token, _) = create(
        &app,
        &verifier,
        json!({"purpose": "A self-declared age", "proof_type": "age_proof_v2", "query": {"min_age": 18}}),
    )
    .await;

    // The admin journey's administrator, and an account it makes an issuer's member.
    admin_token(&app, "root-walk").await;
    app.register_and_login("member-walk").await;

    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-output/webapp");
    let work = tempfile::tempdir().unwrap();
    let plan = work.path().join("plan.json");
    let walker_name = "walker-in-the-browser";
    std::fs::write(
        &plan,
        json!({
            "base": app.url(""),
            "walker": {"username": walker_name, "password": PASSWORD},
            "holder": {"username": "holder-walk", "password": PASSWORD},
            "request_token": request_token,
            "declare_token": declare_token,
            "verifier": {"username": "walk-door", "password": PASSWORD},
            "issuer_id": issuer_id,
            "issuer_name": "Registry walk",
            "max_upload_bytes": MAX_UPLOAD_BYTES.parse::<u64>().unwrap(),
            "issuer_member": {"username": "registrar-walk", "password": PASSWORD},
            "admin": {"username": "root-walk", "password": PASSWORD},
            "member": {"username": "member-walk"},
        })
        .to_string(),
    )
    .unwrap();
    let run =
        tokio::process::Command::new(&python).arg(&script).arg(&plan).arg(&out).kill_on_drop(true).output();
    let output = tokio::time::timeout(std::time::Duration::from_secs(600), run)
        .await
        .expect("the browser walk finishes within 10 minutes")
        .expect("the browser walk runs");
    let said =
        format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the browser walk failed:\n{said}");
    let report: Value = serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let pages: Vec<&str> =
        report["pages"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    for page in [
        "sign-in",
        "register",
        "upload",
        "document",
        "issuer-review",
        "share-link",
        "shared-proof",
        "account",
        "request-consent",
        "request-answered",
        "account-deleted",
    ] {
        assert!(pages.contains(&page), "the walk did not reach {page}: {pages:?}");
        for width in [375, 1280] {
            let png = std::fs::read(out.join(format!("{page}-{width}.png"))).unwrap();
            assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{page}-{width}.png is a PNG");
            let png_width = u32::from_be_bytes(png[16..20].try_into().unwrap());
            assert_eq!(png_width, width, "{page}-{width}.png width");
        }
    }

    // What the clicks did, seen over the API: the requests answered, and the walker's account
    // gone with everything it held.
    let seen = &report["seen"];
    let (Some(asked), Some(share_url)) = (seen["credential_request"].as_str(), seen["share_url"].as_str())
    else {
        panic!("the walk saw no credential request or share link: {seen}")
    };
    let login = app.post_json("/auth/login", &json!({"username": walker_name, "password": PASSWORD})).await;
    assert_eq!(login.status(), 401, "the deleted account cannot sign in");
    let member = app
        .post_json("/auth/login", &json!({"username": "registrar-walk", "password": PASSWORD}))
        .await
        .json::<Value>()
        .await
        .unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app.get_bearer(&format!("/issuer/requests/{asked}"), &member).await;
    assert_eq!(r.status(), 404, "the issuer no longer sees the erased holder's request");
    let r = app.get_bearer(&format!("/issuer/requests/{asked}/document"), &member).await;
    assert_eq!(r.status(), 404, "nor its document");
    assert!(share_url.starts_with(&format!("{base}/vault/share/")), "{share_url}");
    let share_path = &share_url[base.len()..];
    assert_eq!(app.get(share_path).await.status(), 404, "the share link went with the account");
    let page = app.client.get(app.url(share_path)).header("accept", "text/html").send().await.unwrap();
    assert!(page.text().await.unwrap().contains("not available"), "the share link's page");
    let request: Value =
        app.get_bearer(&format!("/verifier/requests/{request_id}"), &verifier).await.json().await.unwrap();
    assert_eq!(request["request"]["status"], "completed", "{request}");
    assert_eq!(request["request"]["result"]["verified"], true);
    let declared: Value =
        app.get_bearer(&format!("/verifier/requests/{declare_id}"), &verifier).await.json().await.unwrap();
    assert_eq!(declared["request"]["status"], "completed", "{declared}");
    assert_eq!(declared["request"]["result"]["self_declared"], true);
}
