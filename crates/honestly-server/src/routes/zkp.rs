//! `/zkp`: circuits, verification keys (immutable, with ETag) and anonymous verification.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use honestly_core::clock::Timestamp;
use honestly_core::zk::{attestation, CircuitInfo, CredentialFacts, Expected, VerifyInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::{Admin, RequireRole};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::json::Json;
use crate::state::AppState;

/// Circuits: list (`GET`) and register an external one (`POST`, admin).
const CIRCUITS: &str = "/zkp/circuits";

/// The `/zkp` routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(circuits, add_circuit))
        .routes(routes!(remove_circuit))
        .routes(routes!(verification_key))
        .routes(routes!(verify_proof))
}

/// A circuit verifiers can check proofs of.
#[derive(Serialize, ToSchema)]
pub struct CircuitView {
    /// The proof type.
    pub name: String,
    /// Number of public signals.
    pub n_public: usize,
    /// Their names, in order.
    pub public_signals: Vec<String>,
    /// SHA-256 of its `verification_key.json`.
    pub vk_sha256: String,
    /// Added by an operator.
    pub external: bool,
}

impl From<CircuitInfo> for CircuitView {
    fn from(c: CircuitInfo) -> Self {
        Self {
            name: c.name,
            n_public: c.n_public,
            public_signals: c.public_signals,
            vk_sha256: c.vk_sha256,
            external: c.external,
        }
    }
}

/// An external snarkjs key to register.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddCircuit {
    /// 1–64 of `a-z 0-9 _`, starting with a letter.
    pub name: String,
    /// snarkjs `verification_key.json` (Groth16, BN254).
    #[schema(value_type = crate::openapi::JsonObject)]
    pub verification_key: serde_json::Value,
    /// Index of the public signal that is a nullifier, if any.
    pub nullifier_signal: Option<usize>,
}

/// A proof to check.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// A circuit name from `/zkp/circuits`.
    pub proof_type: String,
    /// snarkjs proof JSON.
    #[schema(value_type = crate::openapi::SnarkjsProof)]
    pub proof: serde_json::Value,
    /// Decimal strings in the circuit's order.
    #[schema(value_type = Vec<String>)]
    pub public_signals: serde_json::Value,
    /// Checks beyond validity.
    #[schema(value_type = Option<crate::openapi::Expectations>)]
    pub expected: Option<Expected>,
}

/// The verdict, with what it covers: a verifier must state its expectations, because a valid
/// proof alone says little (an `age_proof` verified without `min_age` may show any age).
#[derive(Serialize, ToSchema)]
pub struct VerifyResponse {
    /// Valid and meeting the expectations in `checked`.
    pub verified: bool,
    /// `invalid_proof`, `malformed`, `expectation_failed`, `stale_proof` or `unknown_circuit`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The expectations given and checked (`min_age`, `document_sha256`,
    /// `max_proof_age_seconds`, `registry_root`).
    pub checked: Vec<String>,
    /// The expectations this proof type can check that were not given: `verified` says
    /// nothing about them.
    pub unchecked: Vec<String>,
    /// Who stands behind the statement: `self_declared` for age proofs (`age_proof`,
    /// `age_proof_v2`: the holder typed the birth date, nobody attested it); absent for other
    /// proof types.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "self_declared")]
    pub attestation: Option<&'static str>,
    /// When the proof failed an expectation: its name (`min_age`, `scope`, `nonce`,
    /// `reference_date`, `revocation_state`, `trusted_issuers`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_expectation: Option<&'static str>,
    /// Why, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_detail: Option<String>,
    /// For a valid `credential_query` proof: who attested it and what it shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<CredentialFactsView>,
}

/// What a valid credential proof shows a verifier.
#[derive(Serialize, ToSchema)]
pub struct CredentialFactsView {
    /// The issuer's key `{x, y}`.
    #[schema(value_type = Object)]
    pub issuer_public_key: serde_json::Value,
    /// The issuer hosted here with that key (`iss_…`), if any.
    pub issuer_id: Option<String>,
    /// Its name, if hosted here.
    pub issuer_name: Option<String>,
    /// The revocation root the proof was made against.
    pub revocation_root: String,
    /// The day the statement is about, `YYYY-MM-DD`.
    pub reference_date: String,
    /// The disclosed nationality (ISO 3166-1 alpha-3), when disclosed.
    pub disclosed_nationality: Option<String>,
    /// Same holder and scope, same nullifier.
    pub nullifier: String,
}

/// The view of a credential proof's facts, naming the issuer when it is hosted here.
pub async fn credential_facts(state: &AppState, facts: &CredentialFacts) -> CredentialFactsView {
    let key = honestly_core::credentials::IssuerPublicKey::from_decimal(&facts.issuer.x, &facts.issuer.y);
    let issuer = match key {
        Some(key) => state.issuance.issuer_with_key((key.x, key.y)).await,
        None => None,
    };
    let day = facts.reference_date;
    CredentialFactsView {
        issuer_public_key: serde_json::json!({"x": facts.issuer.x, "y": facts.issuer.y}),
        issuer_id: issuer.as_ref().map(|i| i.id.to_string()),
        issuer_name: issuer.map(|i| i.name),
        revocation_root: facts.revocation_root.clone(),
        reference_date: format!("{:04}-{:02}-{:02}", day / 10_000, day / 100 % 100, day % 100),
        disclosed_nationality: facts.disclosed_nationality.clone(),
        nullifier: facts.nullifier.clone(),
    }
}

