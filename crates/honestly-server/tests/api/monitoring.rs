//! Monitoring routes: probes, health, metrics by route template, slow requests, access.

use crate::helpers::{assert_error, Options, TestApp, MONITORING_TOKEN};

#[tokio::test]
async fn live_ready_and_health_answer() {
    let app = TestApp::spawn().await;
    let live: serde_json::Value = app.get("/monitoring/live").await.json().await.unwrap();
    assert_eq!(live["alive"], true);

    let ready = app.get("/monitoring/ready").await;
    assert_eq!(ready.status(), 200);
    let ready: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(ready["ready"], true);
    assert_eq!(ready["checks"]["store:sqlite"]["status"], "ok");

    let health: serde_json::Value = app.get("/monitoring/health").await.json().await.unwrap();
    assert_eq!(health["status"], "healthy");
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    assert!(health["uptime_s"].is_u64());
    assert!(health["checks"]["store:sqlite"]["latency_ms"].is_f64());
}

#[tokio::test]
async fn metrics_are_keyed_by_route_template_and_count_slow_requests() {
    let app = TestApp::spawn_env(&[("SLOW_REQUEST_THRESHOLD", "0.05")]).await;
    assert_eq!(app.get("/__test/items/alpha").await.status(), 200);
    assert_eq!(app.get("/__test/items/beta").await.status(), 200);
    assert_eq!(app.get("/__test/sleep?ms=120").await.status(), 200);
    assert_eq!(app.get("/__test/sleep?ms=1").await.status(), 200);
    app.get("/__test/fail").await;

    let body: serde_json::Value = app.get("/monitoring/metrics").await.json().await.unwrap();
    let metrics = &body["metrics"];
    let items = &metrics["GET /__test/items/{id}"];
    assert_eq!(items["request_count"], 2, "{body}");
    assert!(metrics.get("GET /__test/items/alpha").is_none());
    let sleep = &metrics["GET /__test/sleep"];
    assert_eq!(sleep["request_count"], 2);
    assert_eq!(sleep["slow_count"], 1);
    assert!(sleep["p99_ms"].as_f64().unwrap() >= 100.0, "{sleep}");
    let fail = &metrics["GET /__test/fail"];
    assert_eq!(fail["error_count"], 1);
    assert_eq!(fail["error_rate"], 1.0);
    for field in ["avg_response_time_ms", "p50_ms", "p95_ms", "p99_ms"] {
        assert!(items[field].is_f64(), "{field} in {items}");
    }

    let text = app.get("/metrics").await;
    assert!(text.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = text.text().await.unwrap();
    assert!(
        text.contains("honestly_http_requests_total{method=\"GET\",route=\"/__test/items/{id}\"} 2"),
        "{text}"
    );
    assert!(text.contains("honestly_http_slow_requests_total{method=\"GET\",route=\"/__test/sleep\"} 1"));
}

#[tokio::test]
async fn production_metrics_need_the_monitoring_token() {
    let app = TestApp::spawn_with(Options { production: true, ..Options::default() }).await;
    for path in ["/monitoring/metrics", "/metrics"] {
        assert_error(app.get(path).await, 401, "UNAUTHORIZED").await;
        let wrong = app.client.get(app.url(path)).bearer_auth("not-the-token").send().await.unwrap();
        assert_error(wrong, 401, "UNAUTHORIZED").await;
        let right = app.client.get(app.url(path)).bearer_auth(MONITORING_TOKEN).send().await.unwrap();
        assert_eq!(right.status(), 200, "{path}");
    }
    // Probes stay public.
    assert_eq!(app.get("/monitoring/health").await.status(), 200);
}
