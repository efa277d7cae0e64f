//! The admin console and the timeline over HTTP, as a browser drives them: an administrator
//! creates an issuer and names and removes its members, changes an account's role, disables
//! and enables it, all through forms that call the same services as the JSON routes; anyone
//! else is refused and nothing changes; forged forms and bad input change nothing. The
//! timeline says in words what happened, and a document's page shows its own history.

use serde_json::{json, Value};

use crate::accounts::admin_token;
use crate::helpers::{TestApp, PASSWORD};
use crate::issuance::issuer_with_member;
use crate::proof_requests::verifier_token;
use crate::share::{create_link, owner_with_proof, path_of};
use crate::webapp_support::{csrf_of, location, Browser};

/// The issuers over the API: (id, name) each.
async fn issuers(app: &TestApp) -> Vec<(String, String)> {
    let list: Value = app.get("/issuers").await.json().await.unwrap();
    list["issuers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["id"].as_str().unwrap().to_string(), i["name"].as_str().unwrap().to_string()))
        .collect()
}

/// The accounts over the API, as an administrator sees them.
async fn users(app: &TestApp, admin: &str) -> Vec<Value> {
    let list: Value = app.get_bearer("/admin/users", admin).await.json().await.unwrap();
    list["users"].as_array().unwrap().clone()
}

/// The account named `username`, over the API.
async fn user(app: &TestApp, admin: &str, username: &str) -> Value {
    users(app, admin).await.into_iter().find(|u| u["username"] == username).expect("the account")
}

/// A status code and the page's text.
async fn answer(r: reqwest::Response) -> (u16, String) {
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The text of the element with id `id` up to the end of its list.
fn list_of(html: &str, id: &str) -> String {
    let start = html.find(&format!(r#"id="{id}""#)).unwrap_or_else(|| panic!("#{id} on the page"));
    let end = start + html[start..].find("</ol>").expect("the end of the list");
    html[start..end].to_string()
}

#[tokio::test]
async fn an_admin_creates_an_issuer_and_adds_then_removes_a_member_through_the_forms() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app, "root-ada").await;
    let browser = Browser::signed_in(&app, "root-ada").await;
    app.register_and_login("clerk-bo").await;
    let clerk = Browser::signed_in(&app, "clerk-bo").await;
    assert_eq!(clerk.get("/app/issuer").await.status(), 403, "not a member yet");

    let console = browser.page("/app/admin").await;
    assert!(console.contains(r#"id="admin-link""#), "the navigation links to the console");
    assert!(console.contains(r#"id="admin-issuers""#) && console.contains(r#"id="no-issuers""#));
    assert!(console.contains(r#"<label for="issuer-name">"#));
    let csrf = csrf_of(&console);
    let r = browser
        .post("/app/admin/issuers", &[("csrf_token", csrf.as_str()), ("name", "Registry Office")])
        .await;
    assert_eq!(r.status(), 303);
    let issuer_page = location(&r);
    let listed = issuers(&app).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].1, "Registry Office");
    let issuer_id = listed[0].0.clone();
    assert_eq!(issuer_page, format!("/app/admin/issuers/{issuer_id}"));
    let shown = browser.page(&issuer_page).await;
    assert!(shown.contains(r#"id="no-members""#) && shown.contains(r#"id="member-form""#));
    assert!(browser.page("/app/admin").await.contains("Registry Office"));

    let r = browser
        .post(&format!("{issuer_page}/members"), &[("csrf_token", csrf.as_str()), ("username", "clerk-bo")])
        .await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, issuer_page.clone()));
    let shown = browser.page(&issuer_page).await;
    let clerk_id = user(&app, &admin, "clerk-bo").await["id"].as_str().unwrap().to_string();
    assert!(shown.contains(&format!(r#"data-user="{clerk_id}""#)) && shown.contains("clerk-bo"));
    assert_eq!(user(&app, &admin, "clerk-bo").await["role"], "issuer");
    assert!(browser.page("/app/admin").await.contains("1 member(s)"), "the list counts the member");
    // Becoming a member ended the clerk's session; signed in again, the issuer console opens.
    assert_eq!(clerk.get("/app/issuer").await.status(), 303);
    let clerk = Browser::signed_in(&app, "clerk-bo").await;
    assert!(clerk.page("/app/issuer").await.contains("Registry Office"));

    let remove = format!("{issuer_page}/members/{clerk_id}/remove");
    let confirm = browser.page(&remove).await;
    assert!(confirm.contains(r#"id="remove-member-form""#));
    assert_eq!(user(&app, &admin, "clerk-bo").await["role"], "issuer", "asking changes nothing");
    let r = browser.post(&remove, &[("csrf_token", csrf.as_str())]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(user(&app, &admin, "clerk-bo").await["role"], "user");
    assert!(browser.page(&issuer_page).await.contains(r#"id="no-members""#));
    let clerk = Browser::signed_in(&app, "clerk-bo").await;
    assert_eq!(clerk.get("/app/issuer").await.status(), 403, "refused again");
}

#[tokio::test]
async fn an_admin_changes_a_role_and_disables_then_enables_an_account() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app, "root-bea").await;
    let browser = Browser::signed_in(&app, "root-bea").await;
    app.register_and_login("pat-user").await;
    let pat = Browser::signed_in(&app, "pat-user").await;
    assert_eq!(pat.get("/app/verifier").await.status(), 403);
    let pat_id = user(&app, &admin, "pat-user").await["id"].as_str().unwrap().to_string();

    let list = browser.page("/app/admin/users").await;
    assert!(list.contains(r#"id="admin-users""#) && list.contains(&format!(r#"data-user="{pat_id}""#)));
    let account = format!("/app/admin/users/{pat_id}");
    let shown = browser.page(&account).await;
    assert!(shown.contains(r#"id="user-role-form""#) && shown.contains(r#"<label for="user-role-select">"#));
    let csrf = csrf_of(&shown);
    let r = browser
        .post(&format!("{account}/role"), &[("csrf_token", csrf.as_str()), ("role", "verifier")])
        .await;
    assert_eq!((r.status().as_u16(), location(&r)), (303, account.clone()));
    assert_eq!(user(&app, &admin, "pat-user").await["role"], "verifier");
    let pat = Browser::signed_in(&app, "pat-user").await;
    assert_eq!(pat.get("/app/verifier").await.status(), 200, "the verifier console opens");

    let confirm = browser.page(&format!("{account}/disable")).await;
    assert!(confirm.contains(r#"id="user-disable-form""#) && confirm.contains("sessions end at once"));
    assert_eq!(user(&app, &admin, "pat-user").await["disabled"], false, "asking changes nothing");
    let r = browser.post(&format!("{account}/disable"), &[("csrf_token", csrf.as_str())]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(user(&app, &admin, "pat-user").await["disabled"], true);
    let r = pat.get("/app/account").await;
    assert_eq!(r.status(), 303, "the open session is refused");
    assert!(location(&r).starts_with("/app/sign-in"));
    let mut again = Browser::new(&app);
    assert_ne!(again.sign_in("pat-user", PASSWORD).await.status(), 303, "a disabled account cannot sign in");
    assert!(browser.page(&account).await.contains(r#"id="user-enable-form""#));

    let r = browser.post(&format!("{account}/enable"), &[("csrf_token", csrf.as_str())]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(user(&app, &admin, "pat-user").await["disabled"], false);
    assert_eq!(again.sign_in("pat-user", PASSWORD).await.status(), 303, "enabled, it signs in");
}

#[tokio::test]
async fn nobody_but_an_admin_opens_or_uses_the_console() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app, "root-cy").await;
    let (issuer_id, _) = issuer_with_member(&app, &admin, "Civil Registry", "member-di").await;
    verifier_token(&app, "verifier-ed").await;
    app.register_and_login("user-flo").await;
    let target = user(&app, &admin, "user-flo").await;
    let target_id = target["id"].as_str().unwrap().to_string();
    let member_id = user(&app, &admin, "member-di").await["id"].as_str().unwrap().to_string();
    let before = (issuers(&app).await, users(&app, &admin).await);

    let issuer = format!("/app/admin/issuers/{issuer_id}");
    let account = format!("/app/admin/users/{target_id}");
    let remove = format!("{issuer}/members/{member_id}/remove");
    let pages = [
        "/app/admin".to_string(),
        "/app/admin/users".to_string(),
        "/app/admin/circuits".to_string(),
        issuer.clone(),
        remove.clone(),
        account.clone(),
        format!("{account}/disable"),
        format!("{account}/delete"),
    ];
    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("/app/admin/issuers".into(), vec![("name", "Forged Office")]),
        (format!("{issuer}/members"), vec![("username", "user-flo")]),
        (remove.clone(), vec![]),
        (format!("{account}/role"), vec![("role", "admin")]),
        (format!("{account}/disable"), vec![]),
        (format!("{account}/enable"), vec![]),
        (format!("{account}/delete"), vec![("username", "user-flo")]),
    ];
    for name in ["member-di", "verifier-ed", "user-flo"] {
        let browser = Browser::signed_in(&app, name).await;
        let home = browser.page("/app/account").await;
        assert!(!home.contains(r#"id="admin-link""#), "{name} sees no Admin entry");
        let csrf = csrf_of(&home);
        for path in &pages {
            let (status, text) = answer(browser.get(path).await).await;
            assert_eq!(status, 403, "{name} GET {path}");
            assert!(text.contains("Only administrators"), "{name} GET {path}: {text}");
        }
        for (path, fields) in &posts {
            let mut fields = fields.clone();
            fields.push(("csrf_token", csrf.as_str()));
            assert_eq!(browser.post(path, &fields).await.status(), 403, "{name} POST {path}");
        }
    }
    assert_eq!(before, (issuers(&app).await, users(&app, &admin).await), "nothing changed");
}

#[tokio::test]
async fn forged_admin_forms_change_nothing() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app, "root-gus").await;
    let browser = Browser::signed_in(&app, "root-gus").await;
    app.register_and_login("user-hal").await;
    let target_id = user(&app, &admin, "user-hal").await["id"].as_str().unwrap().to_string();
    let csrf = csrf_of(&browser.page("/app/admin").await);
    let before = users(&app, &admin).await;

    let r = browser.post("/app/admin/issuers", &[("name", "No Token Office")]).await;
    assert_eq!(r.status(), 403);
    let role = format!("/app/admin/users/{target_id}/role");
    assert_eq!(browser.post(&role, &[("role", "admin")]).await.status(), 403);
    for (path, fields) in [
        ("/app/admin/issuers".to_string(), vec![("name", "Elsewhere Office")]),
        (role.clone(), vec![("role", "admin")]),
        (format!("/app/admin/users/{target_id}/disable"), vec![]),
    ] {
        let mut fields = fields;
        fields.push(("csrf_token", csrf.as_str()));
        let r = browser
            .with_cookie(app.client.post(app.url(&path)))
            .header("origin", "https://evil.example")
            .form(&fields)
            .send()
            .await
            .unwrap();
        let (status, text) = answer(r).await;
        assert_eq!(status, 403, "from another site: {path}");
        assert!(text.contains("Nothing was changed"), "{text}");
    }
    assert!(issuers(&app).await.is_empty());
    assert_eq!(before, users(&app, &admin).await);
}

#[tokio::test]
async fn bad_input_is_said_in_words_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app, "root-ivy").await;
    let browser = Browser::signed_in(&app, "root-ivy").await;
    app.register_and_login("user-jo").await;
    let target_id = user(&app, &admin, "user-jo").await["id"].as_str().unwrap().to_string();
    let admin_id = user(&app, &admin, "root-ivy").await["id"].as_str().unwrap().to_string();
    let csrf = csrf_of(&browser.page("/app/admin").await);

    let (status, text) =
        answer(browser.post("/app/admin/issuers", &[("csrf_token", csrf.as_str()), ("name", "")]).await)
            .await;
    assert_eq!(status, 400);
    assert!(text.contains(r#"id="issuer-name-error""#), "{text}");
    assert!(issuers(&app).await.is_empty());

    let r =
        browser.post("/app/admin/issuers", &[("csrf_token", csrf.as_str()), ("name", "Only Office")]).await;
    assert_eq!(r.status(), 303);
    let issuer_page = location(&r);
    let (status, text) = answer(
        browser.post("/app/admin/issuers", &[("csrf_token", csrf.as_str()), ("name", "Only Office")]).await,
    )
    .await;
    assert_eq!(status, 409, "a taken name");
    assert!(text.contains(r#"id="issuer-name-error""#), "{text}");
    assert_eq!(issuers(&app).await.len(), 1);

    let before = users(&app, &admin).await;
    let (status, text) = answer(
        browser
            .post(
                &format!("{issuer_page}/members"),
                &[("csrf_token", csrf.as_str()), ("username", "nobody-here")],
            )
            .await,
    )
    .await;
    assert_eq!(status, 400);
    assert!(text.contains(r#"id="member-username-error""#) && text.contains("No account has this username"));

    let account = format!("/app/admin/users/{target_id}");
    let (status, text) = answer(
        browser
            .post(&format!("{account}/role"), &[("csrf_token", csrf.as_str()), ("role", "overlord")])
            .await,
    )
    .await;
    assert_eq!(status, 400);
    assert!(text.contains(r#"id="user-role-error""#) && text.contains("must be one of"), "{text}");

    let (status, text) = answer(
        browser
            .post(&format!("{account}/delete"), &[("csrf_token", csrf.as_str()), ("username", "user-jx")])
            .await,
    )
    .await;
    assert_eq!(status, 400);
    assert!(text.contains(r#"id="user-delete-username-error""#));

    // The only administrator cannot demote or disable themself, as the JSON route refuses.
    let own = format!("/app/admin/users/{admin_id}");
    let (status, text) = answer(
        browser.post(&format!("{own}/role"), &[("csrf_token", csrf.as_str()), ("role", "user")]).await,
    )
    .await;
    assert_eq!(status, 409);
    assert!(text.contains("last administrator"), "{text}");
    let (status, _) =
        answer(browser.post(&format!("{own}/disable"), &[("csrf_token", csrf.as_str())]).await).await;
    assert_eq!(status, 409);
    assert_eq!(before, users(&app, &admin).await, "nothing changed");

    // Typed right, the account is erased.
    let r = browser
        .post(&format!("{account}/delete"), &[("csrf_token", csrf.as_str()), ("username", "user-jo")])
        .await;
    assert_eq!(r.status(), 303);
    assert!(users(&app, &admin).await.iter().all(|u| u["username"] != "user-jo"));
}

#[tokio::test]
async fn the_circuits_page_lists_what_the_api_lists() {
    let app = TestApp::spawn().await;
    admin_token(&app, "root-kim").await;
    let browser = Browser::signed_in(&app, "root-kim").await;
    let circuits: Value = app.get("/zkp/circuits").await.json().await.unwrap();
    let page = browser.page("/app/admin/circuits").await;
    assert!(page.contains(r#"id="admin-circuits""#));
    let circuits = circuits.as_array().unwrap();
    assert!(!circuits.is_empty());
    for c in circuits {
        let name = c["name"].as_str().unwrap();
        assert!(page.contains(&format!(r#"href="/zkp/artifacts/{name}/verification_key.json""#)), "{name}");
        assert!(page.contains(c["vk_sha256"].as_str().unwrap()));
    }
}

#[tokio::test]
async fn the_timeline_says_what_happened_and_a_document_shows_its_own_history() {
    let app = TestApp::spawn().await;
    let owner = owner_with_proof(&app).await;
    let link = create_link(&app, &owner, json!({})).await;
    assert_eq!(app.get(&path_of(&link)).await.status(), 200);
    let other = app.upload(&owner.token, "other.pdf", b"another paper".to_vec(), "identity").await;
    assert_eq!(other.status(), 201);
    let other: Value = other.json().await.unwrap();
    let other_id = other["document"]["id"].as_str().unwrap().to_string();

    let browser = Browser::signed_in(&app, "owner").await;
    let page = browser.page("/app/timeline").await;
    let timeline = list_of(&page, "timeline");
    assert!(timeline.contains("You uploaded a document (passport.pdf)"), "{timeline}");
    assert!(timeline.contains("You uploaded a document (other.pdf)"), "{timeline}");
    assert!(timeline.contains("You made a share link"), "{timeline}");
    assert!(timeline.contains("A share link of yours was opened"), "{timeline}");
    assert!(page.contains(r#"id="timeline-link""#), "the navigation links to the timeline");

    let page = browser.page(&format!("/app/documents/{}", owner.document_id)).await;
    let history = list_of(&page, "document-history");
    assert!(history.contains("You uploaded a document (passport.pdf)"), "{history}");
    assert!(!history.contains("other.pdf"), "another document's events stay off: {history}");
    assert!(page.contains(r#"href="/app/timeline""#));
    let page = browser.page(&format!("/app/documents/{other_id}")).await;
    let history = list_of(&page, "document-history");
    assert!(history.contains("other.pdf") && !history.contains("share link"), "{history}");
}
