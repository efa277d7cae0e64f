//! Forms that make something are sent once: each page shows a fresh one-time value, a second
//! `POST` with the same value (a double click, a resent page) is a 409 page in words and makes
//! nothing twice, and the form shown again sends normally.

use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::helpers::TestApp;
use crate::webapp_support::{csrf_of, Browser};

/// The one-time value of the first form on `html` that carries one.
fn once_of(html: &str) -> String {
    let marker = r#"name="once" value=""#;
    let start = html.find(marker).expect("a one-time field") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// Uploads through the form with `csrf` and `once`.
async fn upload(browser: &Browser<'_>, csrf: &str, once: &str, name: &str) -> reqwest::Response {
    let form = Form::new()
        .text("csrf_token", csrf.to_string())
        .text("once", once.to_string())
        .text("document_type", "identity")
        .part("file", Part::bytes(name.as_bytes().to_vec()).file_name(name.to_string()));
    let request = browser.app.client.post(browser.app.url("/app/documents")).multipart(form);
    browser.with_cookie(request).send().await.unwrap()
}

async fn documents(app: &TestApp, token: &str) -> usize {
    let list: Value = app.get_bearer("/vault/documents", token).await.json().await.unwrap();
    list["documents"].as_array().unwrap().len()
}

async fn agents(app: &TestApp, token: &str) -> usize {
    let list: Value = app.get_bearer("/ai/agents", token).await.json().await.unwrap();
    list["data"]["agents"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_form_sent_twice_makes_its_thing_once() {
    let app = TestApp::spawn().await;
    let login = app.register_and_login("twice-sent").await;
    let token = login["access_token"].as_str().unwrap().to_string();
    let browser = Browser::signed_in(&app, "twice-sent").await;

    // The upload form, sent twice with the same page's values.
    let page = browser.page("/app/documents/new").await;
    let (csrf, once) = (csrf_of(&page), once_of(&page));
    assert_eq!(once.len(), 22, "{once}");
    assert_eq!(upload(&browser, &csrf, &once, "first.pdf").await.status(), 303);
    let again = upload(&browser, &csrf, &once, "first.pdf").await;
    assert_eq!(again.status(), 409);
    assert!(again.text().await.unwrap().contains("already sent"));
    assert_eq!(documents(&app, &token).await, 1, "nothing made twice");
    // The form shown again carries a new value and sends normally.
    let page = browser.page("/app/documents/new").await;
    let fresh = once_of(&page);
    assert_ne!(fresh, once);
    assert_eq!(upload(&browser, &csrf, &fresh, "second.pdf").await.status(), 303);
    assert_eq!(documents(&app, &token).await, 2);

    // A urlencoded form (an AI agent), the same way.
    let page = browser.page("/app/account/agents").await;
    let once = once_of(&page);
    let fields = [("csrf_token", csrf.as_str()), ("once", once.as_str()), ("name", "helper")];
    assert_eq!(browser.post("/app/account/agents", &fields).await.status(), 200);
    assert_eq!(browser.post("/app/account/agents", &fields).await.status(), 409);
    assert_eq!(agents(&app, &token).await, 1);

    // A malformed value is refused and makes nothing.
    let fields = [("csrf_token", csrf.as_str()), ("once", "not a value!"), ("name", "other")];
    assert_eq!(browser.post("/app/account/agents", &fields).await.status(), 400);
    assert_eq!(agents(&app, &token).await, 1);

    // Another session's form values are its own: the same value sent from a second browser
    // is a first sending there.
    let other = Browser::signed_in(&app, "twice-sent").await;
    let other_csrf = csrf_of(&other.page("/app/account/agents").await);
    let fields = [("csrf_token", other_csrf.as_str()), ("once", once.as_str()), ("name", "elsewhere")];
    assert_eq!(other.post("/app/account/agents", &fields).await.status(), 200);
    assert_eq!(agents(&app, &token).await, 2);
}
