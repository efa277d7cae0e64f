//! The general per-IP limiter.

use crate::helpers::{assert_error, TestApp};

#[tokio::test]
async fn burst_then_429_with_retry_after_and_limit_headers() {
    let app = TestApp::spawn_env(&[("RATE_LIMIT_BURST", "3"), ("RATE_LIMIT_PER_MINUTE", "1")]).await;
    for remaining in ["2", "1", "0"] {
        let ok = app.get("/openapi.json").await;
        assert_eq!(ok.status(), 200);
        assert_eq!(ok.headers()["x-ratelimit-limit"], "3");
        assert_eq!(ok.headers()["x-ratelimit-remaining"], remaining);
    }
    let limited = app.get("/openapi.json").await;
    let retry: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "retry-after {retry}");
    assert_eq!(limited.headers()["x-ratelimit-remaining"], "0");
    assert_error(limited, 429, "RATE_LIMITED").await;
    // Probes are not limited.
    assert_eq!(app.get("/monitoring/live").await.status(), 200);
}

#[tokio::test]
async fn disabled_limiter_never_refuses() {
    let app = TestApp::spawn_env(&[
        ("RATE_LIMIT_ENABLED", "false"),
        ("RATE_LIMIT_BURST", "1"),
        ("RATE_LIMIT_PER_MINUTE", "1"),
    ])
    .await;
    for _ in 0..5 {
        assert_eq!(app.get("/openapi.json").await.status(), 200);
    }
}
