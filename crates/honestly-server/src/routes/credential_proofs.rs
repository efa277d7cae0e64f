//! Proving from a credential: `POST /vault/credentials/{id}/proofs`.

use axum::extract::State;
use axum::http::StatusCode;
use honestly_core::ids::CredentialId;
use honestly_core::issuance::proving::CredentialProofRecord;
use honestly_core::zk::credential_proofs::CredentialQuery;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::proofs::ProofView;
use crate::access::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::json::Json;
use crate::state::AppState;

/// The credential proof route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(create_credential_proof))
}

/// What to prove from a credential.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCredentialProof {
    /// The predicates (all optional).
    #[schema(value_type = QueryInput)]
    pub query: CredentialQuery,
    /// What the proof is for (the verifier's action): the nullifier is
    /// `Poseidon(holderSecret, scope)`, the same for the same holder and scope. 1–256 bytes.
    pub scope: String,
    /// The verifier's nonce; random when not given. 1–256 bytes.
    pub nonce: Option<String>,
}

/// The predicates of a credential proof.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct QueryInput {
    /// At least this many years old (1–150).
    min_age: Option<u64>,
    /// The attested document has not expired (or has no expiry).
    not_expired: Option<bool>,
    /// The nationality is one of these (1–8 ISO 3166-1 codes: `"DEU"`, `"DE"` or 276).
    #[schema(value_type = Option<Vec<serde_json::Value>>)]
    nationality_in: Option<Vec<String>>,
    /// The nationality is none of these (1–8 codes).
    #[schema(value_type = Option<Vec<serde_json::Value>>)]
    nationality_not_in: Option<Vec<String>>,
    /// Claims revealed by the proof: only `"nationality"`.
    disclose: Option<Vec<String>>,
}

/// A credential proof with what a verifier needs beside it.
#[derive(Serialize, ToSchema)]
pub struct CredentialProofView {
    /// The proof (`proof_type` `credential_query`).
    #[serde(flatten)]
    pub proof: ProofView,
    /// `attested`.
    pub attestation: &'static str,
    /// The issuer's name, when known.
    pub issuer_name: Option<String>,
    /// The issuer's signed revocation state the proof was made against (`{root, issued_at,
    /// signature}`); null for an issuer not hosted here.
    #[schema(value_type = Option<Object>)]
    pub revocation_state: Option<serde_json::Value>,
}

/// `{proof}`.
#[derive(Serialize, ToSchema)]
pub struct CredentialProofResponse {
    /// The proof.
    pub proof: CredentialProofView,
}

impl CredentialProofView {
    fn of(made: CredentialProofRecord) -> Result<Self, ApiError> {
        let revocation_state = made
            .revocation_state
            .as_ref()
            .map(serde_json::to_value)
            .transpose()
            .map_err(ApiError::internal)?;
        Ok(Self {
            proof: made.record.into(),
            attestation: "attested",
            issuer_name: made.issuer_name,
            revocation_state,
        })
    }
}

/// Proves predicates about one of the caller's credentials without revealing it.
#[utoipa::path(post, operation_id = "createCredentialProof", path = "/vault/credentials/{id}/proofs", tag = "credentials", security(("bearer" = [])),
    params(("id" = String, Path, description = "`crd_…`")), request_body = CreateCredentialProof,
    responses((status = 201, description = "Proof made and stored", body = CredentialProofResponse),
              (status = 400, description = "Invalid query, scope or nonce", body = ErrorBody),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 413, description = "Body larger than 1 MiB", body = ErrorBody),
              (status = 415, description = "Not Content-Type: application/json", body = ErrorBody),
              (status = 404, description = "Credential not found (or not yours)", body = ErrorBody),
              (status = 409, description = "The credential's document was deleted", body = ErrorBody),
              (status = 422, description = "Refused: `fields.reason` is `revoked`, `credential_expired`, `not_yet_valid`, `invalid_signature`, `not_yours` or `unsatisfied` (then `fields.predicate` names it)", body = ErrorBody),
              (status = 503, description = "Keys still loading or server busy", body = ErrorBody)))]
pub async fn create_credential_proof(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
    Path(id): Path<CredentialId>,
    Json(body): Json<CreateCredentialProof>,
) -> Result<(StatusCode, Json<CredentialProofResponse>), ApiError> {
    let made = state
        .issuance
        .prove(&state.zk, &session.user_id, &id, &body.query, &body.scope, body.nonce.as_deref())
        .await?;
    tracing::info!(proof_id = %made.record.id, credential_id = %id, "credential proof created");
    Ok((StatusCode::CREATED, Json(CredentialProofResponse { proof: CredentialProofView::of(made)? })))
}
