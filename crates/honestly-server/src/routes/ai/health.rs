//! `GET /ai/health`: the health of what the agent API depends on (no signature needed).

use std::collections::BTreeMap;

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::envelope::{AiEnvelope, AiReply};
use crate::error::ApiError;
use crate::routes::monitoring::{health_status, run_checks, CheckResult};
use crate::state::AppState;

/// `{status, services}`.
#[derive(Serialize, ToSchema)]
pub struct AiHealthData {
    /// `healthy`, `degraded` or `unhealthy`.
    pub status: String,
    /// Each dependency's result.
    pub services: BTreeMap<String, CheckResult>,
}

/// Health of what the agent API depends on (no signature needed).
#[utoipa::path(get, operation_id = "agentHealth", path = "/ai/health", tag = "ai",
    responses((status = 200, description = "`data`: AiHealthData", body = AiEnvelope),
              (status = 503, description = "Unhealthy", body = AiEnvelope)))]
pub async fn health(State(state): State<AppState>) -> Result<AiReply, ApiError> {
    let services = run_checks(&state).await;
    let (status, healthy) = health_status(&services);
    if healthy {
        AiReply::ok(&AiHealthData { status: status.to_string(), services })
    } else {
        Err(ApiError::unavailable(format!("Agent API {status}")))
    }
}
