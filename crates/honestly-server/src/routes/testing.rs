//! Development-only routes used by the project's own tests (`HONESTLY_TEST_ROUTES=true`, which
//! configuration refuses in production): a slow answer, a failing one, a panicking one, a JSON echo, a templated route,
//! and a webhook event raised for the caller with its deliveries (until a feature of the API raises events).

use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use axum::extract::State;

use crate::access::AuthUser;
use crate::error::ApiError;
use crate::extract::{Path, Query};
use crate::json::Json;
use crate::state::AppState;

/// Longest sleep the slow route accepts.
const MAX_SLEEP_MS: u64 = 10_000;

#[derive(Deserialize)]
struct SleepQuery {
    ms: u64,
}

async fn sleep(Query(q): Query<SleepQuery>) -> Result<Json<serde_json::Value>, ApiError> {
    if q.ms > MAX_SLEEP_MS {
        return Err(ApiError::validation("ms must be at most 10000"));
    }
    tokio::time::sleep(Duration::from_millis(q.ms)).await;
    Ok(Json(serde_json::json!({ "slept_ms": q.ms })))
}

#[derive(Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
struct Echo {
    message: String,
}

async fn echo(Json(body): Json<Echo>) -> Json<Echo> {
    Json(body)
}

async fn item(Path(id): Path<String>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "id": id }))
}

async fn fail() -> ApiError {
    ApiError::internal("simulated failure reading /var/lib/honestly/secret-internal-path")
}

async fn panic() -> &'static str {
    panic!("simulated panic with internal detail /var/lib/honestly/secret-internal-path")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestEvent {
    subject: String,
    url: String,
}

/// Raises a `test.event` about `subject` for the caller (their webhook secret is made when
/// missing and answered).
async fn raise_webhook(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
    Json(body): Json<TestEvent>,
) -> Result<crate::no_store::NoStore<Json<serde_json::Value>>, ApiError> {
    let (secret, _) = state.webhooks.current_secret(&session.user_id).await?;
    let queued = state
        .webhooks
        .enqueue(honestly_core::webhooks::NewEvent {
            owner: session.user_id,
            subject: body.subject.clone(),
            event_type: "test.event".into(),
            url: body.url,
            payload: serde_json::json!({ "subject": body.subject }),
        })
        .await?;
    let answer =
        serde_json::json!({ "id": queued.id, "created": queued.created, "webhook_secret": secret.as_str() });
    Ok(crate::no_store::NoStore(Json(answer)))
}

/// The caller's deliveries about `subject`.
async fn webhook_deliveries(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
    Path(subject): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let deliveries = state.webhooks.deliveries_for_subject(&session.user_id, &subject).await?;
    Ok(Json(serde_json::json!({ "deliveries": deliveries })))
}

/// The test routes, under `/__test`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/__test/sleep", get(sleep))
        .route("/__test/fail", get(fail))
        .route("/__test/echo", post(echo))
        .route("/__test/items/{id}", get(item))
        .route("/__test/panic", get(panic))
        .route("/__test/webhooks", post(raise_webhook))
        .route("/__test/webhooks/{subject}", get(webhook_deliveries))
}
