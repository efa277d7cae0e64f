//! `POST /ai/verify-proof` and `POST /ai/verify-proofs-batch`: signed agents verify proofs,
//! consuming their nullifiers (see `honestly_core::zk::Verifier`).

use std::time::Instant;

use axum::extract::State;
use honestly_core::agents::{verify_for_agent, verify_many_for_agent, ProofParams};
use honestly_core::clock::Timestamp;
use honestly_core::zk::{attestation, VerifyOutcome};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::envelope::{AiEnvelope, AiReply};
use super::signed::{parameters, Signed, SignedEnvelope, VerifyProofRoute, VerifyProofsBatchRoute};
use crate::error::ApiError;
use crate::extract::Ctx;
use crate::routes::zkp::{credential_facts, CredentialFactsView};
use crate::state::AppState;

/// One proof's verdict for an agent.
#[derive(Serialize, ToSchema)]
pub struct AgentVerifyData {
    /// Valid, meeting the expectations, and (when consumed) its nullifier unused before.
    pub verified: bool,
    /// `invalid_proof`, `malformed`, `nullifier_used`, `expectation_failed`, `stale_proof`,
    /// `unknown_circuit`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The circuit.
    pub proof_type: String,
    /// `self_declared` for age proofs (`age_proof`, `age_proof_v2`: the holder typed the birth
    /// date, nobody attested it); absent for other proof types.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "self_declared")]
    pub attestation: Option<&'static str>,
    /// `{signal name: decimal}`.
    #[schema(value_type = std::collections::HashMap<String, String>)]
    pub public_inputs: serde_json::Map<String, serde_json::Value>,
    /// The nullifier signal, when the circuit has one.
    pub nullifier: Option<String>,
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
    /// Time spent verifying.
    pub verification_time_ms: f64,
}

fn verdict_note(outcome: &VerifyOutcome) -> String {
    match outcome.reason {
        None => "verified".into(),
        Some(reason) => format!("not verified: {reason}"),
    }
}

/// Verifies one proof (`action: verify_proof`); consumes its nullifier unless told not to.
#[utoipa::path(post, operation_id = "agentVerifyProof", path = "/ai/verify-proof", tag = "ai", request_body = SignedEnvelope,
    params(("X-AI-Signature" = String, Header, description = "Hex HMAC-SHA256 of the canonical envelope")),
    responses((status = 200, description = "`data`: AgentVerifyData", body = AiEnvelope),
              (status = 400, description = "Malformed envelope or parameters", body = AiEnvelope),
              (status = 401, description = "INVALID_SIGNATURE or STALE_REQUEST", body = AiEnvelope),
              (status = 409, description = "REPLAYED_REQUEST", body = AiEnvelope),
              (status = 413, description = "Body larger than 1 MiB", body = AiEnvelope),
              (status = 415, description = "Not Content-Type: application/json", body = AiEnvelope),
              (status = 429, description = "Agent rate limit", body = AiEnvelope),
              (status = 503, description = "Server busy (with `Retry-After`)", body = AiEnvelope)))]
pub async fn verify_proof(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Signed(call, _): Signed<VerifyProofRoute>,
) -> Result<AiReply, ApiError> {
    let params: ProofParams = parameters(call.parameters)?;
    let started = Instant::now();
    let outcome = verify_for_agent(&state.verifier, &params, &call.caller.actor(), Timestamp::now()).await?;
    ctx.note(verdict_note(&outcome));
    AiReply::ok(&AgentVerifyData {
        verified: outcome.verified,
        reason: outcome.reason.map(|r| r.as_str().to_string()),
        public_inputs: outcome.public_inputs(),
        nullifier: outcome.nullifier,
        attestation: attestation(&params.proof_type),
        failed_expectation: outcome.failed_expectation,
        failure_detail: outcome.failure_detail.as_deref().map(str::to_owned),
        credential: match outcome.credential.as_deref() {
            Some(facts) if outcome.verified => Some(credential_facts(&state, facts).await),
            _ => None,
        },
        proof_type: params.proof_type,
        verification_time_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

/// `{proofs: [...]}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchParams {
    proofs: Vec<ProofParams>,
}

/// One verdict of a batch.
#[derive(Serialize, ToSchema)]
pub struct BatchResult {
    /// Position in the request.
    pub index: usize,
    /// As for a single verification.
    pub verified: bool,
    /// Why not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `self_declared` for age proofs; absent for other proof types.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "self_declared")]
    pub attestation: Option<&'static str>,
    /// When the proof failed an expectation: its name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_expectation: Option<&'static str>,
    /// Why, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_detail: Option<String>,
}

/// Counts of a batch.
#[derive(Serialize, ToSchema)]
pub struct BatchSummary {
    /// Proofs sent.
    pub total: usize,
    /// Proofs verified.
    pub verified: usize,
    /// Proofs not verified.
    pub failed: usize,
    /// Time spent verifying the whole batch.
    pub total_time_ms: f64,
}

/// `{results, summary}`.
#[derive(Serialize, ToSchema)]
pub struct BatchData {
    /// One per proof, in request order.
    pub results: Vec<BatchResult>,
    /// Counts.
    pub summary: BatchSummary,
}

/// Verifies 1–100 proofs in one batched check (`action: verify_proofs_batch`).
#[utoipa::path(post, operation_id = "agentVerifyProofsBatch", path = "/ai/verify-proofs-batch", tag = "ai", request_body = SignedEnvelope,
    params(("X-AI-Signature" = String, Header, description = "Hex HMAC-SHA256 of the canonical envelope")),
    responses((status = 200, description = "`data`: BatchData", body = AiEnvelope),
              (status = 400, description = "Malformed envelope or parameters (0 or more than 100 proofs)", body = AiEnvelope),
              (status = 401, description = "INVALID_SIGNATURE or STALE_REQUEST", body = AiEnvelope),
              (status = 409, description = "REPLAYED_REQUEST", body = AiEnvelope),
              (status = 413, description = "Body larger than 1 MiB", body = AiEnvelope),
              (status = 415, description = "Not Content-Type: application/json", body = AiEnvelope),
              (status = 429, description = "Agent rate limit", body = AiEnvelope),
              (status = 503, description = "Server busy (with `Retry-After`)", body = AiEnvelope)))]
pub async fn verify_proofs_batch(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Signed(call, _): Signed<VerifyProofsBatchRoute>,
) -> Result<AiReply, ApiError> {
    let params: BatchParams = parameters(call.parameters)?;
    let started = Instant::now();
    let outcomes =
        verify_many_for_agent(&state.verifier, &params.proofs, &call.caller.actor(), Timestamp::now())
            .await?;
    let results: Vec<BatchResult> = outcomes
        .iter()
        .zip(&params.proofs)
        .enumerate()
        .map(|(index, (o, p))| BatchResult {
            index,
            verified: o.verified,
            reason: o.reason.map(|r| r.as_str().to_string()),
            attestation: attestation(&p.proof_type),
            failed_expectation: o.failed_expectation,
            failure_detail: o.failure_detail.as_deref().map(str::to_owned),
        })
        .collect();
    let verified = results.iter().filter(|r| r.verified).count();
    let summary = BatchSummary {
        total: results.len(),
        verified,
        failed: results.len() - verified,
        total_time_ms: started.elapsed().as_secs_f64() * 1000.0,
    };
    ctx.note(format!("{verified} of {} verified", results.len()));
    AiReply::ok(&BatchData { results, summary })
}
