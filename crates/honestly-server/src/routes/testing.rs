//! Development-only routes used by the project's own tests (`HONESTLY_TEST_ROUTES=true`, which
//! configuration refuses in production): a slow answer, a failing one, a panicking one, a JSON echo and a templated route.

use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

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

/// The test routes, under `/__test`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/__test/sleep", get(sleep))
        .route("/__test/fail", get(fail))
        .route("/__test/echo", post(echo))
        .route("/__test/items/{id}", get(item))
        .route("/__test/panic", get(panic))
}
