//! Monitoring: liveness, readiness, health, metrics (JSON and Prometheus).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use honestly_core::clock::Timestamp;
use honestly_core::error::FieldErrors;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::MonitoringAccess;
use crate::error::ApiError;
use crate::extract::Query;
use crate::interactions::Interaction;
use crate::json::Json;
use crate::metrics::RouteSnapshot;
use crate::state::AppState;
use crate::verify_metrics::VerificationBatching;

/// How long a dependency may take to answer a check.
/// The orchestrator probes: outside the general rate limit and not audited (every replica's
/// kubelet and load balancer call them every few seconds).
pub fn probes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(live)).routes(routes!(ready)).routes(routes!(health))
}

/// Metrics and the recent agent interactions.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(metrics))
        .routes(routes!(prometheus))
        .routes(routes!(ai_interactions))
}

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// `{"alive": true}`.
#[derive(Serialize, ToSchema)]
pub struct LiveResponse {
    /// Always true while the process serves.
    pub alive: bool,
}

/// One dependency's state.
#[derive(Serialize, ToSchema, Clone)]
pub struct CheckResult {
    /// `ok` or `error`.
    pub status: String,
    /// Time the check took.
    pub latency_ms: f64,
}

/// Readiness of the process to take traffic.
#[derive(Serialize, ToSchema)]
pub struct ReadyResponse {
    /// Whether every check passed.
    pub ready: bool,
    /// Each dependency's result.
    pub checks: BTreeMap<String, CheckResult>,
}

/// Overall health.
#[derive(Serialize, ToSchema)]
pub struct HealthResponse {
    /// `healthy`, `degraded` or `unhealthy`.
    pub status: String,
    /// Each dependency's result.
    pub checks: BTreeMap<String, CheckResult>,
    /// Server version.
    pub version: String,
    /// Seconds since start.
    pub uptime_s: u64,
}

/// Per-route figures.
#[derive(Serialize, ToSchema)]
pub struct MetricsResponse {
    /// Keyed by `"METHOD /route/template"`.
    pub metrics: BTreeMap<String, RouteSnapshot>,
    /// Single verifications batched across requests.
    pub verification_batching: VerificationBatching,
    /// When the snapshot was taken.
    pub timestamp: String,
}

/// Checks every dependency (store, ZK keys), each bounded by a timeout.
pub(crate) async fn run_checks(state: &AppState) -> BTreeMap<String, CheckResult> {
    let started = Instant::now();
    let ok = matches!(tokio::time::timeout(CHECK_TIMEOUT, state.store.ping()).await, Ok(Ok(())));
    let mut checks = BTreeMap::new();
    checks.insert(
        format!("store:{}", state.store.backend()),
        CheckResult {
            status: if ok { "ok" } else { "error" }.into(),
            latency_ms: started.elapsed().as_secs_f64() * 1000.0,
        },
    );
    if let Some(redis) = &state.redis {
        // Redis down is `degraded`, not `error`: every replica keeps serving with local state.
        let result = match redis.ping().await {
            Ok(latency) => CheckResult { status: "ok".into(), latency_ms: latency.as_secs_f64() * 1000.0 },
            Err(_) => CheckResult { status: "degraded".into(), latency_ms: 0.0 },
        };
        checks.insert("redis".into(), result);
    }
    checks.insert(
        "zk_keys".into(),
        CheckResult { status: if state.zk.is_ready() { "ok" } else { "loading" }.into(), latency_ms: 0.0 },
    );
    checks
}

/// `healthy`, `degraded` (something still loading) or `unhealthy` (something failing), and
/// whether the process is healthy enough to serve (not `unhealthy`).
pub(crate) fn health_status(checks: &BTreeMap<String, CheckResult>) -> (&'static str, bool) {
    let healthy = !checks.values().any(|c| c.status == "error");
    let degraded = checks.values().any(|c| c.status != "ok");
    let status = match (healthy, degraded) {
        (false, _) => "unhealthy",
        (true, true) => "degraded",
        (true, false) => "healthy",
    };
    (status, healthy)
}

/// Liveness: answers while the process serves.
#[utoipa::path(get, operation_id = "live", path = "/monitoring/live", tag = "monitoring",
    responses((status = 200, description = "The process is alive", body = LiveResponse)))]
pub async fn live() -> Json<LiveResponse> {
    Json(LiveResponse { alive: true })
}

