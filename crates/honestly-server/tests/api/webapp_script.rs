//! The pages' small script over HTTP: `/app/static/app.js` is served by the binary as
//! JavaScript, named by its content hash on the pages that load it (cached for a year under
//! that name, `304` on a matching `ETag`), and only those pages (the upload form, a new
//! agent's secret) allow `script-src 'self'`; the others keep the policy without scripts and
//! carry no `<script>`.

use crate::helpers::{assert_security_headers, TestApp};
use crate::webapp_support::{csrf_of, Browser};

/// The `src` of the page's app script.
fn app_script_src(html: &str) -> String {
    let marker = r#"<script src="/app/static/app.js?v="#;
    let start = html.find(marker).expect("the page loads app.js") + r#"<script src=""#.len();
    let rest = &html[start..];
    rest[..rest.find('"').unwrap()].to_string()
}

fn csp(r: &reqwest::Response) -> String {
    r.headers()["content-security-policy"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn the_app_script_is_served_cached_and_loaded_only_where_it_is_needed() {
    let app = TestApp::spawn().await;
    app.register_and_login("scripted-sam").await;
    let browser = Browser::signed_in(&app, "scripted-sam").await;

    // The upload form loads it and allows it; nothing inline.
    let r = browser.get("/app/documents/new").await;
    assert_eq!(r.status(), 200);
    assert_security_headers(&r);
    let policy = csp(&r);
    assert!(policy.contains("script-src 'self'") && !policy.contains("unsafe"), "{policy}");
    let form = r.text().await.unwrap();
    let src = app_script_src(&form);
    assert!(!form.contains("<script>") && !form.contains(" onclick=") && !form.contains(" style="));
    assert!(form.contains(r#"id="upload-form""#), "the form itself works without the script");

    // Served as JavaScript, under its hash for a year, revalidated by its ETag.
    let js = app.client.get(app.url(&src)).send().await.unwrap();
    assert_eq!(js.status(), 200);
    assert_eq!(js.headers()["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(js.headers()["x-content-type-options"], "nosniff");
    assert_eq!(js.headers()["cache-control"], "public, max-age=31536000, immutable");
    let etag = js.headers()["etag"].to_str().unwrap().to_string();
    let version = src.rsplit('=').next().unwrap();
    assert_eq!(etag, format!("\"{version}\""));
    let body = js.text().await.unwrap();
    assert!(body.contains("upload-progress") && body.contains("copy-button"));
    let again = app.client.get(app.url(&src)).header("if-none-match", etag.as_str()).send().await.unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.text().await.unwrap().is_empty());
    // Without the current hash (an old page, a hand-typed address): the script, kept briefly.
    let bare = app.client.get(app.url("/app/static/app.js")).send().await.unwrap();
    assert_eq!(bare.status(), 200);
    assert_eq!(bare.headers()["cache-control"], "public, max-age=300");
    let stale = app.client.get(app.url("/app/static/app.js?v=0000000000000000")).send().await.unwrap();
    assert_eq!(stale.headers()["cache-control"], "public, max-age=300");
    assert_eq!(stale.text().await.unwrap(), body);

    // Pages without anything to copy or upload keep the policy without scripts.
    for path in ["/app/documents", "/app/account", "/app/account/agents", "/app/credentials", "/app/links"] {
        let r = browser.get(path).await;
        assert_eq!(r.status(), 200, "{path}");
        let policy = csp(&r);
        assert!(!policy.contains("script-src"), "{path}: {policy}");
        assert!(!r.text().await.unwrap().contains("<script"), "{path}");
    }

    // A new agent's secret: the page loads the script, which adds the copy button.
    let agents = browser.page("/app/account/agents").await;
    let csrf = csrf_of(&agents);
    let r = browser.post("/app/account/agents", &[("csrf_token", csrf.as_str()), ("name", "copier")]).await;
    assert_eq!(r.status(), 200);
    assert!(csp(&r).contains("script-src 'self'"));
    let shown = r.text().await.unwrap();
    assert_eq!(app_script_src(&shown), src);
    assert!(shown.contains(r#"id="agent-secret" data-copy="#));
    assert!(!shown.contains("copy-button"), "no button in the page itself: the script adds it");
}
