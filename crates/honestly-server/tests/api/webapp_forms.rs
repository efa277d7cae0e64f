//! Forms and sessions over HTTP, as a browser without JavaScript drives them: a form sent after
//! its session really ended changes nothing and leads, through signing in, back to its page.

use serde_json::json;

use crate::helpers::{TestApp, PASSWORD};
use crate::issuance::document;
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
