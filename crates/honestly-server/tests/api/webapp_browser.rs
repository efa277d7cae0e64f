//! The web app walked in a real browser (Debian's Chromium through its chromedriver and
//! Selenium, `scripts/browser/walk.py`). A newcomer registers, uploads a document by the form
//! (through the upload progress bar), asks an issuer to vouch for it; a member of the issuer,
//! in a second browser, approves; the newcomer proves "at least 18" from the credential, copies
//! the share link (the copy button) and shares it for two views, and once more behind a
//! passphrase; the link, opened with no session, is verified and names the issuer twice, then
//! is not available. A holder answers a proof request from its link and declines one whose
//! verifier sends them on to another origin (the browser lands there), the newcomer answers a
//! self-declared age request and declines one their credential cannot meet, a verifier's open
//! request page turns completed without a reload, and at last the newcomer deletes their
//! account. On the way the walk opens every confirmation page, the error pages (403, 404,
//! 409, 429) and the consoles' lists. Every page passes axe-core (nothing serious or
//! critical), logs nothing to the browser's console (no policy violation) and is photographed
//! at 375 and 1280 pixels into `test-output/webapp/`. What the clicks did is then checked over
//! the API and in the store, down to the deleted account leaving nothing behind: not in the
//! store, not for the administrator, not in any file of the data directory.

use std::path::PathBuf;

use serde_json::{json, Value};

use crate::accounts::admin_token;
use crate::erasure::files_containing;
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

    // A request the walker's credential cannot meet (at least 65): opened before they hold
    // one and after, then declined.
    let (unqualified_id, unqualified_token, _) = create(
        &app,
        &verifier,
        json!({"purpose": "Seniors' evening", "query": {"min_age": 65}, "trusted_issuers": [issuer_id]}),
    )
    .await;
    // A request whose verifier sends the holder on to another origin after the answer: the
    // same server by another name, which the browser reaches but is not the page's origin.
    let redirect_url = format!("http://localhost:{port}/app?answered=walk");
    let (redirect_id, redirect_token, _) = create(
        &app,
        &verifier,
        json!({"purpose": "Entry, then back to the club", "query": {"min_age": 18},
               "trusted_issuers": [issuer_id], "redirect_url": redirect_url}),
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
            "unqualified_token": unqualified_token,
            "redirect_token": redirect_token,
            "redirect_url": redirect_url,
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
        // Issue 18's pages beyond the journeys' main path.
        "documents",
        "document-delete",
        "credential-delete",
        "link-revoke",
        "agent-delete",
        "issuer-revoke",
        "admin-remove-member",
        "admin-user-delete",
        "password",
        "credential-import",
        "prove-age",
        "prove-authenticity",
        "authenticity-proof",
        "agent-created",
        "issuer-issued",
        "issuer-approved",
        "verifier-requests",
        "verifier-request",
        "request-declined",
        "request-no-credential",
        "request-unqualified",
        "request-redirected",
        "shared-unavailable",
        "shared-passphrase",
        "forbidden",
        "not-found",
        "form-sent-twice",
        "sign-in-locked",
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
    // Everything the walker held is gone: in the store, for the administrator, and from every
    // file of the data directory (looked at before anyone tries the walker's name: a failed
    // sign-in is kept, by name, for the lockout).
    let id =
        |key: &str| seen[key].as_str().unwrap_or_else(|| panic!("the walk saw no {key}: {seen}")).to_string();
    let walker_id = honestly_core::ids::UserId::parse(&id("walker_id")).unwrap();
    let document = honestly_core::ids::DocumentId::parse(&id("document")).unwrap();
    let proof = honestly_core::ids::ProofId::parse(&id("proof")).unwrap();
    let store = &app.state.store;
    assert!(store.document(&walker_id, &document).await.unwrap().is_none(), "the document went");
    assert!(store.proof(&walker_id, &proof).await.unwrap().is_none(), "the proof went");
    let credential = honestly_core::ids::CredentialId::parse(&id("credential")).unwrap();
    assert!(store.held_credential(&walker_id, &credential).await.unwrap().is_none(), "the credential went");
    assert!(store.held_credentials(&walker_id, 100).await.unwrap().is_empty(), "and every other");
    assert!(store.credential_requests_of_holder(&walker_id, 100).await.unwrap().is_empty());
    let admin = app.access_token("root-walk").await;
    let users: Value = app.get_bearer("/admin/users", &admin).await.json().await.unwrap();
    let ids: Vec<&str> = users["users"].as_array().unwrap().iter().filter_map(|u| u["id"].as_str()).collect();
    assert!(!ids.contains(&walker_id.as_str()), "the administrator still lists the walker: {users}");
    assert!(ids.len() >= 5, "the list is the accounts': {users}");
    let sha256 = id("document_sha256");
    let dir = app.data_dir();
    for needle in [walker_name.to_string(), id("document_text"), sha256.clone(), sha256.to_ascii_uppercase()]
    {
        let found = files_containing(dir, needle.as_bytes());
        assert!(found.is_empty(), "{needle:?} is still in {found:?}: {}", around(&found, needle.as_bytes()));
    }
    assert!(!files_containing(dir, b"holder-walk").is_empty(), "the scan finds what is there");
    let login = app.post_json("/auth/login", &json!({"username": walker_name, "password": PASSWORD})).await;
    assert_eq!(login.status(), 401, "the deleted account cannot sign in");
    let member = app.access_token("registrar-walk").await;
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
    for (id, what) in
        [(&unqualified_id, "the unqualified request"), (&redirect_id, "the redirecting request")]
    {
        let request: Value =
            app.get_bearer(&format!("/verifier/requests/{id}"), &verifier).await.json().await.unwrap();
        assert_eq!(request["request"]["status"], "declined", "{what}: {request}");
    }
}

/// What surrounds the first `needle` in the first of `files`, as text (to say where it stayed).
fn around(files: &[String], needle: &[u8]) -> String {
    let Some(bytes) = files.first().and_then(|f| std::fs::read(f).ok()) else { return String::new() };
    let Some(at) = bytes.windows(needle.len()).position(|w| w == needle) else { return String::new() };
    let start = at.saturating_sub(300);
    let end = (at + needle.len() + 300).min(bytes.len());
    String::from_utf8_lossy(&bytes[start..end]).replace(|c: char| c.is_control(), " ")
}
