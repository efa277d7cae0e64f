//! `/ai`: the signed AI-agent API (verify proofs, batches, document hashes, share links) and
//! its unsigned health check. Answers are plain JSON here; `ai::envelope` wraps them.

use std::marker::PhantomData;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use honestly_core::agents::{
    verify_for_agent, verify_many_for_agent, Action, AgentCaller, Authenticated, ProofParams,
};
use honestly_core::documents::DocumentMeta;
use honestly_core::zk::VerifyOutcome;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ai::{tag_agent, AuditNote};
use crate::error::ApiError;
use crate::json::Json;
use crate::middleware::audit::ActorSlot;
use crate::routes::links::{create_link_for, CreateLink};
use crate::routes::monitoring::{health_status, run_checks, CheckResult};
use crate::state::AppState;

/// The header carrying the request signature.
pub const SIGNATURE_HEADER: &str = "x-ai-signature";

/// The envelope every `/ai/*` answer is wrapped in.
#[derive(Serialize, ToSchema)]
pub struct AiEnvelope {
    /// Whether the call succeeded (2xx).
    pub success: bool,
    /// The answer's data on success.
    #[schema(value_type = Option<Object>)]
    pub data: Option<serde_json::Value>,
    /// The error (`{code, message, error_id, fields?}`) otherwise.
    #[schema(value_type = Option<Object>)]
    pub error: Option<serde_json::Value>,
    /// `{request_id, timestamp, agent_id}`.
    #[schema(value_type = Object)]
    pub metadata: serde_json::Value,
}

/// A signed request: `{agent_id, action, parameters, timestamp}`.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)] // Documentation only: bodies are parsed byte-exactly by the agents module.
pub struct SignedEnvelope {
    /// A service agent's name, or a delegated agent's `agt_…` id.
    pub agent_id: String,
    /// The route's action word (`verify_proof`, …).
    pub action: String,
    /// The action's parameters.
    #[schema(value_type = Object)]
    pub parameters: serde_json::Value,
    /// Unix seconds (integer or float), within `AI_SIGNATURE_TOLERANCE` of the server clock.
    pub timestamp: f64,
}

fn unix_now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

/// The action a signed route accepts.
pub trait SignedRoute {
    /// The envelope's required `action`.
    const ACTION: Action;
}

macro_rules! signed_routes {
    ($($route:ident => $action:ident),* $(,)?) => {$(
        #[doc = concat!("Marker of the route whose action is `", stringify!($action), "`.")]
        pub struct $route;
        impl SignedRoute for $route {
            const ACTION: Action = Action::$action;
        }
    )*};
}

signed_routes!(
    VerifyProofRoute => VerifyProof,
    VerifyProofsBatchRoute => VerifyProofsBatch,
    GetDocumentHashRoute => GetDocumentHash,
    CreateShareLinkRoute => CreateShareLink,
);

/// A request whose envelope passed every check for `R::ACTION` (signature, freshness, action,
/// rate, novelty); the agent is recorded as the audit actor. Refusals are answers already
/// tagged with the (claimed) agent.
pub struct Signed<R>(pub Authenticated, PhantomData<R>);

impl<R: SignedRoute> FromRequest<AppState> for Signed<R> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let slot = req.extensions().get::<ActorSlot>().cloned();
        let signature = req.headers().get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
        let body = Bytes::from_request(req, state).await.map_err(IntoResponse::into_response)?;
        match state.agents.authenticate(R::ACTION, &body, signature.as_deref(), unix_now()).await {
            Ok(call) => {
                if let Some(slot) = slot {
                    slot.set(call.caller.actor());
                }
                Ok(Signed(call, PhantomData))
            }
            Err(e) => {
                let claimed = e.agent_id().map(str::to_string);
                if let (Some(slot), Some(agent_id), true) = (slot, &claimed, e.signature_verified()) {
                    slot.set(format!("agent:{agent_id}"));
                }
                Err(tag_agent(claimed.as_deref(), ApiError::from(e)))
            }
        }
    }
}

/// Parameters that do not fit the action (the serde message, which names the member).
struct BadParameters(String);

impl From<BadParameters> for ApiError {
    fn from(e: BadParameters) -> Self {
        ApiError::validation_fields([("parameters".to_string(), e.0)].into_iter().collect())
    }
}

/// The action's parameters as `T`; unknown or missing members are a 400.
fn parameters<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, BadParameters> {
    serde_json::from_value(value).map_err(|e| BadParameters(e.to_string()))
}