/// Every circuit: built in and external.
#[utoipa::path(get, operation_id = "listCircuits", path = CIRCUITS, tag = "zkp",
    responses((status = 200, description = "Circuits", body = Vec<CircuitView>)))]
pub async fn circuits(State(state): State<AppState>) -> Json<Vec<CircuitView>> {
    Json(state.zk.circuits().into_iter().map(Into::into).collect())
}

/// Registers an external snarkjs verification key (admin).
#[utoipa::path(post, operation_id = "addCircuit", path = CIRCUITS, tag = "zkp", security(("bearer" = [])), request_body = AddCircuit,
    responses((status = 201, description = "Registered", body = CircuitView),
              (status = 400, description = "Invalid name or key", body = ErrorBody),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 403, description = "Not an admin", body = ErrorBody),
              (status = 409, description = "Name taken", body = ErrorBody),
              (status = 413, description = "Body larger than 1 MiB", body = ErrorBody),
              (status = 415, description = "Not Content-Type: application/json", body = ErrorBody)))]
pub async fn add_circuit(
    State(state): State<AppState>,
    _admin: RequireRole<Admin>,
    Json(body): Json<AddCircuit>,
) -> Result<Response, ApiError> {
    let info = state.zk.add_external(&body.name, &body.verification_key, body.nullifier_signal).await?;
    tracing::info!(circuit = %info.name, "external circuit registered");
    Ok((StatusCode::CREATED, Json(CircuitView::from(info))).into_response())
}

/// Removes an external circuit (admin).
#[utoipa::path(delete, operation_id = "removeCircuit", path = "/zkp/circuits/{name}", tag = "zkp", security(("bearer" = [])),
    params(("name" = String, Path, description = "An external circuit")),
    responses((status = 204, description = "Removed"),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 403, description = "Not an admin", body = ErrorBody),
              (status = 404, description = "No external circuit of that name", body = ErrorBody)))]
pub async fn remove_circuit(
    State(state): State<AppState>,
    _admin: RequireRole<Admin>,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    if state.zk.remove_external(&name)? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}

/// A circuit's snarkjs `verification_key.json`; `ETag` is its SHA-256.
#[utoipa::path(get, operation_id = "getVerificationKey", path = "/zkp/artifacts/{circuit}/verification_key.json", tag = "zkp",
    params(("circuit" = String, Path, description = "A circuit name")),
    responses((status = 200, description = "The key", body = crate::openapi::JsonObject),
              (status = 304, description = "Not modified (If-None-Match)"),
              (status = 404, description = "Unknown circuit", body = ErrorBody)))]
pub async fn verification_key(
    State(state): State<AppState>,
    Path(circuit): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let loaded = state.zk.circuit(&circuit).ok_or_else(ApiError::not_found)?;
    let etag = format!("\"{}\"", loaded.info.vk_sha256);
    let matches = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.split(',').map(str::trim).any(|t| t == etag || t == "*" || t.trim_start_matches("W/") == etag)
    });
    let common = [
        (header::ETAG, HeaderValue::from_str(&etag).map_err(ApiError::internal)?),
        (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
    ];
    if matches {
        return Ok((StatusCode::NOT_MODIFIED, common).into_response());
    }
    let mut response = (common, loaded.vk_json.clone()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(response)
}

/// Verifies a proof anonymously (rate limited; never consumes a nullifier). The answer lists
/// the expectations it checked and those it did not: state every expectation you rely on.
#[utoipa::path(post, operation_id = "verifyProof", path = "/zkp/verify", tag = "zkp", request_body = VerifyRequest,
    responses((status = 200, description = "The verdict, with `checked` and `unchecked` expectations", body = VerifyResponse),
              (status = 400, description = "Invalid request, or an expectation the proof type cannot check (named in `fields`)", body = ErrorBody),
              (status = 413, description = "Body larger than 1 MiB", body = ErrorBody),
              (status = 415, description = "Not Content-Type: application/json", body = ErrorBody),
              (status = 429, description = "Rate limited", body = ErrorBody),
              (status = 503, description = "Keys still loading, or server busy (with `Retry-After`)", body = ErrorBody)))]
pub async fn verify_proof(
    State(state): State<AppState>,
    Json(body): Json<VerifyRequest>,
) -> Result<Json<VerifyResponse>, ApiError> {
    if !state.verifier.is_ready() {
        return Err(ApiError::unavailable("Verification keys are still loading"));
    }
    let expected = body.expected.unwrap_or_default();
    // One rule: an expectation the proof type cannot check is a 400 naming it; the answer
    // then says which expectations it checked and which it did not.
    let coverage = state.verifier.coverage(&body.proof_type, &expected, "expected.")?;
    let input = VerifyInput {
        proof_type: &body.proof_type,
        proof: &body.proof,
        public_signals: &body.public_signals,
        expected: &expected,
    };
    let outcome = state.verifier.check(input, Timestamp::now()).await?;
    Ok(Json(VerifyResponse {
        verified: outcome.verified,
        reason: outcome.reason.map(|r| r.as_str().to_string()),
        checked: coverage.checked.into_iter().map(String::from).collect(),
        unchecked: coverage.unchecked.into_iter().map(String::from).collect(),
        attestation: attestation(&body.proof_type),
        failed_expectation: outcome.failed_expectation,
        failure_detail: outcome.failure_detail.as_deref().map(str::to_owned),
        credential: match outcome.credential.as_deref() {
            Some(facts) if outcome.verified => Some(credential_facts(&state, facts).await),
            _ => None,
        },
    }))
}
