//! The verifier console over HTTP, as a browser drives it: a verifier asks for a proof through
//! the form, the created page shows the holder's link, QR code and live status once, the
//! request's page shows the result in words and the deliveries, and the cookie-authenticated
//! status stream follows it. Only verifiers and administrators; forged forms change nothing.

use futures::StreamExt;
use reqwest::header::LOCATION;
use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::proof_requests::{holder_with_credential, proving_app, respond, verifier_token};
use crate::webapp_support::{csrf_of, Browser};

/// The value of the attribute `attr` of the element with id `id`.
fn attribute(html: &str, id: &str, attr: &str) -> String {
    let at = html.find(&format!(r#"id="{id}""#)).unwrap_or_else(|| panic!("#{id} on the page"));
    let tag_start = html[..at].rfind('<').unwrap();
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>').unwrap()];
    let marker = format!(r#"{attr}=""#);
    let start = tag.find(&marker).unwrap_or_else(|| panic!("{attr} on #{id}: {tag}")) + marker.len();
    tag[start..start + tag[start..].find('"').unwrap()].to_string()
}

/// How many requests the verifier has, over the API.
async fn request_count(app: &TestApp, verifier: &str) -> usize {
    let list: Value = app.get_bearer("/verifier/requests", verifier).await.json().await.unwrap();
    list["requests"].as_array().unwrap().len()
}

/// The next `data:` of a Server-Sent Events body (bounded: a silent stream fails the test).
async fn next_data(
    body: &mut (impl futures::Stream<Item = reqwest::Result<axum::body::Bytes>> + Unpin),
    buffer: &mut String,
) -> Option<Value> {
    let read = async {
        loop {
            if let Some(end) = buffer.find("\n\n") {
                let event: String = buffer.drain(..end + 2).collect();
                if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data:")) {
                    return Some(serde_json::from_str(data.trim()).unwrap());
                }
                continue;
            }
            match body.next().await {
                Some(chunk) => buffer.push_str(&String::from_utf8_lossy(&chunk.unwrap())),
                None => return None,
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(600), read).await.expect("an event or the end")
}

#[tokio::test]
async fn a_verifier_asks_through_the_form_and_follows_the_answer() {
    let app = proving_app().await;
    let (issuer_id, holder, credential) = holder_with_credential(&app, "c").await;
    let verifier = verifier_token(&app, "door-keeper").await;
    let browser = Browser::signed_in(&app, "door-keeper").await;

    let list = browser.page("/app/verifier").await;
    assert!(list.contains(r#"id="verifier-link""#), "the navigation links to the console");
    assert!(list.contains(r#"id="no-requests""#));
    let form = browser.page("/app/verifier/new").await;
    assert!(form.contains(r#"id="new-request-form""#));
    assert!(
        form.contains(&format!(r#"name="trusted_issuers" value="{issuer_id}""#)),
        "the published issuer is offered"
    );
    let csrf = csrf_of(&form);

    // A forged form (no token) changes nothing.
    let r = browser
        .post(
            "/app/verifier/new",
            &[("purpose", "Forged"), ("min_age", "18"), ("trusted_issuers", &issuer_id)],
        )
        .await;
    assert_eq!(r.status(), 403);
    assert_eq!(request_count(&app, &verifier).await, 0);

    // A bad field is said next to it, and nothing is made.
    let r = browser
        .post("/app/verifier/new", &[("csrf_token", &csrf), ("purpose", "Entry"), ("min_age", "eighteen")])
        .await;
    assert_eq!(r.status(), 400);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"id="min_age-error""#), "{html}");
    assert!(html.contains(r#"value="Entry""#), "the form keeps what was typed");
    assert_eq!(request_count(&app, &verifier).await, 0);

    let r = browser
        .post(
            "/app/verifier/new",
            &[
                ("csrf_token", &csrf),
                ("purpose", "Entry to the Night Club"),
                ("proof_type", "credential_query"),
                ("min_age", "18"),
                ("not_expired", "true"),
                ("trusted_issuers", &issuer_id),
                ("ttl_seconds", "600"),
                ("callback_url", "https://club.example/hook"),
                ("unique_per_holder", "true"),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("connect-src 'self'") && !csp.contains("unsafe")
    );
    let created = r.text().await.unwrap();
    let uri = attribute(&created, "request-link", "value");
    assert!(uri.contains("/r/"), "{uri}");
    let token = uri.rsplit('/').next().unwrap().to_string();
    assert!(created.contains(r#"id="request-qr""#) && created.contains("<svg"));
    assert_eq!(attribute(&created, "request-status", "data-status"), "pending");
    assert!(created.contains("shown only now"));
    assert!(created.contains(r#"<code id="webhook-secret">whsec_"#), "the new webhook secret, once");
    assert!(created.contains(r#"src="/app/static/live.js""#) && !created.contains("<script>"));
    let page_link = attribute(&created, "request-page-link", "href");
    let id = page_link.rsplit('/').next().unwrap().to_string();
    assert!(id.starts_with("req_"));
    assert_eq!(request_count(&app, &verifier).await, 1);

    // The script is served by the binary.
    let script = browser.get("/app/static/live.js").await;
    assert_eq!(script.status(), 200);
    assert!(script.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert!(script.text().await.unwrap().contains("EventSource"));

    // The status stream needs the session.
    let events_path = format!("/app/verifier/requests/{id}/events");
    let r = app.client.get(app.url(&events_path)).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()[LOCATION].to_str().unwrap().starts_with("/app/sign-in?next="));
    let stream = browser.get(&events_path).await;
    assert_eq!(stream.status(), 200);
    assert!(stream.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let mut body = stream.bytes_stream();
    let mut buffer = String::new();
    let first = next_data(&mut body, &mut buffer).await.expect("the first status");
    assert_eq!(first["status"], "pending");

    // The request's page before the answer: pending, with a link to check again.
    let pending = browser.page(&page_link).await;
    assert_eq!(attribute(&pending, "request-status", "data-status"), "pending");
    assert!(pending.contains("Check again"));
    assert!(!pending.contains(r#"id="request-result""#));

    // The holder answers over the API.
    let r = respond(&app, &token, &holder, json!({"credential_id": credential})).await;
    assert_eq!(r.status(), 200);
    let second = next_data(&mut body, &mut buffer).await.expect("the completed status");
    assert_eq!(second["status"], "completed");
    assert!(next_data(&mut body, &mut buffer).await.is_none(), "the stream ends with a final status");

    let done = browser.page(&page_link).await;
    assert_eq!(attribute(&done, "request-status", "data-status"), "completed");
    assert!(done.contains("Verified: at least 18, document not expired — attested by Registry c"), "{done}");
    assert!(done.contains(r#"id="request-nullifier""#));
    assert!(done.contains(r#"id="deliveries""#));
    assert!(!done.contains("live.js"), "a finished request needs no script");
    let listed = browser.page("/app/verifier").await;
    assert!(
        listed.contains(&id) && listed.contains("Entry to the Night Club") && listed.contains("Completed")
    );
}

#[tokio::test]
async fn only_verifiers_see_the_console_and_only_their_requests() {
    let app = TestApp::spawn().await;
    app.register_and_login("plain-holder").await;
    let holder = Browser::signed_in(&app, "plain-holder").await;
    let home = holder.page("/app").await;
    assert!(!home.contains(r#"id="verifier-link""#));
    for path in ["/app/verifier", "/app/verifier/new"] {
        let r = holder.get(path).await;
        assert_eq!(r.status(), 403, "{path}");
        assert!(r.text().await.unwrap().contains("Only verifiers and administrators"));
    }
    let csrf = csrf_of(&home);
    let r =
        holder.post("/app/verifier/new", &[("csrf_token", &csrf), ("purpose", "x"), ("min_age", "18")]).await;
    assert_eq!(r.status(), 403);

    // Another verifier's request is a 404 page, its stream too.
    let owner = verifier_token(&app, "first-verifier").await;
    let r = crate::proof_requests::post(
        &app,
        "/verifier/requests",
        &owner,
        json!({"purpose": "Age check", "proof_type": "age_proof_v2", "query": {"min_age": 18}}),
    )
    .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["request"]["id"].as_str().unwrap().to_string();
    let first = Browser::signed_in(&app, "first-verifier").await;
    let mine = first.page(&format!("/app/verifier/requests/{id}")).await;
    assert!(mine.contains("self-declared"), "{mine}");
    verifier_token(&app, "second-verifier").await;
    let other = Browser::signed_in(&app, "second-verifier").await;
    assert_eq!(other.get(&format!("/app/verifier/requests/{id}")).await.status(), 404);
    assert_eq!(other.get(&format!("/app/verifier/requests/{id}/events")).await.status(), 404);
    assert_eq!(other.get("/app/verifier/requests/not-an-id").await.status(), 404);
}

#[tokio::test]
async fn an_issuer_member_decides_and_revokes_through_the_forms() {
    let app = TestApp::spawn().await;
    let admin = crate::accounts::admin_token(&app, "console-admin").await;
    let (issuer_id, _) =
        crate::issuance::issuer_with_member(&app, &admin, "Example Registry Office", "registrar-one").await;
    crate::issuance::issuer_with_member(&app, &admin, "Other Registry", "registrar-two").await;
    let holder = app.register_and_login("console-holder").await["access_token"].as_str().unwrap().to_string();
    let first_doc = crate::issuance::document(&app, &holder, b"first passport scan").await;
    let second_doc = crate::issuance::document(&app, &holder, b"second passport scan").await;
    let approved = crate::issuance::ask(&app, &holder, &first_doc, &issuer_id).await;
    let rejected = crate::issuance::ask(&app, &holder, &second_doc, &issuer_id).await;

    let member = Browser::signed_in(&app, "registrar-one").await;
    let queue = member.page("/app/issuer").await;
    assert!(queue.contains(r#"id="issuer-link""#) && queue.contains(r#"id="issuer-queue""#));
    assert!(queue.contains(&approved) && queue.contains(&rejected), "{queue}");
    let review = member.page(&format!("/app/issuer/requests/{approved}")).await;
    assert!(review.contains("1950-03-01") && review.contains("DEU"));
    assert!(review.contains(r#"id="approve-form""#) && review.contains(r#"id="reject-form""#));
    let download = member.get(&format!("/app/issuer/requests/{approved}/document")).await;
    assert_eq!(download.status(), 200);
    assert_eq!(download.bytes().await.unwrap().as_ref(), b"first passport scan");
    let csrf = csrf_of(&review);

    // A forged approval changes nothing.
    let r = member
        .post(&format!("/app/issuer/requests/{approved}/approve"), &[("birth_date", "1960-01-02")])
        .await;
    assert_eq!(r.status(), 403);
    let held: Value = app.get_bearer("/vault/credentials", &holder).await.json().await.unwrap();
    assert_eq!(held["credentials"].as_array().unwrap().len(), 0);

    // Approved with a corrected claim.
    let r = member
        .post(
            &format!("/app/issuer/requests/{approved}/approve"),
            &[
                ("csrf_token", csrf.as_str()),
                ("birth_date", "1960-01-02"),
                ("nationality", "DEU"),
                ("document_expiry", "2031-06-30"),
                ("valid_until", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let held: Value = app.get_bearer("/vault/credentials", &holder).await.json().await.unwrap();
    assert_eq!(held["credentials"].as_array().unwrap().len(), 1, "{held}");
    assert_eq!(held["credentials"][0]["revoked"], false);
    let credential = held["credentials"][0]["id"].as_str().unwrap().to_string();
    let decided = member.page(&format!("/app/issuer/requests/{approved}")).await;
    assert!(decided.contains("Approved") && !decided.contains(r#"id="approve-form""#));

    // Rejected with a reason.
    let r = member
        .post(
            &format!("/app/issuer/requests/{rejected}/reject"),
            &[("csrf_token", &csrf), ("reason", "The scan is blurry")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let page = member.page(&format!("/app/issuer/requests/{rejected}")).await;
    assert!(page.contains("Rejected") && page.contains("The scan is blurry"));
    assert_eq!(member.get(&format!("/app/issuer/requests/{rejected}/document")).await.status(), 404);

    // Another issuer's member sees none of it.
    let other = Browser::signed_in(&app, "registrar-two").await;
    assert_eq!(other.get(&format!("/app/issuer/requests/{approved}")).await.status(), 404);
    let other_csrf = csrf_of(&other.page("/app/issuer").await);
    let r = other
        .post(&format!("/app/issuer/credentials/{credential}/revoke"), &[("csrf_token", &other_csrf)])
        .await;
    assert_eq!(r.status(), 404);

    // Revoked after the confirmation step.
    let issued = member.page("/app/issuer/credentials").await;
    assert!(issued.contains(&format!(r#"data-credential="{credential}""#)));
    let confirm = member.page(&format!("/app/issuer/credentials/{credential}/revoke")).await;
    assert!(confirm.contains(r#"id="revoke-form""#));
    let r =
        member.post(&format!("/app/issuer/credentials/{credential}/revoke"), &[("csrf_token", &csrf)]).await;
    assert_eq!(r.status(), 303);
    let held: Value = app.get_bearer("/vault/credentials", &holder).await.json().await.unwrap();
    assert_eq!(held["credentials"][0]["revoked"], true);

    // An administrator is told in words that members decide.
    let admin_browser = Browser::signed_in(&app, "console-admin").await;
    let r = admin_browser.get("/app/issuer").await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("Only an issuer's members"));
}
