//! The holder's pages over HTTP, as a browser without JavaScript drives them: asking an issuer
//! for a credential, proving from it, sharing the proof and revoking the link; a query the
//! credential cannot meet; the account's export and erasure; a document's authenticity proven
//! and shared; a share link behind a passphrase. Every form is CSRF-protected.

use reqwest::header::{ACCEPT, COOKIE, SET_COOKIE};
use serde_json::{json, Value};

use crate::accounts::admin_token;
use crate::helpers::{TestApp, PASSWORD};
use crate::issuance::{document, issuer_with_member};
use crate::proof_requests::proving_app;
use crate::webapp_support::{csrf_of, location, Browser, COOKIE_NAME};

/// The text of the element `id="{id}"` up to the next `<`, or the `value` of an input.
fn element(html: &str, id: &str) -> String {
    let marker = format!(r#"id="{id}""#);
    let start = html.find(&marker).unwrap_or_else(|| panic!("#{id} on the page")) + marker.len();
    let rest = &html[start..];
    if let Some(value) = rest.find(r#"value=""#).filter(|v| *v < rest.find('>').unwrap_or(0)) {
        let value = &rest[value + 7..];
        return value[..value.find('"').unwrap()].to_string();
    }
    let text = &rest[rest.find('>').unwrap() + 1..];
    text[..text.find('<').unwrap()].to_string()
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

/// A holder with one document, an issuer with a member: (holder's token, document, issuer, member's token).
async fn holder_and_issuer(app: &TestApp, holder: &str) -> (String, String, String, String) {
    let admin = admin_token(app, "root-admin").await;
    let (issuer_id, member) = issuer_with_member(app, &admin, "Example Registry Office", "registrar").await;
    let token = app.register_and_login(holder).await["access_token"].as_str().unwrap().to_string();
    let doc = document(app, &token, b"passport of the holder").await;
    (token, doc, issuer_id, member)
}

/// Asks through the form, approves over the API: the credential's id.
async fn credential_through_the_form(
    app: &TestApp,
    browser: &Browser<'_>,
    token: &str,
    doc: &str,
    issuer: &str,
    member: &str,
) -> String {
    let doc_page = browser.page(&format!("/app/documents/{doc}")).await;
    assert!(doc_page.contains(r#"id="ask-link""#));
    let ask = browser.page(&format!("/app/documents/{doc}/ask")).await;
    assert!(ask.contains(r#"id="ask-form""#) && ask.contains("Example Registry Office"));
    let csrf = csrf_of(&ask);
    let path = format!("/app/documents/{doc}/ask");

    // A bad nationality is named next to its field; nothing is asked.
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("issuer_id", issuer),
        ("birth_date", "1950-03-01"),
        ("nationality", "XXX"),
        ("document_expiry", "2031-06-30"),
    ];
    let r = browser.post(&path, &fields).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains(r#"id="ask-nationality-error""#));
    let mine: Value = send(app, reqwest::Method::GET, "/vault/credential-requests", token, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["requests"].as_array().unwrap().len(), 0);

    let fields = [
        ("csrf_token", csrf.as_str()),
        ("issuer_id", issuer),
        ("birth_date", "1950-03-01"),
        ("nationality", "DEU"),
        ("document_expiry", "2031-06-30"),
    ];
    let r = browser.post(&path, &fields).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/app/credentials");
    let mine: Value = send(app, reqwest::Method::GET, "/vault/credential-requests", token, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["requests"].as_array().unwrap().len(), 1);
    assert_eq!(mine["requests"][0]["status"], "pending");
    assert_eq!(mine["requests"][0]["claims"]["nationality"], "DEU");
    let request = mine["requests"][0]["id"].as_str().unwrap().to_string();
    let pending = browser.page("/app/credentials").await;
    assert!(
        pending.contains(r#"id="credential-request-list""#) && pending.contains("Waiting for the issuer")
    );

    let approved: Value = send(
        app,
        reqwest::Method::POST,
        &format!("/issuer/requests/{request}/approve"),
        member,
        Some(json!({})),
    )
    .await
    .json()
    .await
    .unwrap();
    approved["request"]["credential_id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn ask_prove_share_and_revoke_through_the_pages() {
    let app = proving_app().await;
    let (token, doc, issuer, member) = holder_and_issuer(&app, "holder-hana").await;
    let browser = Browser::signed_in(&app, "holder-hana").await;
    let credential = credential_through_the_form(&app, &browser, &token, &doc, &issuer, &member).await;

    let list = browser.page("/app/credentials").await;
    assert!(list.contains(r#"id="credential-list""#));
    assert!(list.contains(&format!(r#"data-credential="{credential}""#)));
    assert!(list.contains("From Example Registry Office"));
    assert!(list.contains("Approved"));
    assert!(list.contains("Credentials") && list.contains(r#"href="/app/links""#), "the navigation");
    let detail = browser.page(&format!("/app/credentials/{credential}")).await;
    assert!(detail.contains("Germany") && detail.contains("1950-03-01") && detail.contains("Not revoked"));
    assert!(detail.contains(r#"id="prove-link""#));
    let exported = browser.get(&format!("/app/credentials/{credential}/export")).await;
    assert_eq!(exported.status(), 200);
    assert!(exported.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let json: Value = exported.json().await.unwrap();
    assert!(json.is_object());

    // Prove "at least 18" through the form.
    let form = browser.page(&format!("/app/credentials/{credential}/prove")).await;
    assert!(form.contains(r#"id="prove-form""#));
    let csrf = csrf_of(&form);
    let r = browser
        .post(
            &format!("/app/credentials/{credential}/prove"),
            &[("csrf_token", csrf.as_str()), ("min_age", "18")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let proof_path = location(&r);
    let proof_page = browser.page(&proof_path).await;
    let proof_id = element(&proof_page, "proof-id");
    assert!(proof_id.starts_with("prf_"), "{proof_id}");
    let proofs: Value =
        send(&app, reqwest::Method::GET, "/vault/proofs", &token, None).await.json().await.unwrap();
    assert_eq!(proofs["proofs"].as_array().unwrap().len(), 1);
    assert_eq!(proofs["proofs"][0]["proof_type"], "credential_query");

    // A forged share form makes no link.
    let share_path = format!("/app/proofs/{proof_id}/share");
    let r = browser
        .post(&share_path, &[("csrf_token", "0".repeat(64).as_str()), ("expires_in_hours", "24")])
        .await;
    assert_eq!(r.status(), 403);
    let links: Value =
        send(&app, reqwest::Method::GET, "/vault/share-links", &token, None).await.json().await.unwrap();
    assert_eq!(links["links"].as_array().unwrap().len(), 0);

    // Share with two views: the URL and its QR are on the answer, once.
    let r = browser
        .post(
            &share_path,
            &[
                ("csrf_token", csrf.as_str()),
                ("expires_in_hours", "24"),
                ("max_accesses", "2"),
                ("passphrase", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    // The page loads the copy button's script, and allows it (nothing inline).
    let policy = r.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(policy.contains("script-src 'self'") && !policy.contains("unsafe"), "{policy}");
    let shown = r.text().await.unwrap();
    assert!(shown.contains(r#"<script src="/app/static/app.js?v="#) && shown.contains("data-copy="));
    assert!(shown.contains(r#"id="share-qr""#) && shown.contains("<svg"));
    let url = element(&shown, "share-url");
    let path = &url[url.find("/vault/share/").expect("a share URL")..];
    for _ in 0..2 {
        let r = app.client.get(app.url(path)).header(ACCEPT, "text/html").send().await.unwrap();
        assert_eq!(r.status(), 200, "the verifier's page");
    }
    let r = app.client.get(app.url(path)).header(ACCEPT, "text/html").send().await.unwrap();
    assert_eq!(r.status(), 404, "a third view is not available");

    let links: Value =
        send(&app, reqwest::Method::GET, "/vault/share-links", &token, None).await.json().await.unwrap();
    let link = links["links"][0]["id"].as_str().unwrap().to_string();
    let listed = browser.page("/app/links").await;
    assert!(listed.contains(&format!(r#"data-link="{link}""#)) && listed.contains("2 of 2 views used"));
    let link_page = browser.page(&format!("/app/links/{link}")).await;
    assert_eq!(element(&link_page, "views-used"), "2 of 2 views used");
    // Someone else sees none of it.
    app.register_and_login("stranger-sam").await;
    let stranger = Browser::signed_in(&app, "stranger-sam").await;
    for path in [
        format!("/app/credentials/{credential}"),
        format!("/app/credentials/{credential}/export"),
        format!("/app/proofs/{proof_id}"),
        format!("/app/links/{link}"),
    ] {
        assert_eq!(stranger.get(&path).await.status(), 404, "{path}");
    }
    let stranger_csrf = csrf_of(&stranger.page("/app/links").await);
    let r =
        stranger.post(&format!("/app/links/{link}/revoke"), &[("csrf_token", stranger_csrf.as_str())]).await;
    assert_eq!(r.status(), 404);
    let links: Value =
        send(&app, reqwest::Method::GET, "/vault/share-links", &token, None).await.json().await.unwrap();
    assert_eq!(links["links"][0]["revoked"], false);

    let confirm = browser.page(&format!("/app/links/{link}/revoke")).await;
    assert!(confirm.contains(r#"id="revoke-link-form""#));
    let r = browser.post(&format!("/app/links/{link}/revoke"), &[("csrf_token", csrf.as_str())]).await;
    assert_eq!(r.status(), 303);
    let links: Value =
        send(&app, reqwest::Method::GET, "/vault/share-links", &token, None).await.json().await.unwrap();
    assert_eq!(links["links"][0]["revoked"], true);
    assert!(browser.page(&format!("/app/links/{link}")).await.contains("Revoked"));
}

#[tokio::test]
async fn a_query_the_credential_cannot_meet_is_named_in_words_and_makes_no_proof() {
    let app = proving_app().await;
    let (token, doc, issuer, member) = holder_and_issuer(&app, "holder-ines").await;
    let browser = Browser::signed_in(&app, "holder-ines").await;
    let credential = credential_through_the_form(&app, &browser, &token, &doc, &issuer, &member).await;
    let form = browser.page(&format!("/app/credentials/{credential}/prove")).await;
    let csrf = csrf_of(&form);
    let r = browser
        .post(
            &format!("/app/credentials/{credential}/prove"),
            &[("csrf_token", csrf.as_str()), ("nationality_in", "FRA, ITA")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains(r#"id="prove-error""#));
    assert!(page.contains("the nationality being in your list"), "{page}");
    assert!(page.contains("No proof was made."));
    let proofs: Value =
        send(&app, reqwest::Method::GET, "/vault/proofs", &token, None).await.json().await.unwrap();
    assert_eq!(proofs["proofs"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn the_account_is_exported_and_erased_through_its_forms() {
    let app = proving_app().await;
    let token = app.register_and_login("holder-jo").await["access_token"].as_str().unwrap().to_string();
    document(&app, &token, b"a document of jo").await;
    let browser = Browser::signed_in(&app, "holder-jo").await;
    let account = browser.page("/app/account").await;
    assert!(account.contains(r#"id="export-form""#));
    let csrf = csrf_of(&account);

    let r = browser.post("/app/account/export", &[("csrf_token", csrf.as_str())]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let zip = r.bytes().await.unwrap();
    assert!(zip.starts_with(b"PK"), "a ZIP archive");

    let confirm = browser.page("/app/account/delete").await;
    assert!(confirm.contains(r#"id="delete-account-form""#));
    // Forged, then a wrong password: refused, nothing changed.
    let r = browser
        .post("/app/account/delete", &[("csrf_token", "f".repeat(64).as_str()), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status(), 403);
    let r = browser
        .post(
            "/app/account/delete",
            &[("csrf_token", csrf.as_str()), ("password", "not the password at all")],
        )
        .await;
    assert_eq!(r.status(), 401);
    assert!(r.text().await.unwrap().contains(r#"id="delete-account-password-error""#));
    assert_eq!(app.get_bearer("/vault/documents", &token).await.status(), 200);
    let login = app.post_json("/auth/login", &json!({"username": "holder-jo", "password": PASSWORD})).await;
    assert_eq!(login.status(), 200);

    let r =
        browser.post("/app/account/delete", &[("csrf_token", csrf.as_str()), ("password", PASSWORD)]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), "/app/sign-in?account=deleted");
    let cleared = r.headers().get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).any(|v| {
        v.starts_with(&format!("{COOKIE_NAME}=;")) || (v.starts_with(COOKIE_NAME) && v.contains("Max-Age=0"))
    });
    assert!(cleared, "the cookie is cleared");
    let landing = app.client.get(app.url("/app/sign-in?account=deleted")).send().await.unwrap();
    assert!(landing.text().await.unwrap().contains(r#"id="account-deleted""#));
    let login = app.post_json("/auth/login", &json!({"username": "holder-jo", "password": PASSWORD})).await;
    assert_eq!(login.status(), 401, "the account is gone");
    let r = browser.get("/app/account").await;
    assert_eq!(r.status(), 303, "the old cookie no longer signs in");
}

#[tokio::test]
async fn a_credential_is_exported_deleted_and_imported_back_through_the_pages() {
    let app = proving_app().await;
    let (token, doc, issuer, member) = holder_and_issuer(&app, "holder-kai").await;
    let browser = Browser::signed_in(&app, "holder-kai").await;
    let credential = credential_through_the_form(&app, &browser, &token, &doc, &issuer, &member).await;
    let file = browser.get(&format!("/app/credentials/{credential}/export")).await.bytes().await.unwrap();

    let confirm = browser.page(&format!("/app/credentials/{credential}/delete")).await;
    let csrf = csrf_of(&confirm);
    let r = browser
        .post(&format!("/app/credentials/{credential}/delete"), &[("csrf_token", csrf.as_str())])
        .await;
    assert_eq!(r.status(), 303);
    let held: Value =
        send(&app, reqwest::Method::GET, "/vault/credentials", &token, None).await.json().await.unwrap();
    assert_eq!(held["credentials"].as_array().unwrap().len(), 0);

    let import = |csrf: String, content: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .text("csrf_token", csrf)
            .part("file", reqwest::multipart::Part::bytes(content).file_name("credential.json"));
        app.client
            .post(app.url("/app/credentials/import"))
            .header(COOKIE, browser.cookie_header())
            .multipart(form)
            .send()
    };
    assert!(browser.page("/app/credentials/import").await.contains(r#"id="import-form""#));
    // Not a credential: named on the form, nothing kept.
    let r = import(csrf.clone(), b"{\"not\": \"a credential\"}".to_vec()).await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains(r#"id="import-error""#));
    // A file over the credential limit: a 413 page in words, nothing kept.
    let r = import(csrf.clone(), vec![b' '; 40 * 1024]).await.unwrap();
    assert_eq!(r.status(), 413);
    assert!(r.text().await.unwrap().contains("larger than"));
    let r = import(csrf, file.to_vec()).await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(location(&r).starts_with("/app/credentials/crd_"));
    let held: Value =
        send(&app, reqwest::Method::GET, "/vault/credentials", &token, None).await.json().await.unwrap();
    assert_eq!(held["credentials"].as_array().unwrap().len(), 1);
    assert!(browser.page(&location(&r)).await.contains("Example Registry Office"));
}

#[tokio::test]
async fn ai_agents_are_made_with_their_secret_shown_once_and_deleted_through_the_pages() {
    let app = proving_app().await;
    let token = app.register_and_login("holder-lee").await["access_token"].as_str().unwrap().to_string();
    let browser = Browser::signed_in(&app, "holder-lee").await;
    let page = browser.page("/app/account/agents").await;
    assert!(page.contains(r#"id="no-agents""#));
    let csrf = csrf_of(&page);
    let r = browser
        .post("/app/account/agents", &[("csrf_token", "0".repeat(64).as_str()), ("name", "forged")])
        .await;
    assert_eq!(r.status(), 403);
    let r = browser.post("/app/account/agents", &[("csrf_token", csrf.as_str()), ("name", "")]).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains(r#"id="agent-name-error""#));
    let listed: Value = app.get_bearer("/ai/agents", &token).await.json().await.unwrap();
    assert_eq!(listed["data"]["agents"].as_array().unwrap().len(), 0);

    let r =
        browser.post("/app/account/agents", &[("csrf_token", csrf.as_str()), ("name", "my helper")]).await;
    assert_eq!(r.status(), 200);
    let shown = r.text().await.unwrap();
    let secret = element(&shown, "agent-secret");
    let agent = element(&shown, "agent-id");
    assert!(!secret.is_empty() && agent.starts_with("agt_"));
    let page = browser.page("/app/account/agents").await;
    assert!(page.contains(&format!(r#"data-agent="{agent}""#)) && page.contains("my helper"));
    assert!(!page.contains(&secret), "the secret is shown once");

    let confirm = browser.page(&format!("/app/account/agents/{agent}/delete")).await;
    assert!(confirm.contains(r#"id="delete-agent-form""#));
    let r =
        browser.post(&format!("/app/account/agents/{agent}/delete"), &[("csrf_token", csrf.as_str())]).await;
    assert_eq!(r.status(), 303);
    let listed: Value = app.get_bearer("/ai/agents", &token).await.json().await.unwrap();
    assert_eq!(listed["data"]["agents"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_self_declared_age_proof_is_made_from_a_documents_page_and_labelled_so() {
    let app = proving_app().await;
    let token = app.register_and_login("holder-max").await["access_token"].as_str().unwrap().to_string();
    let doc = document(&app, &token, b"a document of max").await;
    let browser = Browser::signed_in(&app, "holder-max").await;
    assert!(browser.page(&format!("/app/documents/{doc}")).await.contains(r#"id="prove-age-link""#));
    let form = browser.page(&format!("/app/documents/{doc}/prove-age")).await;
    assert!(form.contains("self-declared"));
    let csrf = csrf_of(&form);
    let path = format!("/app/documents/{doc}/prove-age");
    let r = browser
        .post(&path, &[("csrf_token", csrf.as_str()), ("birth_date", "1990-01-01"), ("min_age", "old")])
        .await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains(r#"id="prove-age-error""#));
    let r = browser
        .post(&path, &[("csrf_token", csrf.as_str()), ("birth_date", "1990-01-01"), ("min_age", "18")])
        .await;
    assert_eq!(r.status(), 303);
    let proof = browser.page(&location(&r)).await;
    assert!(element(&proof, "proof-kind").contains("self-declared"));
    let proofs: Value =
        send(&app, reqwest::Method::GET, "/vault/proofs", &token, None).await.json().await.unwrap();
    assert_eq!(proofs["proofs"].as_array().unwrap().len(), 1);
    assert_eq!(proofs["proofs"][0]["proof_type"], "age_proof_v2");
}

#[tokio::test]
async fn a_rejected_request_shows_its_reason_in_words() {
    let app = proving_app().await;
    let (token, doc, issuer, member) = holder_and_issuer(&app, "holder-noa").await;
    let request = crate::issuance::ask(&app, &token, &doc, &issuer).await;
    let r = send(
        &app,
        reqwest::Method::POST,
        &format!("/issuer/requests/{request}/reject"),
        &member,
        Some(json!({"reason": "The scan is unreadable"})),
    )
    .await;
    assert_eq!(r.status(), 200);
    let browser = Browser::signed_in(&app, "holder-noa").await;
    let page = browser.page("/app/credentials").await;
    assert!(page.contains(&format!(r#"data-request="{request}""#)));
    assert!(page.contains("Rejected by the issuer") && page.contains("The scan is unreadable"));
    assert!(page.contains(r#"id="no-credentials""#));
}

/// The value of the first one-time field on a page.
fn once_of(html: &str) -> String {
    let marker = r#"name="once" value=""#;
    let start = html.find(marker).expect("a one-time field") + marker.len();
    let rest = &html[start..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// The caller's proofs over the API.
async fn proofs_of(app: &TestApp, token: &str) -> Vec<Value> {
    let listed: Value =
        send(app, reqwest::Method::GET, "/vault/proofs", token, None).await.json().await.unwrap();
    listed["proofs"].as_array().unwrap().clone()
}

/// The share path (`/vault/share/…`) of the link on a created link's page.
fn share_path_of(shown: &str) -> String {
    let url = element(shown, "share-url");
    url[url.find("/vault/share/").expect("a share URL")..].to_string()
}

#[tokio::test]
async fn an_authenticity_proof_is_made_from_a_documents_page_and_its_share_link_verifies() {
    let app = proving_app().await;
    let token = app.register_and_login("holder-ora").await["access_token"].as_str().unwrap().to_string();
    let doc = document(&app, &token, b"a document of ora").await;
    let browser = Browser::signed_in(&app, "holder-ora").await;
    assert!(browser.page(&format!("/app/documents/{doc}")).await.contains(r#"id="prove-authenticity-link""#));
    let path = format!("/app/documents/{doc}/prove-authenticity");
    let form = browser.page(&path).await;
    assert!(form.contains(r#"id="prove-authenticity-form""#) && form.contains("in the registry"));
    let (csrf, once) = (csrf_of(&form), once_of(&form));

    // Without the session's token, or with a forged one: refused, nothing made.
    let forged = "0".repeat(64);
    for fields in
        [vec![("once", once.as_str())], vec![("csrf_token", forged.as_str()), ("once", once.as_str())]]
    {
        let r = browser.post(&path, &fields).await;
        assert_eq!(r.status(), 403, "{fields:?}");
        assert!(r.text().await.unwrap().contains("Nothing was changed"));
    }
    assert_eq!(proofs_of(&app, &token).await.len(), 0);

    // Someone else's document is not found, to see or to prove, and nothing is made.
    let stranger_token =
        app.register_and_login("stranger-pia").await["access_token"].as_str().unwrap().to_string();
    let stranger = Browser::signed_in(&app, "stranger-pia").await;
    assert_eq!(stranger.get(&path).await.status(), 404);
    let stranger_csrf = csrf_of(&stranger.page("/app/documents").await);
    let r =
        stranger.post(&path, &[("csrf_token", stranger_csrf.as_str()), ("once", "a-fresh-value-1")]).await;
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("Error id:"));
    assert_eq!(proofs_of(&app, &token).await.len(), 0);
    assert_eq!(proofs_of(&app, &stranger_token).await.len(), 0);

    let fields = [("csrf_token", csrf.as_str()), ("once", once.as_str())];
    let r = browser.post(&path, &fields).await;
    assert_eq!(r.status(), 303);
    let proof_path = location(&r);
    assert!(proof_path.starts_with("/app/proofs/prf_"), "{proof_path}");
    let proof_page = browser.page(&proof_path).await;
    assert_eq!(element(&proof_page, "proof-kind"), "The document is in the registry");
    assert!(proof_page.contains(r#"id="share-form""#));
    let proofs = proofs_of(&app, &token).await;
    assert_eq!(proofs.len(), 1);
    assert_eq!(proofs[0]["proof_type"], "authenticity_proof");
    assert_eq!(proofs[0]["document_id"], doc.as_str());
    // The same form sent again makes nothing a second time.
    let r = browser.post(&path, &fields).await;
    assert_eq!(r.status(), 409);
    assert_eq!(proofs_of(&app, &token).await.len(), 1);

    // Shared through the proof's page: the link shows the proof, verified.
    let proof_id = element(&proof_page, "proof-id");
    let share = [("csrf_token", csrf.as_str()), ("once", &once_of(&proof_page)), ("expires_in_hours", "24")];
    let r = browser.post(&format!("/app/proofs/{proof_id}/share"), &share).await;
    assert_eq!(r.status(), 200);
    let shared = share_path_of(&r.text().await.unwrap());
    let view: Value = app.get(&shared).await.json().await.unwrap();
    assert_eq!(view["proof_status"], "verified", "{view}");
    assert_eq!(view["proof_type"], "authenticity_proof", "{view}");
    let html = app.client.get(app.url(&shared)).header(ACCEPT, "text/html").send().await.unwrap();
    assert_eq!(html.status(), 200);
    assert!(html.text().await.unwrap().contains("Verified"));
}

#[tokio::test]
async fn a_link_shared_with_a_passphrase_through_the_form_opens_only_with_it() {
    let app = proving_app().await;
    let token = app.register_and_login("holder-quin").await["access_token"].as_str().unwrap().to_string();
    let doc = document(&app, &token, b"a document of quin").await;
    let made = send(
        &app,
        reqwest::Method::POST,
        &format!("/vault/documents/{doc}/proofs"),
        &token,
        Some(json!({"proof_type": "authenticity_proof"})),
    )
    .await;
    assert_eq!(made.status(), 201);
    let proof = made.json::<Value>().await.unwrap()["proof"]["id"].as_str().unwrap().to_string();
    let browser = Browser::signed_in(&app, "holder-quin").await;
    let page = browser.page(&format!("/app/proofs/{proof}")).await;
    let csrf = csrf_of(&page);
    let share_path = format!("/app/proofs/{proof}/share");
    let links = async || -> Vec<Value> {
        let listed: Value =
            send(&app, reqwest::Method::GET, "/vault/share-links", &token, None).await.json().await.unwrap();
        listed["links"].as_array().unwrap().clone()
    };

    // A passphrase too short is named on the form; no link is made.
    let r = browser
        .post(
            &share_path,
            &[("csrf_token", csrf.as_str()), ("expires_in_hours", "24"), ("passphrase", "short")],
        )
        .await;
    assert_eq!(r.status(), 400);
    let refused = r.text().await.unwrap();
    assert!(refused.contains(r#"id="share-error""#) && refused.contains("No link was made."), "{refused}");
    assert_eq!(links().await.len(), 0);

    let passphrase = "a long enough passphrase";
    let r = browser
        .post(
            &share_path,
            &[("csrf_token", csrf.as_str()), ("expires_in_hours", "24"), ("passphrase", passphrase)],
        )
        .await;
    assert_eq!(r.status(), 200);
    let shared = share_path_of(&r.text().await.unwrap());
    let listed = links().await;
    assert_eq!(listed.len(), 1);
    let link_page = browser.page(&format!("/app/links/{}", listed[0]["id"].as_str().unwrap())).await;
    assert!(link_page.contains("required"), "the link's page says a passphrase is needed");

    // Without it, or with a wrong one: refused, no view counted; with it: verified.
    let without = app.get(&shared).await;
    assert_eq!(without.status(), 401);
    let wrong = app
        .client
        .get(app.url(&shared))
        .header("x-share-passphrase", "not the passphrase")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert_eq!(links().await[0]["access_count"], 0);
    let right =
        app.client.get(app.url(&shared)).header("x-share-passphrase", passphrase).send().await.unwrap();
    assert_eq!(right.status(), 200);
    let view: Value = right.json().await.unwrap();
    assert_eq!(view["proof_status"], "verified", "{view}");
    assert_eq!(links().await[0]["access_count"], 1);
}

#[tokio::test]
async fn a_request_page_lets_its_forms_lead_to_the_verifiers_redirect_origin_only() {
    let app = TestApp::spawn().await;
    let verifier = crate::proof_requests::verifier_token(&app, "redirecting-door").await;
    let ask = |redirect: Option<&str>| {
        let mut body = json!({"purpose": "Entry, then back to the club", "proof_type": "age_proof_v2",
                              "query": {"min_age": 18}});
        if let Some(url) = redirect {
            body["redirect_url"] = json!(url);
        }
        body
    };
    let redirect = "https://Club.example:8443/welcome?from=honestly";
    let (_, token, _) = crate::proof_requests::create(&app, &verifier, ask(Some(redirect))).await;
    let (_, plain_token, _) = crate::proof_requests::create(&app, &verifier, ask(None)).await;
    app.register_and_login("redirected-rita").await;
    let browser = Browser::signed_in(&app, "redirected-rita").await;
    let policy = |r: &reqwest::Response| r.headers()["content-security-policy"].to_str().unwrap().to_string();
    let usual = policy(&browser.get("/app").await);
    assert!(usual.contains("form-action 'self';"), "{usual}");

    // Signed in, the page's answer forms may lead to the club's origin, and only there.
    let r = browser.get(&format!("/r/{token}")).await;
    assert_eq!(r.status(), 200);
    let widened = policy(&r);
    assert!(widened.contains("form-action 'self' https://club.example:8443;"), "{widened}");
    assert_eq!(widened.replace(" https://club.example:8443;", ";"), usual, "nothing else changes");
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"id="decline-form""#));
    // Signed out the page has no form; a request without a redirect and other pages keep the
    // usual policy.
    let signed_out = app.client.get(app.url(&format!("/r/{token}"))).send().await.unwrap();
    assert_eq!(policy(&signed_out), usual);
    assert_eq!(policy(&browser.get(&format!("/r/{plain_token}")).await), usual);
    assert_eq!(policy(&browser.get("/app/documents").await), usual);

    // The answer leads there.
    let r = browser.post(&format!("/r/{token}/decline"), &[("csrf_token", csrf_of(&html).as_str())]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), redirect);
}