fn reply(caller: &AgentCaller, result: Result<Response, ApiError>) -> Response {
    tag_agent(Some(&caller.agent_id), result.unwrap_or_else(IntoResponse::into_response))
}

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
    /// `{signal name: decimal}`.
    #[schema(value_type = Object)]
    pub public_inputs: serde_json::Map<String, serde_json::Value>,
    /// The nullifier signal, when the circuit has one.
    pub nullifier: Option<String>,
    /// Time spent verifying.
    pub verification_time_ms: f64,
}

fn verdict_note(outcome: &VerifyOutcome) -> AuditNote {
    AuditNote(match outcome.reason {
        None => "verified".into(),
        Some(reason) => format!("not verified: {}", reason.as_str()),
    })
}

/// Verifies one proof (`action: verify_proof`); consumes its nullifier unless told not to.
#[utoipa::path(post, path = "/ai/verify-proof", tag = "ai", request_body = SignedEnvelope,
    params(("X-AI-Signature" = String, Header, description = "Hex HMAC-SHA256 of the canonical envelope")),
    responses((status = 200, description = "`data`: AgentVerifyData", body = AiEnvelope),
              (status = 400, description = "Malformed envelope or parameters", body = AiEnvelope),
              (status = 401, description = "INVALID_SIGNATURE or STALE_REQUEST", body = AiEnvelope),
              (status = 409, description = "REPLAYED_REQUEST", body = AiEnvelope),
              (status = 413, description = "Body larger than 1 MiB", body = AiEnvelope),
              (status = 429, description = "Agent rate limit", body = AiEnvelope)))]
pub async fn verify_proof(
    State(state): State<AppState>,
    Signed(call, _): Signed<VerifyProofRoute>,
) -> Response {
    let result = async {
        let params: ProofParams = parameters(call.parameters)?;
        let started = Instant::now();
        let now = unix_now() as u64;
        let outcome = verify_for_agent(
            &state.zk,
            &state.registry,
            state.store.as_ref(),
            &params,
            &call.caller.actor(),
            now,
        )
        .await?;
        let note = verdict_note(&outcome);
        let data = AgentVerifyData {
            verified: outcome.verified,
            reason: outcome.reason.map(|r| r.as_str().to_string()),
            public_inputs: outcome.public_inputs(),
            nullifier: outcome.nullifier,
            proof_type: params.proof_type,
            verification_time_ms: started.elapsed().as_secs_f64() * 1000.0,
        };
        Ok((Extension(note), Json(data)).into_response())
    }
    .await;
    reply(&call.caller, result)
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
#[utoipa::path(post, path = "/ai/verify-proofs-batch", tag = "ai", request_body = SignedEnvelope,
    params(("X-AI-Signature" = String, Header, description = "Hex HMAC-SHA256 of the canonical envelope")),
    responses((status = 200, description = "`data`: BatchData", body = AiEnvelope),
              (status = 400, description = "Malformed envelope or parameters (0 or more than 100 proofs)", body = AiEnvelope),
              (status = 401, description = "INVALID_SIGNATURE or STALE_REQUEST", body = AiEnvelope),
              (status = 409, description = "REPLAYED_REQUEST", body = AiEnvelope),
              (status = 413, description = "Body larger than 1 MiB", body = AiEnvelope),
              (status = 429, description = "Agent rate limit", body = AiEnvelope)))]
pub async fn verify_proofs_batch(
    State(state): State<AppState>,
    Signed(call, _): Signed<VerifyProofsBatchRoute>,
) -> Response {
    let result = async {
        let params: BatchParams = parameters(call.parameters)?;
        let started = Instant::now();
        let outcomes = verify_many_for_agent(
            &state.zk,
            &state.registry,
            state.store.as_ref(),
            &params.proofs,
            &call.caller.actor(),
            unix_now() as u64,
        )
        .await?;
        let results: Vec<BatchResult> = outcomes
            .iter()
            .enumerate()
            .map(|(index, o)| BatchResult {
                index,
                verified: o.verified,
                reason: o.reason.map(|r| r.as_str().to_string()),
            })
            .collect();
        let verified = results.iter().filter(|r| r.verified).count();
        let summary = BatchSummary {
            total: results.len(),
            verified,
            failed: results.len() - verified,
            total_time_ms: started.elapsed().as_secs_f64() * 1000.0,
        };
        let note = AuditNote(format!("{verified} of {} verified", results.len()));
        Ok((Extension(note), Json(BatchData { results, summary })).into_response())
    }
    .await;
    reply(&call.caller, result)
}

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
    let own = caller.user_id() == Some(meta.user_id.as_str());
    DocumentHashData {
        document_id: own.then_some(meta.id),
        sha256: meta.sha256,
        document_type: meta.document_type.as_str().to_string(),
        created_at: meta.created_at,
        registered: true,
    }
}

