//! `POST /ai/get-document-hash`: whether a document is registered, by id (a delegated agent,
//! its own user's documents) or by SHA-256 (a service agent: any vault; a delegated agent: its
//! own user's documents; rate limited apart, see `honestly_core::agents::look_up_by_hash`).

use axum::extract::State;
use honestly_core::agents::{look_up_by_hash, AgentCaller};
use honestly_core::documents::DocumentMeta;
use honestly_core::error::FieldErrors;
use honestly_core::ids::DocumentId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::envelope::{AiEnvelope, AiReply};
use super::signed::{parameters, GetDocumentHashRoute, Signed, SignedEnvelope};
use crate::error::ApiError;
use crate::state::AppState;

/// `{document_id}` or `{document_sha256}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HashParams {
    document_id: Option<String>,
    document_sha256: Option<String>,
}

/// A registered document, as an agent may see it.
#[derive(Serialize, ToSchema)]
pub struct DocumentHashData {
    /// Only for a delegated agent's own user's document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
    /// Hex SHA-256 of the plaintext.
    pub sha256: String,
    /// The document type.
    pub document_type: String,
    /// RFC 3339.
    pub created_at: String,
    /// Always true: the document is in the registry.
    pub registered: bool,
}

fn hash_data(meta: DocumentMeta, caller: &AgentCaller) -> DocumentHashData {
    let own = caller.user_id() == Some(&meta.user_id);
    DocumentHashData {
        document_id: own.then(|| meta.id.into_string()),
        sha256: meta.sha256,
        document_type: meta.document_type.as_str().to_string(),
        created_at: meta.created_at.rfc3339(),
        registered: true,
    }
}

/// Looks a registered document up by id (delegated agents, own user's documents) or by
/// SHA-256 (service agents: in any vault, existence only; delegated agents: their user's
/// documents only), `action: get_document_hash`. Look-ups by hash have their own rate limit.
#[utoipa::path(post, operation_id = "agentGetDocumentHash", path = "/ai/get-document-hash", tag = "ai", request_body = SignedEnvelope,
    params(("X-AI-Signature" = String, Header, description = "Hex HMAC-SHA256 of the canonical envelope")),
    responses((status = 200, description = "`data`: DocumentHashData", body = AiEnvelope),
              (status = 400, description = "Malformed envelope or parameters", body = AiEnvelope),
              (status = 401, description = "INVALID_SIGNATURE or STALE_REQUEST", body = AiEnvelope),
              (status = 403, description = "A service agent asked by id", body = AiEnvelope),
              (status = 404, description = "Not registered (for a delegated agent: not among its user's documents)", body = AiEnvelope),
              (status = 409, description = "REPLAYED_REQUEST", body = AiEnvelope),
              (status = 413, description = "Body larger than 1 MiB", body = AiEnvelope),
              (status = 415, description = "Not Content-Type: application/json", body = AiEnvelope),
              (status = 429, description = "Agent rate limit, or the look-ups by hash limit", body = AiEnvelope)))]
pub async fn get_document_hash(
    State(state): State<AppState>,
    Signed(call, _): Signed<GetDocumentHashRoute>,
) -> Result<AiReply, ApiError> {
    let params: HashParams = parameters(call.parameters)?;
    let meta = match (params.document_id, params.document_sha256) {
        (Some(id), None) => {
            let user_id = call.caller.user_id().ok_or_else(ApiError::forbidden)?;
            let id = DocumentId::parse(&id).map_err(|_| ApiError::not_found())?;
            state.documents.get(user_id, &id).await?
        }
        (None, Some(sha256)) => {
            look_up_by_hash(&state.agents, &state.documents, &call.caller, &sha256).await?
        }
        _ => return Err(FieldErrors::one("parameters", "send either document_id or document_sha256").into()),
    };
    AiReply::ok(&hash_data(meta, &call.caller))
}
