//! `POST /ai/create-share-link`: a delegated agent makes a share link for its user.

use axum::extract::State;

use super::envelope::{AiEnvelope, AiReply};
use super::signed::{parameters, CreateShareLinkRoute, Signed, SignedEnvelope};
use crate::error::ApiError;
use crate::no_store::NoStore;
use crate::routes::links::{create_link_for, CreateLink};
use crate::state::AppState;

/// Creates a share link for the delegated agent's user (`action: create_share_link`);
/// parameters as `POST /vault/share-links`.
#[utoipa::path(post, operation_id = "agentCreateShareLink", path = "/ai/create-share-link", tag = "ai", request_body = SignedEnvelope,
    params(("X-AI-Signature" = String, Header, description = "Hex HMAC-SHA256 of the canonical envelope")),
    responses((status = 201, description = "`data`: {link}", body = AiEnvelope),
              (status = 400, description = "Malformed envelope or parameters", body = AiEnvelope),
              (status = 401, description = "INVALID_SIGNATURE or STALE_REQUEST", body = AiEnvelope),
              (status = 403, description = "Service agents cannot create links", body = AiEnvelope),
              (status = 404, description = "Document or proof not found (or not this agent's user's)", body = AiEnvelope),
              (status = 409, description = "REPLAYED_REQUEST", body = AiEnvelope),
              (status = 413, description = "Body larger than 1 MiB", body = AiEnvelope),
              (status = 415, description = "Not Content-Type: application/json", body = AiEnvelope),
              (status = 429, description = "Agent rate limit", body = AiEnvelope)))]
pub async fn create_share_link(
    State(state): State<AppState>,
    Signed(call, _): Signed<CreateShareLinkRoute>,
) -> Result<NoStore<AiReply>, ApiError> {
    let user_id = call.caller.user_id().ok_or_else(ApiError::forbidden)?;
    let params: CreateLink = parameters(call.parameters.clone())?;
    let link = create_link_for(&state, user_id, params).await?;
    AiReply::created(&link).map(NoStore)
}
