//! `/ai/agents`: a logged-in user creates, lists and deletes the delegated agents that act for
//! them. A new agent's secret appears in the creation answer only.

use axum::extract::State;
use honestly_core::agents::AgentRecord;
use honestly_core::ids::AgentId;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::envelope::{AiEnvelope, AiReply};
use crate::access::AuthUser;
use crate::error::ApiError;
use crate::extract::{Ctx, Path};
use crate::json::Json;
use crate::no_store::NoStore;
use crate::state::AppState;

/// The caller's delegated agents: create (`POST`) and list (`GET`).
const AGENTS: &str = "/ai/agents";
/// One delegated agent: read (`GET`) and delete (`DELETE`).
const AGENT: &str = "/ai/agents/{id}";

/// A delegated agent to create.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAgent {
    /// A label, 1–64 characters (default `agent`).
    pub name: Option<String>,
}

/// A delegated agent as its user sees it.
#[derive(Serialize, ToSchema)]
pub struct AgentView {
    /// `agt_…`: the `agent_id` it signs with.
    pub agent_id: String,
    /// Its label.
    pub name: String,
    /// RFC 3339.
    pub created_at: String,
    /// The signing secret: in the creation answer only, never again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl AgentView {
    fn of(record: AgentRecord) -> Self {
        Self {
            agent_id: record.id.into_string(),
            name: record.name,
            created_at: record.created_at.rfc3339(),
            secret: None,
        }
    }
}

/// `{agents}`.
#[derive(Serialize, ToSchema)]
pub struct AgentList {
    /// Oldest first, without secrets.
    pub agents: Vec<AgentView>,
}

/// `{agent_id, deleted}`.
#[derive(Serialize, ToSchema)]
pub struct AgentDeleted {
    /// The deleted agent.
    pub agent_id: String,
    /// Always true.
    pub deleted: bool,
}

/// Creates a delegated agent; its secret is shown in this answer only.
#[utoipa::path(post, operation_id = "createAgent", path = AGENTS, tag = "ai", security(("bearer" = [])), request_body = CreateAgent,
    responses((status = 201, description = "`data`: AgentView with `secret`", body = AiEnvelope),
              (status = 400, description = "Invalid name", body = AiEnvelope),
              (status = 401, description = "Not authenticated", body = AiEnvelope),
              (status = 409, description = "Too many agents", body = AiEnvelope),
              (status = 413, description = "Body larger than 1 MiB", body = AiEnvelope),
              (status = 415, description = "Not Content-Type: application/json", body = AiEnvelope)))]
pub async fn create(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    AuthUser(session): AuthUser,
    Json(body): Json<CreateAgent>,
) -> Result<NoStore<AiReply>, ApiError> {
    let created = state.agents.create(&session.user_id, body.name).await?;
    tracing::info!(agent_id = %created.record.id, "delegated agent created");
    ctx.name_agent(created.record.id.as_str());
    let mut view = AgentView::of(created.record);
    view.secret = Some(created.secret.expose_secret().to_string());
    AiReply::created(&view).map(NoStore)
}

/// The caller's delegated agents.
#[utoipa::path(get, operation_id = "listAgents", path = AGENTS, tag = "ai", security(("bearer" = [])),
    responses((status = 200, description = "`data`: AgentList", body = AiEnvelope),
              (status = 401, description = "Not authenticated", body = AiEnvelope)))]
pub async fn list(State(state): State<AppState>, AuthUser(session): AuthUser) -> Result<AiReply, ApiError> {
    let agents = state.agents.list(&session.user_id).await?;
    AiReply::ok(&AgentList { agents: agents.into_iter().map(AgentView::of).collect() })
}

/// One of the caller's delegated agents.
#[utoipa::path(get, operation_id = "getAgent", path = AGENT, tag = "ai", security(("bearer" = [])),
    params(("id" = String, Path, description = "`agt_…`")),
    responses((status = 200, description = "`data`: AgentView", body = AiEnvelope),
              (status = 401, description = "Not authenticated", body = AiEnvelope),
              (status = 404, description = "Not found (or not yours)", body = AiEnvelope)))]
pub async fn get(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    AuthUser(session): AuthUser,
    Path(id): Path<AgentId>,
) -> Result<AiReply, ApiError> {
    ctx.name_agent(id.as_str());
    let agent = state.agents.get(&session.user_id, &id).await?;
    AiReply::ok(&AgentView::of(agent))
}

/// Deletes a delegated agent: its signatures fail from this moment.
#[utoipa::path(delete, operation_id = "deleteAgent", path = AGENT, tag = "ai", security(("bearer" = [])),
    params(("id" = String, Path, description = "`agt_…`")),
    responses((status = 200, description = "`data`: AgentDeleted", body = AiEnvelope),
              (status = 401, description = "Not authenticated", body = AiEnvelope),
              (status = 404, description = "Not found (or not yours)", body = AiEnvelope)))]
pub async fn delete(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    AuthUser(session): AuthUser,
    Path(id): Path<AgentId>,
) -> Result<AiReply, ApiError> {
    ctx.name_agent(id.as_str());
    state.agents.delete(&session.user_id, &id).await?;
    tracing::info!(agent_id = %id, "delegated agent deleted");
    AiReply::ok(&AgentDeleted { agent_id: id.into_string(), deleted: true })
}
