//! Proofs about the caller's documents: create, list, get.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use honestly_core::ids::{DocumentId, ProofId};
use honestly_core::zk::{ProofRecord, ProofRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::json::Json;
use crate::state::AppState;

/// The proof routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(create)).routes(routes!(list)).routes(routes!(get))
}

/// What to prove.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "proof_type", rename_all = "snake_case", deny_unknown_fields)]
pub enum CreateProof {
    /// "The holder is at least `min_age` years old" (reference date = today, UTC), proven with
    /// `age_proof_v2`: the answer's `proof_type` is `age_proof_v2`. The birth date is
    /// self-declared.
    AgeProof {
        /// `YYYY-MM-DD`, from 1000-01-01, not in the future.
        birth_date: String,
        /// 0–150.
        min_age: u64,
    },
    /// The same as `age_proof`, named by its circuit.
    AgeProofV2 {
        /// `YYYY-MM-DD`, from 1000-01-01, not in the future.
        birth_date: String,
        /// 0–150.
        min_age: u64,
    },
    /// "This document is in the registry."
    AuthenticityProof,
}

/// A proof as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct ProofView {
    /// `prf_…`.
    pub id: String,
    /// `age_proof_v2`, `authenticity_proof`, or `age_proof` (made before `age_proof_v2`).
    pub proof_type: String,
    /// The document proven about.
    pub document_id: String,
    /// snarkjs proof JSON (`pi_a`, `pi_b`, `pi_c`, `protocol`, `curve`).
    #[schema(value_type = crate::openapi::SnarkjsProof)]
    pub proof: serde_json::Value,
    /// Decimal strings in the circuit's order.
    pub public_signals: Vec<String>,
    /// `{name: value}` of the public signals.
    #[schema(value_type = std::collections::HashMap<String, String>)]
    pub public_inputs: serde_json::Map<String, serde_json::Value>,
    /// The nullifier signal.
    pub nullifier: String,
    /// RFC 3339.
    pub created_at: String,
}

impl From<ProofRecord> for ProofView {
    fn from(p: ProofRecord) -> Self {
        Self {
            public_inputs: p.public_inputs(),
            id: p.id.into_string(),
            proof_type: p.proof_type,
            document_id: p.document_id.into_string(),
            proof: p.proof,
            public_signals: p.public_signals,
            nullifier: p.nullifier,
            created_at: p.created_at.rfc3339(),
        }
    }
}

/// `{proof}`.
#[derive(Serialize, ToSchema)]
pub struct ProofResponse {
    /// The proof.
    pub proof: ProofView,
}

/// `{proofs}`.
#[derive(Serialize, ToSchema)]
pub struct ProofList {
    /// Newest first (at most 100).
    pub proofs: Vec<ProofView>,
}

/// Proves a statement about one of the caller's documents.
#[utoipa::path(post, operation_id = "createProof", path = "/vault/documents/{id}/proofs", tag = "proofs", security(("bearer" = [])),
    params(("id" = String, Path, description = "`doc_…`")), request_body = CreateProof,
    responses((status = 201, description = "Proof made and stored", body = ProofResponse),
              (status = 400, description = "Invalid request", body = ErrorBody),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 404, description = "Document not found (or not yours)", body = ErrorBody),
              (status = 413, description = "Body larger than 1 MiB", body = ErrorBody),
              (status = 415, description = "Not Content-Type: application/json", body = ErrorBody),
              (status = 422, description = "The statement is false", body = ErrorBody),
              (status = 503, description = "Keys still loading or server busy", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
    Path(id): Path<DocumentId>,
    Json(body): Json<CreateProof>,
) -> Result<Response, ApiError> {
    let request = match body {
        CreateProof::AgeProof { birth_date, min_age } | CreateProof::AgeProofV2 { birth_date, min_age } => {
            ProofRequest::Age { birth_date, min_age }
        }
        CreateProof::AuthenticityProof => ProofRequest::Authenticity,
    };
    let proof = state.proofs.create(&session.user_id, &id, request).await?;
    tracing::info!(proof_id = %proof.id, proof_type = %proof.proof_type, "proof created");
    Ok((StatusCode::CREATED, Json(ProofResponse { proof: proof.into() })).into_response())
}

/// The caller's proofs.
#[utoipa::path(get, operation_id = "listProofs", path = "/vault/proofs", tag = "proofs", security(("bearer" = [])),
    responses((status = 200, description = "Proofs", body = ProofList),
              (status = 401, description = "Not authenticated", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
) -> Result<Json<ProofList>, ApiError> {
    let proofs = state.proofs.list(&session.user_id).await?;
    Ok(Json(ProofList { proofs: proofs.into_iter().map(Into::into).collect() }))
}

/// One of the caller's proofs.
#[utoipa::path(get, operation_id = "getProof", path = "/vault/proofs/{id}", tag = "proofs", security(("bearer" = [])),
    params(("id" = String, Path, description = "`prf_…`")),
    responses((status = 200, description = "The proof", body = ProofResponse),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 404, description = "Not found (or not yours)", body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
    Path(id): Path<ProofId>,
) -> Result<Json<ProofResponse>, ApiError> {
    Ok(Json(ProofResponse { proof: state.proofs.get(&session.user_id, &id).await?.into() }))
}
