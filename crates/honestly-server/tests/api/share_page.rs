//! The verifier's page of a share link, as a browser gets it: negotiation against the JSON
//! view, the claim in plain words, the status, the passphrase form, the one 404 page, and the
//! page's own security policy.

use base64::Engine;
use serde_json::{json, Value};

use crate::helpers::{assert_security_headers, TestApp};
use crate::share::{create_link, owner_with_age_proof, path_of, Owner};

/// What Chromium sends for a top-level navigation.
pub const BROWSER_ACCEPT: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8";

pub async fn get_page(app: &TestApp, path: &str) -> reqwest::Response {
    app.client.get(app.url(path)).header("accept", BROWSER_ACCEPT).send().await.unwrap()
}

async fn post_form(app: &TestApp, path: &str, passphrase: &str) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .header("accept", BROWSER_ACCEPT)
        .form(&[("passphrase", passphrase)])
        .send()
        .await
        .unwrap()
}

async fn access_count(app: &TestApp, owner: &Owner, link: &Value) -> u64 {
    let list: Value = app.get_bearer("/vault/share-links", &owner.token).await.json().await.unwrap();
    let links = list["links"].as_array().unwrap();
    links.iter().find(|l| l["id"] == link["id"]).unwrap()["access_count"].as_u64().unwrap()
}

/// `28 Nov 2026` for a `YYYYMMDD` date, as the page writes days.
pub fn day(yyyymmdd: u32) -> String {
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!("{} {} {}", yyyymmdd % 100, MONTHS[(yyyymmdd / 100 % 100) as usize - 1], yyyymmdd / 10_000)
}

