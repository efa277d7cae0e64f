//! The API's conventions: error shape, security headers, request ids, limits, CORS, docs.

use crate::helpers::{assert_error, assert_security_headers, Options, TestApp};

#[tokio::test]
async fn unknown_route_is_404_in_the_error_shape() {
    let app = TestApp::spawn().await;
    assert_error(app.get("/no/such/route").await, 404, "NOT_FOUND").await;
}

#[tokio::test]
async fn wrong_method_is_405_in_the_error_shape() {
    let app = TestApp::spawn().await;
    let response = app.client.post(app.url("/monitoring/live")).send().await.unwrap();
    assert_error(response, 405, "METHOD_NOT_ALLOWED").await;
}

#[tokio::test]
async fn malformed_json_unknown_fields_and_wrong_content_type_are_4xx() {
    let app = TestApp::spawn().await;
    let malformed = app
        .client
        .post(app.url("/__test/echo"))
        .header("content-type", "application/json")
        .body("{\"message\": ")
        .send()
        .await
        .unwrap();
    assert_error(malformed, 400, "VALIDATION_FAILED").await;

    let unknown = app.post_json("/__test/echo", &serde_json::json!({"message": "hi", "extra": 1})).await;
    let body = assert_error(unknown, 400, "VALIDATION_FAILED").await;
    assert!(body["error"]["message"].as_str().unwrap().contains("extra"), "{body}");

    let text = app.client.post(app.url("/__test/echo")).body("{}").send().await.unwrap();
    assert_error(text, 415, "UNSUPPORTED_MEDIA_TYPE").await;

    let ok = app.post_json("/__test/echo", &serde_json::json!({"message": "hi"})).await;
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.json::<serde_json::Value>().await.unwrap()["message"], "hi");
}

// Found by schema fuzzing: axum's own Query, Path and Multipart rejections are text/plain.
#[tokio::test]
async fn bad_query_strings_paths_and_upload_bodies_are_in_the_error_shape() {
    let app = TestApp::spawn().await;
    let token = app.register_and_login("shape").await["access_token"].as_str().unwrap().to_string();
    for path in ["/vault/documents?limit=-1", "/vault/timeline?limit=x", "/vault/documents?bogus=1"] {
        assert_error(app.get_bearer(path, &token).await, 400, "VALIDATION_FAILED").await;
    }
    assert_error(app.get("/vault/share/t/content?expires=soon&sig=x").await, 400, "VALIDATION_FAILED").await;
    assert_error(app.get("/vault/qr/t?size=1").await, 400, "VALIDATION_FAILED").await;
    assert_error(app.get_bearer("/vault/documents/%FF", &token).await, 404, "NOT_FOUND").await;
    let not_multipart = app
        .client
        .post(app.url("/vault/documents"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_error(not_multipart, 400, "VALIDATION_FAILED").await;
}

#[tokio::test]
async fn oversized_body_is_413_with_or_without_content_length() {
    let app = TestApp::spawn().await;
    let big = format!("{{\"message\": \"{}\"}}", "x".repeat(1024 * 1024 + 10));
    let declared = app
        .client
        .post(app.url("/__test/echo"))
        .header("content-type", "application/json")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_error(declared, 413, "PAYLOAD_TOO_LARGE").await;

    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        big.into_bytes().chunks(64 * 1024).map(|c| Ok(c.to_vec())).collect();
    let streamed = app
        .client
        .post(app.url("/__test/echo"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    assert_error(streamed, 413, "PAYLOAD_TOO_LARGE").await;
}

#[tokio::test]
async fn every_response_has_security_headers_and_a_request_id() {
    let app = TestApp::spawn().await;
    for path in ["/monitoring/live", "/openapi.json", "/docs", "/nope", "/__test/fail", "/__test/panic"] {
        let response = app.get(path).await;
        assert_security_headers(&response);
    }
}

#[tokio::test]
async fn a_sane_request_id_is_echoed_and_a_bad_one_replaced() {
    let app = TestApp::spawn().await;
    let response =
        app.client.get(app.url("/monitoring/live")).header("x-request-id", "abc-123").send().await.unwrap();
    assert_eq!(response.headers()["x-request-id"], "abc-123");
    let response =
        app.client.get(app.url("/monitoring/live")).header("x-request-id", "<script>").send().await.unwrap();
    let id = response.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(id.starts_with("req_"), "{id}");
}

#[tokio::test]
async fn server_errors_are_opaque_in_production() {
    let app = TestApp::spawn_with(Options { production: true, ..Options::default() }).await;
    for path in ["/__test/fail", "/__test/panic"] {
        let response = app.get(path).await;
        let body = assert_error(response, 500, "INTERNAL").await;
        let text = body.to_string();
        assert!(!text.contains("secret-internal-path"), "{text}");
        assert!(body["error"].get("detail").is_none(), "{text}");
        assert_eq!(body["error"]["message"], "Internal server error");
    }
    // The server keeps serving after a panic.
    assert_eq!(app.get("/monitoring/live").await.status(), 200);
}

#[tokio::test]
async fn server_errors_carry_detail_in_development() {
    let app = TestApp::spawn().await;
    let body = assert_error(app.get("/__test/fail").await, 500, "INTERNAL").await;
    assert!(body["error"]["detail"].as_str().unwrap().contains("secret-internal-path"));
}

#[tokio::test]
async fn requests_over_the_timeout_get_503() {
    let app = TestApp::spawn_env(&[("REQUEST_TIMEOUT", "1")]).await;
    assert_error(app.get("/__test/sleep?ms=1500").await, 503, "SERVICE_UNAVAILABLE").await;
}

#[tokio::test]
async fn cors_allows_listed_origins_only() {
    let app = TestApp::spawn_env(&[("ALLOWED_ORIGINS", "https://app.example.org")]).await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/monitoring/live"))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .send()
    };
    let allowed = preflight("https://app.example.org").await.unwrap();
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://app.example.org");
    let refused = preflight("https://evil.example.com").await.unwrap();
    assert!(refused.headers().get("access-control-allow-origin").is_none());

    let simple = app
        .client
        .get(app.url("/monitoring/live"))
        .header("origin", "https://evil.example.com")
        .send()
        .await
        .unwrap();
    assert!(simple.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn openapi_document_and_docs_page_are_served() {
    let app = TestApp::spawn().await;
    let doc: serde_json::Value = app.get("/openapi.json").await.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in
        ["/monitoring/live", "/monitoring/ready", "/monitoring/health", "/monitoring/metrics", "/metrics"]
    {
        assert!(doc["paths"].get(path).is_some(), "{path} missing from the OpenAPI document");
    }
    let page = app.get("/docs").await;
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("style-src 'sha256-") && !csp.contains("unsafe-inline"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(html.contains("/monitoring/ready") && html.contains("<title>"));
}
