//! `POST /ai/create-proof-request`: a delegated agent asks holders for a proof on behalf of its
//! user, who must be a verifier or an administrator.

use axum::extract::State;
use honestly_core::audit::Actor;
use honestly_core::auth::Role;
use honestly_core::proof_requests::NewProofRequest;

use super::envelope::{AiEnvelope, AiReply};
use super::signed::{parameters, CreateProofRequestRoute, Signed, SignedEnvelope};
use crate::error::ApiError;
use crate::no_store::NoStore;
use crate::routes::proof_requests::create_for;
use crate::state::AppState;

/// Creates a proof request for the delegated agent's user (`action: create_proof_request`);
/// parameters as `POST /verifier/requests`.
#[utoipa::path(post, operation_id = "agentCreateProofRequest", path = "/ai/create-proof-request", tag = "ai", request_body = SignedEnvelope,
    params(("X-AI-Signature" = String, Header, description = "Hex HMAC-SHA256 of the canonical envelope")),
    responses((status = 201, description = "`data`: {request} as POST /verifier/requests answers", body = AiEnvelope),
              (status = 400, description = "Malformed envelope or parameters", body = AiEnvelope),
              (status = 401, description = "INVALID_SIGNATURE or STALE_REQUEST", body = AiEnvelope),
              (status = 403, description = "Service agents, and agents of users who are not verifiers or administrators, cannot create requests", body = AiEnvelope),
              (status = 409, description = "REPLAYED_REQUEST", body = AiEnvelope),
              (status = 413, description = "Body larger than 1 MiB", body = AiEnvelope),
              (status = 415, description = "Not Content-Type: application/json", body = AiEnvelope),
              (status = 422, description = "UNKNOWN_ISSUER", body = AiEnvelope),
              (status = 429, description = "Agent rate limit", body = AiEnvelope)))]
pub async fn create_proof_request(
    State(state): State<AppState>,
    Signed(call, _): Signed<CreateProofRequestRoute>,
) -> Result<NoStore<AiReply>, ApiError> {
    let user_id = call.caller.user_id().ok_or_else(ApiError::forbidden)?;
    let user = state.store.user_by_id(user_id).await?.ok_or_else(ApiError::forbidden)?;
    if !matches!(user.role, Role::Verifier | Role::Admin) {
        return Err(ApiError::forbidden());
    }
    let params: NewProofRequest = parameters(call.parameters.clone())?;
    let actor = Actor::agent(&call.caller.agent_id);
    let created = create_for(&state, user_id, actor, &params).await?;
    AiReply::created(&created).map(NoStore)
}