/// The decoded content of the `data:` link that downloads `file`.
fn data_download(html: &str, file: &str) -> Value {
    let marker = format!("\" download=\"{file}\"");
    let end = html.find(&marker).unwrap_or_else(|| panic!("no download of {file}"));
    let prefix = "href=\"data:application/json;base64,";
    let start = html[..end].rfind(prefix).expect("a data: URL") + prefix.len();
    let bytes = base64::engine::general_purpose::STANDARD.decode(&html[start..end]).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

pub fn assert_page_headers(response: &reqwest::Response) {
    assert_security_headers(response);
    let h = response.headers();
    assert_eq!(h["content-type"], "text/html; charset=utf-8");
    assert_eq!(h["cache-control"], "no-store");
    let csp = h["content-security-policy"].to_str().unwrap();
    for directive in [
        "default-src 'none'",
        "img-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "style-src 'sha256-",
    ] {
        assert!(csp.contains(directive), "{directive} missing from {csp}");
    }
    assert!(!csp.contains("unsafe-inline") && !csp.contains("script-src"), "{csp}");
}

#[tokio::test]
async fn a_browser_gets_the_verifier_page_and_api_clients_keep_the_json_view() {
    let app = TestApp::spawn().await;
    let owner = owner_with_age_proof(&app, 21).await;
    let link = create_link(&app, &owner, json!({"max_accesses": 5})).await;
    let (path, token) = (path_of(&link), link["token"].as_str().unwrap().to_string());
    let proof: Value = app
        .get_bearer(&format!("/vault/proofs/{}", owner.proof_id), &owner.token)
        .await
        .json()
        .await
        .unwrap();
    let signals = proof["proof"]["public_signals"].clone();
    // age_proof_v2: the reference date is YYYYMMDD.
    let reference_date: u32 = signals[1].as_str().unwrap().parse().unwrap();

    let page = get_page(&app, &path).await;
    assert_eq!(page.status(), 200);
    assert_page_headers(&page);
    assert!(page.headers()["vary"].to_str().unwrap().contains("accept"));
    let html = page.text().await.unwrap();
    let claim = format!(
        "The holder is at least 21 years old — proven on {}, without revealing the birth date.",
        day(reference_date)
    );
    assert!(html.contains(&format!("<h1>{claim}</h1>")), "{html}");
    assert!(html.contains("self-declared, not attested"), "{html}");
    assert!(html.contains("✓ Verified"), "{html}");
    assert!(html.contains("<main>") && html.contains("<dl>"));
    assert!(html.contains(r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#));
    assert!(html.contains(&format!(r#"src="/vault/qr/{token}""#)));
    assert!(html.contains("4 more views"), "{html}");
    assert!(html.contains(
        r#"href="/zkp/artifacts/age_proof_v2/verification_key.json" download="verification_key.json""#
    ));
    assert!(html.contains("snarkjs groth16 verify verification_key.json public.json proof.json"));
    assert!(!html.contains("<script"));
    assert_eq!(data_download(&html, "public.json"), signals);
    assert_eq!(data_download(&html, "proof.json"), proof["proof"]["proof"]);

    // The QR code the page shows costs no access; API clients still get JSON.
    assert_eq!(app.get(&format!("/vault/qr/{token}")).await.status(), 200);
    for accept in [None, Some("*/*"), Some("application/json"), Some("application/json, text/html")] {
        let mut request = app.client.get(app.url(&path));
        if let Some(a) = accept {
            request = request.header("accept", a);
        }
        let r = request.send().await.unwrap();
        assert_eq!(r.headers()["content-type"], "application/json", "Accept: {accept:?}");
        let view: Value = r.json().await.unwrap();
        assert_eq!(view["proof_status"], "verified");
    }
    assert_eq!(access_count(&app, &owner, &link).await, 5, "the page and each view consume one access");
}

#[tokio::test]
async fn a_proof_that_does_not_verify_is_shown_as_not_valid() {
    let app = TestApp::spawn().await;
    let owner = owner_with_age_proof(&app, 18).await;
    let link = create_link(&app, &owner, json!({})).await;
    // Claim 21 instead of the proven 18: the proof no longer matches its public inputs.
    let db = rusqlite::Connection::open(app.data_dir().join("honestly.db")).unwrap();
    let changed = db
        .execute(
            "UPDATE proofs SET public_signals = json_set(public_signals, '$[0]', '21') WHERE id = ?1",
            [&owner.proof_id],
        )
        .unwrap();
    assert_eq!(changed, 1);

    let html = get_page(&app, &path_of(&link)).await.text().await.unwrap();
    assert!(html.contains("✗ Not valid"), "{html}");
    assert!(!html.contains("✓ Verified"));
    assert!(html.contains("at least 21 years old"), "the page shows what the link claims");
}

#[tokio::test]
async fn unknown_revoked_expired_and_exhausted_links_get_one_identical_page() {
    let app = TestApp::spawn().await;
    let owner = owner_with_age_proof(&app, 18).await;
    let revoked = create_link(&app, &owner, json!({})).await;
    let r = app
        .client
        .delete(app.url(&format!("/vault/share-links/{}", revoked["id"].as_str().unwrap())))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let expired = create_link(&app, &owner, json!({})).await;
    let db = rusqlite::Connection::open(app.data_dir().join("honestly.db")).unwrap();
    db.execute("UPDATE share_links SET expires_at = 1 WHERE id = ?1", [expired["id"].as_str().unwrap()])
        .unwrap();
    let exhausted = create_link(&app, &owner, json!({"max_accesses": 1})).await;
    let last = get_page(&app, &path_of(&exhausted)).await.text().await.unwrap();
    assert!(last.contains("last view this link allows") && !last.contains("<img"), "{last}");

    let mut bodies = Vec::new();
    for path in [
        format!("/vault/share/{}", "A".repeat(43)),
        "/vault/share/not-a-token".to_string(),
        path_of(&revoked),
        path_of(&expired),
        path_of(&exhausted),
    ] {
        let r = get_page(&app, &path).await;
        assert_eq!(r.status(), 404, "{path}");
        assert_page_headers(&r);
        bodies.push(r.text().await.unwrap());
    }
    assert!(bodies[0].contains("<h1>This link is not available</h1>"), "{}", bodies[0]);
    assert!(bodies.iter().all(|b| *b == bodies[0]), "the 404 pages differ");
}

#[tokio::test]
async fn a_passphrase_link_shows_a_form_and_wrong_passphrases_consume_nothing() {
    let app = TestApp::spawn().await;
    let owner = owner_with_age_proof(&app, 18).await;
    let link = create_link(&app, &owner, json!({"passphrase": "open sesame", "max_accesses": 3})).await;
    let path = path_of(&link);

    let form = get_page(&app, &path).await;
    assert_eq!(form.status(), 200);
    assert_page_headers(&form);
    let html = form.text().await.unwrap();
    assert!(html.contains(&format!(r#"<form method="post" action="{path}">"#)), "{html}");
    assert!(html.contains(r#"<label for="passphrase">"#) && html.contains(r#"type="password""#));
    assert!(!html.contains("Wrong passphrase") && !html.contains("years old"));

    let wrong = post_form(&app, &path, "open sesamE").await;
    assert_eq!(wrong.status(), 401);
    assert_page_headers(&wrong);
    let html = wrong.text().await.unwrap();
    assert!(html.contains("Wrong passphrase") && html.contains("<form"), "{html}");
    // Not a form at all: the form again, nothing consumed.
    let json_body =
        app.client.post(app.url(&path)).json(&json!({"passphrase": "open sesame"})).send().await.unwrap();
    assert_eq!(json_body.status(), 400);
    assert!(json_body.text().await.unwrap().contains("<form"));
    let oversized = post_form(&app, &path, &"x".repeat(8 * 1024)).await;
    assert_eq!(oversized.status(), 413);
    assert_eq!(access_count(&app, &owner, &link).await, 0, "refused attempts consumed accesses");

    let right = post_form(&app, &path, "open sesame").await;
    assert_eq!(right.status(), 200);
    assert_page_headers(&right);
    let html = right.text().await.unwrap();
    assert!(html.contains("at least 18 years old") && html.contains("✓ Verified"), "{html}");
    assert_eq!(access_count(&app, &owner, &link).await, 1);

    // Guessing through the form is limited exactly like the header.
    let mut last = 0;
    for _ in 0..6 {
        last = post_form(&app, &path, "guess1234").await.status().as_u16();
    }
    assert_eq!(last, 429);
    let limited = post_form(&app, &path, "open sesame").await;
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    assert!(limited.text().await.unwrap().contains("Too many attempts"));
    assert_eq!(access_count(&app, &owner, &link).await, 1);
}

#[tokio::test]
async fn the_form_route_refuses_links_without_a_form_and_stays_out_of_the_json_view() {
    let app = TestApp::spawn().await;
    let owner = owner_with_age_proof(&app, 18).await;
    let link = create_link(&app, &owner, json!({})).await;
    let unknown = post_form(&app, &format!("/vault/share/{}", "B".repeat(43)), "whatever1").await;
    assert_eq!(unknown.status(), 404);
    assert!(unknown.text().await.unwrap().contains("This link is not available"));
    // JSON clients of a passphrase link still get the JSON error.
    let protected = create_link(&app, &owner, json!({"passphrase": "open sesame"})).await;
    let r = app.get(&path_of(&protected)).await;
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(access_count(&app, &owner, &link).await, 0);
}

#[tokio::test]
async fn the_openapi_document_describes_the_page_and_its_form() {
    let app = TestApp::spawn().await;
    let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
    let item = &doc["paths"]["/vault/share/{token}"];
    assert!(item["get"]["responses"]["200"]["content"]["text/html"].is_object(), "{item}");
    assert!(item["get"]["responses"]["200"]["content"]["application/json"].is_object(), "{item}");
    let post = &item["post"];
    assert!(post["requestBody"]["content"]["application/x-www-form-urlencoded"].is_object(), "{post}");
    assert!(post["responses"]["401"]["content"]["text/html"].is_object(), "{post}");
}
