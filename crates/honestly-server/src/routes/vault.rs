//! `/vault/timeline` and `/vault/registry`.

use axum::extract::State;
use honestly_core::timeline::{TimelineEvent, MAX_TIMELINE_EVENTS};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Query;
use crate::json::Json;
use crate::state::AppState;

/// The timeline and registry routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(timeline)).routes(routes!(registry))
}

/// How many events to return.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TimelineQuery {
    /// 1–200, default 50.
    pub limit: Option<u32>,
}

/// One timeline event.
#[derive(Serialize, ToSchema)]
pub struct TimelineEventView {
    /// `evt_…`.
    pub id: String,
    /// `document_uploaded`, `document_deleted`, `proof_created`, `link_created`, `link_revoked`,
    /// `link_accessed`; as a verifier `proof_request_created`, `proof_request_completed`,
    /// `proof_request_declined`, `proof_request_expired`; as a holder `proof_request_answered`.
    #[serde(rename = "type")]
    pub kind: String,
    /// RFC 3339.
    pub at: String,
    /// The document concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
    /// The proof concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proof_id: Option<String>,
    /// The link concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_id: Option<String>,
    /// The proof request concerned (`req_…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl From<TimelineEvent> for TimelineEventView {
    fn from(e: TimelineEvent) -> Self {
        Self {
            id: e.id.into_string(),
            kind: e.kind.as_str().to_string(),
            at: e.at.rfc3339(),
            document_id: e.document_id.map(Into::into),
            proof_id: e.proof_id.map(Into::into),
            link_id: e.link_id.map(Into::into),
            request_id: e.request_id.map(|id| id.to_string()),
        }
    }
}

/// `{events}`.
#[derive(Serialize, ToSchema)]
pub struct TimelineResponse {
    /// Newest first.
    pub events: Vec<TimelineEventView>,
}

/// The registry tree's state.
#[derive(Serialize, ToSchema)]
pub struct RegistryResponse {
    /// Current root (decimal field element).
    pub root: String,
    /// Number of registered documents.
    pub size: u64,
    /// Equal to `size`: the epoch of the current root.
    pub epoch: u64,
    /// When the last document was registered (null while empty).
    pub updated_at: Option<String>,
}

/// The caller's own events, newest first.
#[utoipa::path(get, operation_id = "getTimeline", path = "/vault/timeline", tag = "vault", security(("bearer" = [])), params(TimelineQuery),
    responses((status = 200, description = "Events", body = TimelineResponse),
              (status = 400, description = "Bad limit", body = ErrorBody),
              (status = 401, description = "Not authenticated", body = ErrorBody)))]
pub async fn timeline(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
    Query(q): Query<TimelineQuery>,
) -> Result<Json<TimelineResponse>, ApiError> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=MAX_TIMELINE_EVENTS).contains(&limit) {
        return Err(ApiError::validation("limit must be between 1 and 200"));
    }
    let events = state.timeline.recent(&session.user_id, limit).await?;
    Ok(Json(TimelineResponse { events: events.into_iter().map(Into::into).collect() }))
}

/// Root, size and epoch of the document registry tree.
#[utoipa::path(get, operation_id = "getRegistry", path = "/vault/registry", tag = "vault",
    responses((status = 200, description = "Registry state", body = RegistryResponse)))]
pub async fn registry(State(state): State<AppState>) -> Result<Json<RegistryResponse>, ApiError> {
    let (size, root) = state.registry.current_decimal().await;
    let updated_at = state.registry.updated_at().await?;
    Ok(Json(RegistryResponse { root, size, epoch: size, updated_at: updated_at.map(|at| at.rfc3339()) }))
}
