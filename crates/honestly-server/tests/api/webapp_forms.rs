//! Forms and sessions over HTTP, as a browser without JavaScript drives them: a form sent after
//! its session really ended changes nothing and leads, through signing in, back to its page;
//! ending one session from the account page; a token from before signing out and in again;
//! declining a proof request through its form.

use serde_json::{json, Value};

use crate::helpers::{TestApp, PASSWORD};
use crate::issuance::document;
use crate::proof_requests::{create, holder_with_credential, proving_app, verifier_token};
use crate::webapp_support::{csrf_of, location, session_cookie, Browser};

/// The id of the session marked "this browser" on an account page.
fn this_session(account: &str) -> String {
    let here = account.find("this browser").expect("this browser on the page");
    let marker = r#"data-session=""#;
    let start = account[..here].rfind(marker).expect("its session") + marker.len();
    account[start..start + account[start..].find('"').unwrap()].to_string()
}

/// Signs in through the form with `next`: the browser, and where the answer leads.
async fn sign_in_with_next<'a>(app: &'a TestApp, username: &str, next: &str) -> (Browser<'a>, String) {
    let mut browser = Browser::new(app);
    let r =
        browser.post("/app/sign-in", &[("username", username), ("password", PASSWORD), ("next", next)]).await;
    assert_eq!(r.status(), 303, "sign in {username}");
    browser.cookie = Some(session_cookie(&r).expect("a session cookie"));
    (browser, location(&r))
}

/// Whether `/vault/documents/{doc}` is still there for `token`.
async fn document_kept(app: &TestApp, token: &str, doc: &str) -> bool {
    app.get_bearer(&format!("/vault/documents/{doc}"), token).await.status() == 200
}