/// Readiness: 200 when every dependency answers, else 503.
#[utoipa::path(get, operation_id = "ready", path = "/monitoring/ready", tag = "monitoring",
    responses((status = 200, description = "Ready for traffic", body = ReadyResponse),
              (status = 503, description = "Not ready", body = ReadyResponse)))]
pub async fn ready(State(state): State<AppState>) -> Response {
    let checks = run_checks(&state).await;
    // A replica without Redis still serves correctly (local fallbacks), so it stays ready.
    let ready =
        checks.iter().all(|(name, c)| c.status == "ok" || (name == "redis" && c.status == "degraded"));
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(ReadyResponse { ready, checks })).into_response()
}

/// Health: status of every dependency, version and uptime.
#[utoipa::path(get, operation_id = "health", path = "/monitoring/health", tag = "monitoring",
    responses((status = 200, description = "Healthy or degraded", body = HealthResponse),
              (status = 503, description = "Unhealthy", body = HealthResponse)))]
pub async fn health(State(state): State<AppState>) -> Response {
    let checks = run_checks(&state).await;
    let (status, healthy) = health_status(&checks);
    let body = HealthResponse {
        status: status.into(),
        checks,
        version: env!("CARGO_PKG_VERSION").into(),
        uptime_s: state.started_at.elapsed().as_secs(),
    };
    let status = if healthy { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body)).into_response()
}

/// Per-route metrics as JSON (monitoring token in production).
#[utoipa::path(get, operation_id = "getMetrics", path = "/monitoring/metrics", tag = "monitoring",
    security(("bearer" = [])),
    responses((status = 200, description = "Per-route figures", body = MetricsResponse),
              (status = 401, description = "Missing or wrong monitoring token", body = crate::error::ErrorBody)))]
pub async fn metrics(_access: MonitoringAccess, State(state): State<AppState>) -> Json<MetricsResponse> {
    Json(MetricsResponse {
        metrics: state.metrics.snapshot(),
        verification_batching: state.zk.batch_stats().into(),
        timestamp: Timestamp::now().rfc3339(),
    })
}

/// The same figures in Prometheus text format.
#[utoipa::path(get, operation_id = "getPrometheusMetrics", path = "/metrics", tag = "monitoring",
    security(("bearer" = [])),
    responses((status = 200, description = "Prometheus exposition", body = String, content_type = "text/plain"),
              (status = 401, description = "Missing or wrong monitoring token", body = crate::error::ErrorBody)))]
pub async fn prometheus(_access: MonitoringAccess, State(state): State<AppState>) -> Response {
    let mut text = state.metrics.prometheus(state.started_at.elapsed());
    text.push_str(&crate::verify_metrics::prometheus(&state.zk.batch_stats()));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}

/// `?limit=&agent_id=` of `/monitoring/ai-interactions`.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InteractionQuery {
    /// 1–1000 (default 100).
    pub limit: Option<usize>,
    /// Only this agent's calls.
    pub agent_id: Option<String>,
}

/// Recent agent calls.
#[derive(Serialize, ToSchema)]
pub struct InteractionsResponse {
    /// Newest first.
    pub interactions: Vec<Interaction>,
    /// How many held interactions match the filter.
    pub total: usize,
}

/// The latest `/ai/*` calls of this process, accepted or refused (monitoring token in
/// production).
#[utoipa::path(get, operation_id = "listAgentInteractions", path = "/monitoring/ai-interactions", tag = "monitoring",
    security(("bearer" = [])), params(InteractionQuery),
    responses((status = 200, description = "Newest first", body = InteractionsResponse),
              (status = 400, description = "Bad limit or agent id", body = crate::error::ErrorBody),
              (status = 401, description = "Missing or wrong monitoring token", body = crate::error::ErrorBody)))]
pub async fn ai_interactions(
    _access: MonitoringAccess,
    State(state): State<AppState>,
    Query(query): Query<InteractionQuery>,
) -> Result<Json<InteractionsResponse>, ApiError> {
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(FieldErrors::one("limit", "1-1000").into());
    }
    if query.agent_id.as_deref().is_some_and(|a| a.is_empty() || a.len() > 128) {
        return Err(FieldErrors::one("agent_id", "1-128 characters").into());
    }
    let (interactions, total) = state.ai_interactions.recent(limit, query.agent_id.as_deref());
    Ok(Json(InteractionsResponse { interactions, total }))
}