async fn document_hash(
    state: &AppState,
    caller: &AgentCaller,
    params: HashParams,
) -> Result<Response, ApiError> {
    let meta = match (params.document_id, params.document_sha256) {
        (Some(id), None) => {
            let user_id = caller.user_id().ok_or_else(ApiError::forbidden)?;
            state.documents.get(user_id, &id).await?
        }
        (None, Some(sha256)) => {
            let sha256 = sha256.trim().to_ascii_lowercase();
            if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(ApiError::validation_fields(
                    [("document_sha256".to_string(), "64 hex digits".to_string())].into_iter().collect(),
                ));
            }
            state.store.document_by_sha256(&sha256).await?.ok_or_else(ApiError::not_found)?
        }
        _ => {
            return Err(ApiError::validation_fields(
                [("parameters".to_string(), "send either document_id or document_sha256".to_string())]
                    .into_iter()
                    .collect(),
            ))
        }
    };
    Ok(Json(hash_data(meta, caller)).into_response())
}

/// Looks a registered document up by id (delegated agents, own user's documents) or by
/// SHA-256 (any agent) (`action: get_document_hash`).
#[utoipa::path(post, path = "/ai/get-document-hash", tag = "ai", request_body = SignedEnvelope,
    params(("X-AI-Signature" = String, Header, description = "Hex HMAC-SHA256 of the canonical envelope")),
    responses((status = 200, description = "`data`: DocumentHashData", body = AiEnvelope),
              (status = 400, description = "Malformed envelope or parameters", body = AiEnvelope),
              (status = 401, description = "INVALID_SIGNATURE or STALE_REQUEST", body = AiEnvelope),
              (status = 403, description = "A service agent asked by id", body = AiEnvelope),
              (status = 404, description = "Not registered (or not this agent's user's)", body = AiEnvelope),
              (status = 409, description = "REPLAYED_REQUEST", body = AiEnvelope),
              (status = 413, description = "Body larger than 1 MiB", body = AiEnvelope),
              (status = 429, description = "Agent rate limit", body = AiEnvelope)))]
pub async fn get_document_hash(
    State(state): State<AppState>,
    Signed(call, _): Signed<GetDocumentHashRoute>,
) -> Response {
    let result = match parameters::<HashParams>(call.parameters) {
        Ok(params) => document_hash(&state, &call.caller, params).await,
        Err(e) => Err(e.into()),
    };
    reply(&call.caller, result)
}

/// Creates a share link for the delegated agent's user (`action: create_share_link`);
/// parameters as `POST /vault/share-links`.
#[utoipa::path(post, path = "/ai/create-share-link", tag = "ai", request_body = SignedEnvelope,
    params(("X-AI-Signature" = String, Header, description = "Hex HMAC-SHA256 of the canonical envelope")),
    responses((status = 201, description = "`data`: {link}", body = AiEnvelope),
              (status = 400, description = "Malformed envelope or parameters", body = AiEnvelope),
              (status = 401, description = "INVALID_SIGNATURE or STALE_REQUEST", body = AiEnvelope),
              (status = 403, description = "Service agents cannot create links", body = AiEnvelope),
              (status = 404, description = "Document or proof not found (or not this agent's user's)", body = AiEnvelope),
              (status = 409, description = "REPLAYED_REQUEST", body = AiEnvelope),
              (status = 413, description = "Body larger than 1 MiB", body = AiEnvelope),
              (status = 429, description = "Agent rate limit", body = AiEnvelope)))]
pub async fn create_share_link(
    State(state): State<AppState>,
    Signed(call, _): Signed<CreateShareLinkRoute>,
) -> Response {
    let result = async {
        let user_id = call.caller.user_id().ok_or_else(ApiError::forbidden)?;
        let params: CreateLink = parameters(call.parameters.clone())?;
        let link = create_link_for(&state, user_id, params).await?;
        Ok((StatusCode::CREATED, Json(link)).into_response())
    }
    .await;
    reply(&call.caller, result)
}

/// `{status, services}`.
#[derive(Serialize, ToSchema)]
pub struct AiHealthData {
    /// `healthy`, `degraded` or `unhealthy`.
    pub status: String,
    /// Each dependency's result.
    pub services: std::collections::BTreeMap<String, CheckResult>,
}

/// Health of what the agent API depends on (no signature needed).
#[utoipa::path(get, path = "/ai/health", tag = "ai",
    responses((status = 200, description = "`data`: AiHealthData", body = AiEnvelope),
              (status = 503, description = "Unhealthy", body = AiEnvelope)))]
pub async fn health(State(state): State<AppState>) -> Response {
    let services = run_checks(&state).await;
    let (status, healthy) = health_status(&services);
    if healthy {
        Json(AiHealthData { status: status.to_string(), services }).into_response()
    } else {
        ApiError::unavailable(format!("Agent API {status}")).into_response()
    }
}