#[tokio::test]
async fn a_form_sent_after_its_session_ended_changes_nothing_and_leads_back_to_its_page() {
    let app = TestApp::spawn().await;
    let token = app.register_and_login("returning-rae").await["access_token"].as_str().unwrap().to_string();
    let doc = document(&app, &token, b"a document of rae").await;

    // One tab shows the delete confirmation; the session is signed out in another.
    let browser = Browser::signed_in(&app, "returning-rae").await;
    let delete = format!("/app/documents/{doc}/delete");
    let csrf = csrf_of(&browser.page(&delete).await);
    let other_tab = Browser { app: &app, cookie: browser.cookie.clone() };
    assert_eq!(other_tab.post("/app/sign-out", &[("csrf_token", csrf.as_str())]).await.status(), 303);

    let r = browser.post(&delete, &[("csrf_token", csrf.as_str())]).await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, format!("/app/sign-in?next={delete}")));
    assert!(document_kept(&app, &token, &doc).await, "nothing was deleted");
    let sign_in = Browser::new(&app).page(&location(&r)).await;
    assert!(sign_in.contains(&format!(r#"name="next" value="{delete}""#)), "{sign_in}");
    let (again, landing) = sign_in_with_next(&app, "returning-rae", &delete).await;
    assert_eq!(landing, delete, "back on the confirmation page");
    assert!(again.page(&landing).await.contains(r#"id="delete-form""#));

    // A session ended from another browser: its forms change nothing either, and lead to the
    // page they were on, or the nearest page above a form that has none of its own.
    let ended = Browser::signed_in(&app, "returning-rae").await;
    let ended_csrf = csrf_of(&ended.page("/app/account").await);
    let ended_id = this_session(&ended.page("/app/account").await);
    let account = again.page("/app/account").await;
    let r = again
        .post(&format!("/app/account/sessions/{ended_id}/end"), &[("csrf_token", csrf_of(&account).as_str())])
        .await;
    assert_eq!(r.status(), 303);
    for (form, fields, back) in [
        ("/app/account/delete", vec![("password", PASSWORD)], "/app/account/delete"),
        ("/app/account/sign-out-everywhere", vec![], "/app/account"),
        (delete.as_str(), vec![], delete.as_str()),
    ] {
        let mut fields = fields;
        fields.push(("csrf_token", ended_csrf.as_str()));
        let r = ended.post(form, &fields).await;
        assert_eq!((r.status().as_u16(), location(&r)), (303, format!("/app/sign-in?next={back}")), "{form}");
    }
    assert!(document_kept(&app, &token, &doc).await, "nothing was deleted");
    assert_eq!(again.get("/app/account").await.status(), 200, "no one was signed out");
    let login =
        app.post_json("/auth/login", &json!({"username": "returning-rae", "password": PASSWORD})).await;
    assert_eq!(login.status(), 200, "the account is still there");
    let (_, landing) = sign_in_with_next(&app, "returning-rae", "/app/account/delete").await;
    assert_eq!(landing, "/app/account/delete");
}

#[tokio::test]
async fn every_page_a_form_may_lead_back_to_is_a_page_of_the_app() {
    let app = TestApp::spawn().await;
    let visitor = Browser::new(&app);
    for pattern in honestly_server::WEBAPP_PAGES {
        let path: String = pattern
            .split('/')
            .map(|segment| if segment.starts_with('{') { "x_1" } else { segment })
            .collect::<Vec<_>>()
            .join("/");
        // The proof request's page is served to anyone (a real one is opened in
        // `a_proof_request_is_declined_through_its_form_once`).
        if path == "/r/x_1" {
            continue;
        }
        let r = visitor.get(&path).await;
        match path.as_str() {
            "/app" => assert!(r.text().await.unwrap().contains(r#"id="sign-in-form""#)),
            // Any other page needs a session, and sends the visitor to sign in and back.
            _ => assert_eq!(
                (r.status().as_u16(), location(&r)),
                (303, format!("/app/sign-in?next={path}")),
                "{pattern}"
            ),
        }
    }
}

#[tokio::test]
async fn ending_one_session_from_the_account_page_ends_exactly_that_one() {
    let app = TestApp::spawn().await;
    app.register_and_login("sessions-sol").await;
    let current = Browser::signed_in(&app, "sessions-sol").await;
    let other = Browser::signed_in(&app, "sessions-sol").await;
    let other_id = this_session(&other.page("/app/account").await);
    let account = current.page("/app/account").await;
    let current_id = this_session(&account);
    assert_ne!(current_id, other_id);
    assert!(account.contains(&format!(r#"id="end-session-{other_id}""#)), "{account}");
    let csrf = csrf_of(&account);
    let end = format!("/app/account/sessions/{other_id}/end");

    // Without the token: refused, nothing ended.
    assert_eq!(current.post(&end, &[]).await.status(), 403);
    assert_eq!(other.get("/app/account").await.status(), 200);
    // Another person cannot end it: not found, with their own valid token.
    app.register_and_login("sessions-tam").await;
    let stranger = Browser::signed_in(&app, "sessions-tam").await;
    let stranger_csrf = csrf_of(&stranger.page("/app/account").await);
    let r = stranger.post(&end, &[("csrf_token", stranger_csrf.as_str())]).await;
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("Error id:"));
    assert_eq!(other.get("/app/account").await.status(), 200, "still signed in");
    assert_eq!(stranger.get("/app/account").await.status(), 200);

    let r = current.post(&end, &[("csrf_token", csrf.as_str())]).await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/app/account".to_string()));
    let r = other.get("/app/account").await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/app/sign-in?next=/app/account".to_string()));
    let account = current.page("/app/account").await;
    assert!(!account.contains(&other_id), "no longer listed");
    assert_eq!(this_session(&account), current_id, "this browser is still signed in");
    // Ending it again: not found (it is over), and this session goes on.
    assert_eq!(current.post(&end, &[("csrf_token", csrf.as_str())]).await.status(), 404);
    assert_eq!(current.get("/app/account").await.status(), 200);
}

#[tokio::test]
async fn a_token_from_before_signing_out_and_in_again_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let token = app.register_and_login("stale-uma").await["access_token"].as_str().unwrap().to_string();
    let doc = document(&app, &token, b"a document of uma").await;
    let mut browser = Browser::signed_in(&app, "stale-uma").await;
    let delete = format!("/app/documents/{doc}/delete");
    let old = csrf_of(&browser.page(&delete).await);
    assert_eq!(browser.post("/app/sign-out", &[("csrf_token", old.as_str())]).await.status(), 303);
    assert_eq!(browser.sign_in("stale-uma", PASSWORD).await.status(), 303);
    let new = csrf_of(&browser.page(&delete).await);
    assert_ne!(old, new, "a new session, a new token");

    let r = browser.post(&delete, &[("csrf_token", old.as_str())]).await;
    assert_eq!(r.status(), 403);
    let page = r.text().await.unwrap();
    assert!(page.contains("signed out or in again") && page.contains("Nothing was changed"), "{page}");
    assert!(document_kept(&app, &token, &doc).await);
    // The same form with the new session's token works.
    let r = browser.post(&delete, &[("csrf_token", new.as_str())]).await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/app/documents".to_string()));
    assert!(!document_kept(&app, &token, &doc).await);
}

#[tokio::test]
async fn a_proof_request_is_declined_through_its_form_once() {
    let app = proving_app().await;
    let (issuer_id, _, credential) = holder_with_credential(&app, "dee").await;
    let verifier = verifier_token(&app, "dee-verifier").await;
    let ask = json!({"purpose": "Entry", "query": {"min_age": 18}, "trusted_issuers": [issuer_id]});
    let (id, token, _) = create(&app, &verifier, ask).await;
    let request_page = format!("/r/{token}");
    let decline = format!("/r/{token}/decline");
    let status = async || -> Value {
        let r: Value =
            app.get_bearer(&format!("/verifier/requests/{id}"), &verifier).await.json().await.unwrap();
        r["request"]["status"].clone()
    };

    // A session that ended declines nothing, and is led back to the request after signing in.
    let ended = Browser::signed_in(&app, "holder-dee").await;
    let ended_csrf = csrf_of(&ended.page(&request_page).await);
    let other_tab = Browser { app: &app, cookie: ended.cookie.clone() };
    assert_eq!(other_tab.post("/app/sign-out", &[("csrf_token", ended_csrf.as_str())]).await.status(), 303);
    let r = ended.post(&decline, &[("csrf_token", ended_csrf.as_str())]).await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, format!("/app/sign-in?next={request_page}")));
    assert_eq!(status().await, "pending");
    let (holder, landing) = sign_in_with_next(&app, "holder-dee", &request_page).await;
    assert_eq!(landing, request_page);

    let html = holder.page(&request_page).await;
    assert!(html.contains(r#"id="decline-form""#) && html.contains(r#"id="consent-form""#), "{html}");
    let csrf = csrf_of(&html);
    assert_eq!(holder.post(&decline, &[]).await.status(), 403, "no token");
    assert_eq!(status().await, "pending");

    let r = holder.post(&decline, &[("csrf_token", csrf.as_str())]).await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/app/answered?status=declined".to_string()));
    assert!(holder.page("/app/answered?status=declined").await.contains("You declined"));
    assert_eq!(status().await, "declined");

    // A second decline, or an answer after it, is refused in words and changes nothing.
    let answer = format!("/r/{token}/answer");
    for (path, fields) in [
        (decline.as_str(), vec![("csrf_token", csrf.as_str())]),
        (answer.as_str(), vec![("csrf_token", csrf.as_str()), ("credential_id", credential.as_str())]),
    ] {
        let r = holder.post(path, &fields).await;
        assert!(r.status() == 409 || r.status() == 410, "{path}: {}", r.status());
        assert!(r.text().await.unwrap().contains("Error id:"), "{path}");
        assert_eq!(status().await, "declined", "{path}");
    }
    let request: Value =
        app.get_bearer(&format!("/verifier/requests/{id}"), &verifier).await.json().await.unwrap();
    assert!(request["request"]["result"].is_null(), "no proof was sent: {request}");
}
