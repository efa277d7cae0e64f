//! The web app over HTTP, as a browser without JavaScript drives it: forms, cookies and
//! `303` redirects. Sessions are the auth service's (lockout, sign out, sign out everywhere),
//! every state-changing form is CSRF-protected, and a proof request is answered from its page.

use reqwest::header::SET_COOKIE;
use serde_json::{json, Value};

use crate::helpers::{Options, TestApp, PASSWORD};
use crate::proof_requests::{create, holder_with_credential, proving_app, verifier_token};
use crate::webapp_support::{csrf_of, location, Browser};

/// The ids of the documents the list page shows.
fn listed(html: &str) -> Vec<String> {
    html.split(r#"data-id=""#).skip(1).map(|rest| rest[..rest.find('"').unwrap()].to_string()).collect()
}

async fn registered<'a>(app: &'a TestApp, username: &str) -> Browser<'a> {
    let r = app.post_json("/auth/register", &json!({"username": username, "password": PASSWORD})).await;
    assert_eq!(r.status(), 201);
    let mut browser = Browser::new(app);
    assert_eq!(browser.sign_in(username, PASSWORD).await.status(), 303);
    browser
}

#[tokio::test]
async fn the_root_leads_to_the_app_and_signed_out_visitors_see_the_sign_in_form() {
    let app = TestApp::spawn().await;
    let r = app.get("/").await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/app".to_string()));
    let browser = Browser::new(&app);
    let html = browser.page("/app").await;
    assert!(html.contains(r#"id="sign-in-form""#) && html.contains(r#"name="username""#), "{html}");
    assert!(html.contains(r#"<label for="sign-in-password">"#));
    // A page that needs a session sends the visitor to sign in, and back afterwards.
    let r = browser.get("/app/documents/new").await;
    assert_eq!(
        (r.status().as_u16(), location(&r)),
        (303, "/app/sign-in?next=/app/documents/new".to_string())
    );
    let r = browser.get("/app/documents").await;
    let csp = r.headers()["location"].to_str().unwrap().to_string();
    assert!(csp.starts_with("/app/sign-in?next="));
    let page = browser.get("/app/sign-in").await;
    let policy = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(policy.starts_with("default-src 'none'") && !policy.contains("unsafe"), "{policy}");
    assert!(!page.text().await.unwrap().contains("<script"));
    let missing = browser.get("/app/no-such-page").await;
    assert_eq!(missing.status(), 404);
    assert!(missing.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(missing.text().await.unwrap().contains("Error id:"));
}

#[tokio::test]
async fn the_session_cookie_is_http_only_strict_and_secure_outside_development_on_loopback() {
    let app = TestApp::spawn().await;
    app.post_json("/auth/register", &json!({"username": "cookie-dev", "password": PASSWORD})).await;
    let r = Browser::new(&app)
        .post(
            "/app/sign-in",
            &[("username", "cookie-dev"), ("password", PASSWORD), ("next", "//evil.example")],
        )
        .await;
    assert_eq!(
        (r.status().as_u16(), location(&r)),
        (303, "/app".to_string()),
        "a foreign next is not followed"
    );
    let set = r.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(set.starts_with("honestly_session=hrt_"), "{set}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(attribute), "{set}");
    }
    assert!(!set.contains("Secure") && !set.contains("Domain"), "plain HTTP on loopback: {set}");

    let app = TestApp::spawn_with(Options { production: true, ..Options::default() }).await;
    app.state
        .auth
        .create_user(
            &honestly_core::auth::Username::parse("cookie-prod").unwrap(),
            &honestly_core::auth::Password::parse(
                PASSWORD,
                &honestly_core::auth::Username::parse("cookie-prod").unwrap(),
            )
            .unwrap(),
            honestly_core::auth::Role::User,
        )
        .await
        .unwrap();
    let r = Browser::new(&app)
        .post(
            "/app/sign-in",
            &[("username", "cookie-prod"), ("password", PASSWORD), ("next", "/app/account")],
        )
        .await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/app/account".to_string()));
    let set = r.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(set.starts_with("__Host-honestly_session=hrt_"), "{set}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Secure"] {
        assert!(set.contains(attribute), "{set}");
    }
    assert!(!set.contains("Domain"), "{set}");
}

#[tokio::test]
async fn register_upload_list_and_delete_through_the_forms() {
    let app = TestApp::spawn().await;
    // Registration follows the API's rules, in words next to the field.
    let browser = Browser::new(&app);
    let r = browser.post("/app/register", &[("username", "forms-user"), ("password", "short")]).await;
    assert_eq!(r.status(), 400);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"id="register-password-error""#), "{html}");
    let r = browser.post("/app/register", &[("username", "forms-user"), ("password", PASSWORD)]).await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/app/documents".to_string()));
    let r = browser.post("/app/register", &[("username", "forms-user"), ("password", PASSWORD)]).await;
    assert_eq!(r.status(), 409, "taken");

    let mut browser = Browser::new(&app);
    assert_eq!(browser.sign_in("forms-user", PASSWORD).await.status(), 303);
    let form = browser.page("/app/documents/new").await;
    assert!(form.contains(r#"id="upload-form""#) && form.contains(r#"<label for="upload-file">"#));
    let csrf = csrf_of(&form);
    let r = browser.upload(Some(&csrf), "passport.pdf", b"%PDF passport", None).await;
    assert_eq!(r.status(), 303);
    let detail_path = location(&r);
    assert!(detail_path.starts_with("/app/documents/doc_"), "{detail_path}");
    let detail = browser.page(&detail_path).await;
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"%PDF passport"));
    assert!(
        detail.contains(&sha) && detail.contains("passport.pdf") && detail.contains("registry"),
        "{detail}"
    );
    let download = browser.get(&format!("{detail_path}/download")).await;
    assert_eq!(download.bytes().await.unwrap().as_ref(), b"%PDF passport");

    // The list shows it once; reloading the list (the 303's target) stores nothing.
    let list = browser.page("/app/documents").await;
    assert_eq!(listed(&list).len(), 1);
    assert_eq!(listed(&browser.page("/app/documents").await).len(), 1);

    // Delete through the confirmation step.
    let confirm = browser.page(&format!("{detail_path}/delete")).await;
    assert!(confirm.contains(r#"id="delete-form""#));
    let r = browser.post(&format!("{detail_path}/delete"), &[("csrf_token", &csrf_of(&confirm))]).await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/app/documents".to_string()));
    assert!(listed(&browser.page("/app/documents").await).is_empty());
    let r = browser.get(&detail_path).await;
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("Error id:"), "an error page in words");

    // Over the size limit: a page in words, nothing stored.
    let small = TestApp::spawn_env(&[("MAX_UPLOAD_BYTES", "1024")]).await;
    let browser = registered(&small, "small-user").await;
    let csrf = csrf_of(&browser.page("/app/documents/new").await);
    let r = browser.upload(Some(&csrf), "big.bin", &vec![7u8; 4096], None).await;
    assert_eq!(r.status(), 413);
    assert!(r.text().await.unwrap().contains("larger than this server accepts"));
    assert!(listed(&browser.page("/app/documents").await).is_empty());
}

#[tokio::test]
async fn forms_without_their_sessions_token_or_from_another_site_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let browser = registered(&app, "csrf-user").await;
    let other = registered(&app, "csrf-other").await;
    let csrf = csrf_of(&browser.page("/app/documents/new").await);
    let others_csrf = csrf_of(&other.page("/app/documents/new").await);
    assert_ne!(csrf, others_csrf);

    for (token, origin) in [
        (None, None),
        (Some(others_csrf.as_str()), None),
        (Some("00".repeat(32).as_str()), None),
        (Some(csrf.as_str()), Some("https://evil.example")),
    ] {
        let r = browser.upload(token, "x.txt", b"forged", origin).await;
        assert_eq!(r.status(), 403, "token {token:?} origin {origin:?}");
        assert!(r.text().await.unwrap().contains("Nothing was changed"));
    }
    assert!(listed(&browser.page("/app/documents").await).is_empty(), "nothing stored");

    let r = browser.upload(Some(&csrf), "kept.txt", b"kept", None).await;
    let detail = location(&r);
    let delete = format!("{detail}/delete");
    for fields in [vec![], vec![("csrf_token", others_csrf.as_str())]] {
        assert_eq!(browser.post(&delete, &fields).await.status(), 403);
    }
    let cross = browser
        .with_cookie(app.client.post(app.url(&delete)))
        .header("sec-fetch-site", "cross-site")
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    assert_eq!(listed(&browser.page("/app/documents").await).len(), 1, "still there");
    // Another person's document is not found, even with their own valid token.
    assert_eq!(other.post(&delete, &[("csrf_token", &others_csrf)]).await.status(), 404);
    assert_eq!(listed(&browser.page("/app/documents").await).len(), 1);

    // Sign-in from another site is refused too.
    let r = app
        .client
        .post(app.url("/app/sign-in"))
        .header("origin", "https://evil.example")
        .form(&[("username", "csrf-user"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.headers().get(SET_COOKIE).is_none());
}

#[tokio::test]
async fn wrong_passwords_lock_the_sign_in_form_as_they_lock_the_api() {
    let app = TestApp::spawn().await;
    registered(&app, "locked-user").await;
    let mut browser = Browser::new(&app);
    for _ in 0..5 {
        let r = browser.sign_in("locked-user", "wrong password entirely").await;
        assert_eq!(r.status(), 401);
        assert!(r.text().await.unwrap().contains("Wrong username or password"));
    }
    let r = browser.sign_in("locked-user", PASSWORD).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    assert!(r.text().await.unwrap().contains("locked"));
    // The API shares the lockout (same username, same client).
    let api = app.post_json("/auth/login", &json!({"username": "locked-user", "password": PASSWORD})).await;
    assert_eq!(api.status(), 429);
}

#[tokio::test]
async fn sign_out_ends_the_session_and_sign_out_everywhere_ends_every_one() {
    let app = TestApp::spawn().await;
    let first = registered(&app, "many-sessions").await;
    let html = first.page("/app/documents").await;
    assert!(html.contains(r#"id="sign-out-form""#));
    let r = first.post("/app/sign-out", &[("csrf_token", &csrf_of(&html))]).await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/app/sign-in".to_string()));
    assert!(r.headers()[SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    let r = first.get("/app/documents").await;
    assert_eq!(r.status(), 303, "the old cookie no longer works");

    let mut second = Browser::new(&app);
    second.sign_in("many-sessions", PASSWORD).await;
    let mut third = Browser::new(&app);
    third.sign_in("many-sessions", PASSWORD).await;
    let api: Value = app
        .post_json("/auth/login", &json!({"username": "many-sessions", "password": PASSWORD}))
        .await
        .json()
        .await
        .unwrap();
    let account = second.page("/app/account").await;
    assert_eq!(account.matches("data-session=").count(), 3, "two browsers and an API login");
    assert!(account.contains("this browser"));
    let r = second.post("/app/account/sign-out-everywhere", &[("csrf_token", &csrf_of(&account))]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(second.get("/app/account").await.status(), 303);
    assert_eq!(third.get("/app/account").await.status(), 303, "another browser's session ended");
    let me = app.get_bearer("/auth/me", api["access_token"].as_str().unwrap()).await;
    assert_eq!(me.status(), 401, "API access tokens too");
    let refresh = app.post_json("/auth/refresh", &json!({"refresh_token": api["refresh_token"]})).await;
    assert_eq!(refresh.status(), 401, "and refresh tokens");
}

#[tokio::test]
async fn the_consent_form_answers_a_proof_request_once_and_strangers_see_why_they_cannot() {
    let app = proving_app().await;
    let (issuer_id, _, credential) = holder_with_credential(&app, "web").await;
    let verifier = verifier_token(&app, "web-verifier").await;
    let ask = json!({"purpose": "Entry", "query": {"min_age": 18}, "trusted_issuers": [issuer_id]});
    let (id, token, _) = create(&app, &verifier, ask).await;
    let page_path = format!("/r/{token}");

    // Signed out: a link to sign in that comes back here.
    let signed_out = Browser::new(&app).page(&page_path).await;
    assert!(signed_out.contains(&format!("/app/sign-in?next=/r/{token}")), "{signed_out}");
    assert!(!signed_out.contains("consent-form"));

    // A stranger without a credential sees that none qualifies.
    let stranger = registered(&app, "web-stranger").await;
    let html = stranger.page(&page_path).await;
    assert!(
        html.contains(r#"id="no-qualifying-credential""#) && !html.contains(r#"id="consent-form""#),
        "{html}"
    );
    assert!(html.contains(r#"id="decline-form""#));

    // A request their credential cannot meet says why, and offers no consent form.
    let too_old =
        json!({"purpose": "Centenarians", "query": {"min_age": 150}, "trusted_issuers": [issuer_id]});
    let (_, old_token, _) = create(&app, &verifier, too_old).await;
    let mut holder = Browser::new(&app);
    assert_eq!(holder.sign_in("holder-web", PASSWORD).await.status(), 303);
    let html = holder.page(&format!("/r/{old_token}")).await;
    assert!(
        html.contains(r#"id="unqualified-credentials""#) && html.contains("does not show the age asked for"),
        "{html}"
    );
    assert!(!html.contains(r#"id="consent-form""#));

    // The holder sees their credential and answers with it.
    let html = holder.page(&page_path).await;
    assert!(html.contains(r#"id="consent-form""#) && html.contains(&credential), "{html}");
    let csrf = csrf_of(&html);
    let answer = format!("/r/{token}/answer");
    assert_eq!(holder.post(&answer, &[("credential_id", &credential)]).await.status(), 403, "no token");
    let r = holder.post(&answer, &[("csrf_token", &csrf), ("credential_id", &credential)]).await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/app/answered?status=completed".to_string()));
    assert!(holder.page("/app/answered?status=completed").await.contains("Your proof was sent"));
    let status: Value =
        app.get_bearer(&format!("/verifier/requests/{id}"), &verifier).await.json().await.unwrap();
    assert_eq!(status["request"]["status"], "completed", "{status}");

    // A second answer is refused in words.
    let r = holder.post(&answer, &[("csrf_token", &csrf), ("credential_id", &credential)]).await;
    assert!(r.status() == 409 || r.status() == 410, "{}", r.status());
    let html = r.text().await.unwrap();
    assert!(html.contains("already answered") || html.contains("closed"), "{html}");
    assert!(html.contains("Error id:"));
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_the_other_sessions() {
    let app = TestApp::spawn().await;
    let here = registered(&app, "changes-password").await;
    let elsewhere = registered_again(&app, "changes-password").await;
    let form = here.page("/app/account/password").await;
    assert!(form.contains(r#"id="change-password-form""#) && form.contains(r#"<label for="new-password">"#));
    let csrf = csrf_of(&form);
    let new = "a brand new passphrase for the vault";

    let r = here
        .post(
            "/app/account/password",
            &[("csrf_token", &csrf), ("current_password", "not my password at all"), ("new_password", new)],
        )
        .await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains(r#"id="current-password-error""#));
    let r = here
        .post(
            "/app/account/password",
            &[("csrf_token", &csrf), ("current_password", PASSWORD), ("new_password", "short")],
        )
        .await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains(r#"id="new-password-error""#));
    assert_eq!(elsewhere.get("/app/account").await.status(), 200, "nothing changed yet");

    let r = here
        .post(
            "/app/account/password",
            &[("csrf_token", &csrf), ("current_password", PASSWORD), ("new_password", new)],
        )
        .await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/app/account?password=changed".to_string()));
    assert!(here.page("/app/account?password=changed").await.contains(r#"id="password-changed""#));
    assert_eq!(elsewhere.get("/app/account").await.status(), 303, "the other session ended");
    let mut again = Browser::new(&app);
    assert_eq!(again.sign_in("changes-password", PASSWORD).await.status(), 401, "the old password is gone");
    assert_eq!(again.sign_in("changes-password", new).await.status(), 303);
}

/// A second browser signed in to an existing account.
async fn registered_again<'a>(app: &'a TestApp, username: &str) -> Browser<'a> {
    let mut browser = Browser::new(app);
    assert_eq!(browser.sign_in(username, PASSWORD).await.status(), 303);
    browser
}

#[tokio::test]
async fn the_apis_logout_everywhere_ends_browser_sessions_too() {
    let app = TestApp::spawn().await;
    let browser = registered(&app, "api-everywhere").await;
    let api: Value = app
        .post_json("/auth/login", &json!({"username": "api-everywhere", "password": PASSWORD}))
        .await
        .json()
        .await
        .unwrap();
    let token = api["access_token"].as_str().unwrap();
    assert_eq!(browser.get("/app/account").await.status(), 200);
    let r = app.client.post(app.url("/auth/logout-everywhere")).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(browser.get("/app/account").await.status(), 303, "the browser is signed out");
    assert_eq!(app.get_bearer("/auth/me", token).await.status(), 401);
    let again = app.client.post(app.url("/auth/logout-everywhere")).bearer_auth(token).send().await.unwrap();
    assert_eq!(again.status(), 401);
}

#[tokio::test]
async fn the_signed_out_pages_render_in_chromium_without_policy_violations() {
    let Some(chromium) = crate::browser::Browser::find() else { return };
    let app = TestApp::spawn().await;
    for (path, expected) in [
        ("/app/sign-in", r#"id="sign-in-form""#),
        ("/app/register", r#"id="register-form""#),
        ("/app/nowhere", "Error id:"),
    ] {
        let url = app.url(path);
        let run = chromium.dump_dom(&url).await;
        assert_eq!(run.problems(), Vec::<String>::new(), "{path}");
        assert!(run.stdout.contains(expected), "{path}: {}", run.stdout);
        let name = format!("webapp{}.png", path.replace('/', "-"));
        let png = crate::browser::output_path(&name);
        assert_eq!(chromium.screenshot(&url, &png).await.problems(), Vec::<String>::new(), "{path}");
        crate::browser::assert_screenshot(&png, 375);
    }
}

#[tokio::test]
async fn a_disabled_account_is_signed_out_of_its_pages_at_once() {
    let app = TestApp::spawn().await;
    let browser = registered(&app, "to-be-disabled").await;
    assert!(browser.page("/app/account").await.contains("role: user"));
    let user = app.state.accounts.find("to-be-disabled").await.unwrap();
    let change = honestly_core::store::AccountChange { role: None, disabled: Some(true) };
    app.state.accounts.change(honestly_core::audit::Actor::Cli, &user.id, change).await.unwrap();
    let r = browser.get("/app/account").await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/app/sign-in?next=/app/account".to_string()));
}
