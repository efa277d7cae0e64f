//! The verifier's page in a real browser (headless Chromium): what a person who scanned the
//! QR code sees, at a phone's width, with no console message and no policy violation. The
//! detector is proven on pages that break the same policy on purpose.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::json;

use crate::browser::{assert_screenshot, output_path, problems, Browser};
use crate::helpers::TestApp;
use crate::share::{create_link, owner_with_age_proof, path_of};
use crate::share_page::get_page;

/// Serves `pages` (path → (Content-Security-Policy, HTML)) on 127.0.0.1:0 until the test ends.
async fn serve(pages: Vec<(&'static str, Option<String>, &'static str)>) -> std::net::SocketAddr {
    let mut router = axum::Router::new();
    for (path, csp, html) in pages {
        router = router.route(
            path,
            get(move || {
                let csp = csp.clone();
                async move {
                    let mut response =
                        ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
                    if let Some(csp) = csp {
                        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, csp.parse().unwrap());
                    }
                    response
                }
            }),
        );
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

#[tokio::test]
async fn the_detector_catches_policy_violations_console_errors_and_uncaught_exceptions() {
    let Some(browser) = Browser::find() else { return };
    let app = TestApp::spawn().await;
    // The pages' real policy, taken from a real page.
    let real = get_page(&app, &format!("/vault/share/{}", "A".repeat(43))).await;
    let csp = real.headers()["content-security-policy"].to_str().unwrap().to_string();
    let addr = serve(vec![
        (
            "/violates-the-policy",
            Some(csp),
            "<!doctype html><title>x</title><p style=\"color:red\">inline style</p><script>document.title='ran'</script>",
        ),
        ("/console-error", None, "<!doctype html><title>x</title><script>console.error('deliberate error')</script>"),
        ("/throws", None, "<!doctype html><title>x</title><script>throw new Error('deliberate throw')</script>"),
        ("/clean", None, "<!doctype html><title>x</title><p>nothing wrong here</p>"),
    ])
    .await;

    let violation = browser.dump_dom(&format!("http://{addr}/violates-the-policy")).await;
    assert!(
        violation.problems().iter().any(|l| l.contains("Content Security Policy")),
        "a policy violation went unnoticed; log:\n{}",
        violation.stderr
    );
    assert!(!violation.stdout.contains("<title>ran</title>"), "the inline script ran despite the policy");
    let console = browser.dump_dom(&format!("http://{addr}/console-error")).await;
    assert!(console.problems().iter().any(|l| l.contains("deliberate error")), "log:\n{}", console.stderr);
    let throws = browser.dump_dom(&format!("http://{addr}/throws")).await;
    assert!(throws.problems().iter().any(|l| l.contains("Uncaught")), "log:\n{}", throws.stderr);
    let clean = browser.dump_dom(&format!("http://{addr}/clean")).await;
    assert!(clean.stdout.contains("nothing wrong here"), "{}", clean.stdout);
    assert_eq!(clean.problems(), Vec::<String>::new(), "a clean page was flagged");
    assert!(problems("[1:1:INFO:CONSOLE:3] \"x\", source: http://h/ (3)").len() == 1);
}

#[tokio::test]
async fn the_verifier_page_renders_cleanly_in_chromium_at_phone_width() {
    let Some(browser) = Browser::find() else { return };
    let app = TestApp::spawn().await;
    let owner = owner_with_age_proof(&app, 18).await;
    let link = create_link(&app, &owner, json!({"max_accesses": 10})).await;
    let url = app.url(&path_of(&link));

    let run = browser.dump_dom(&url).await;
    let dom = &run.stdout;
    assert!(dom.contains("✓ Verified"), "{dom}");
    assert!(dom.contains("The holder is at least 18 years old — proven on"), "{dom}");
    assert!(dom.contains("<img class=\"qr\" src=\"/vault/qr/"), "{dom}");
    assert!(dom.contains("snarkjs groth16 verify verification_key.json public.json proof.json"));
    assert_eq!(run.problems(), Vec::<String>::new(), "console or policy problems on the page");

    let png = output_path("share-page-375.png");
    let shot = browser.screenshot(&url, &png).await;
    assert_eq!(shot.problems(), Vec::<String>::new());
    assert_screenshot(&png, 375);
}

#[tokio::test]
async fn the_not_available_page_and_the_passphrase_form_render_cleanly_in_chromium() {
    let Some(browser) = Browser::find() else { return };
    let app = TestApp::spawn().await;
    let owner = owner_with_age_proof(&app, 18).await;

    let gone = app.url(&format!("/vault/share/{}", "A".repeat(43)));
    let run = browser.dump_dom(&gone).await;
    assert!(run.stdout.contains("<h1>This link is not available</h1>"), "{}", run.stdout);
    assert_eq!(run.problems(), Vec::<String>::new());
    let png = output_path("not-available-375.png");
    assert_eq!(browser.screenshot(&gone, &png).await.problems(), Vec::<String>::new());
    assert_screenshot(&png, 375);

    let protected = create_link(&app, &owner, json!({"passphrase": "open sesame"})).await;
    let url = app.url(&path_of(&protected));
    let run = browser.dump_dom(&url).await;
    assert!(run.stdout.contains("<form method=\"post\""), "{}", run.stdout);
    assert!(run.stdout.contains("<label for=\"passphrase\">Passphrase</label>"), "{}", run.stdout);
    assert!(run.stdout.contains("type=\"password\""));
    assert_eq!(run.problems(), Vec::<String>::new());
    let png = output_path("passphrase-form-375.png");
    assert_eq!(browser.screenshot(&url, &png).await.problems(), Vec::<String>::new());
    assert_screenshot(&png, 375);
}
