//! Signed requests: the `X-AI-Signature` header over an envelope
//! `{agent_id, action, parameters, timestamp}` (see `docs/agents.md`), checked by
//! [`Signed`] before a handler runs.

use std::marker::PhantomData;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use honestly_core::agents::{Action, Authenticated};
use honestly_core::audit::Actor;
use honestly_core::error::FieldErrors;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::extract::Ctx;
use crate::json::has_json_content_type;
use crate::state::AppState;

/// The header carrying the request signature.
pub const SIGNATURE_HEADER: &str = "x-ai-signature";

/// A signed request: `{agent_id, action, parameters, timestamp}`.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)] // Documentation only: bodies are parsed byte-exactly by the agents module.
pub struct SignedEnvelope {
    /// A service agent's name, or a delegated agent's `agt_…` id.
    pub agent_id: String,
    /// The route's action word (`verify_proof`, …).
    pub action: String,
    /// The action's parameters.
    #[schema(value_type = crate::openapi::JsonObject)]
    pub parameters: serde_json::Value,
    /// Unix seconds (integer or float), within `AI_SIGNATURE_TOLERANCE` of the server clock.
    pub timestamp: f64,
}

/// Now, in Unix seconds with a fraction (signed timestamps may carry one).
pub fn unix_now() -> f64 {
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
    CreateProofRequestRoute => CreateProofRequest,
);

/// A request whose envelope passed every check for `R::ACTION` (a JSON `Content-Type`, else
/// 415; signature, freshness, action, rate, novelty). The request context names the agent (as claimed, when refused) and, once
/// its signature verified, records it as the audit actor.
pub struct Signed<R>(pub Authenticated, pub PhantomData<R>);

impl<R: SignedRoute> FromRequest<AppState> for Signed<R> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        let Ctx(ctx) = Ctx::of(&parts)?;
        if !has_json_content_type(&parts.headers) {
            return Err(ApiError::unsupported_media_type());
        }
        let signature = parts.headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
        let body =
            Bytes::from_request(Request::from_parts(parts, body), state).await.map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::payload_too_large()
                } else {
                    ApiError::validation("Unreadable request body").with_cause(rejection.body_text())
                }
            })?;
        match state.agents.authenticate(R::ACTION, &body, signature.as_deref(), unix_now()).await {
            Ok(call) => {
                ctx.name_agent(call.caller.agent_id.clone());
                ctx.set_actor(call.caller.actor());
                Ok(Signed(call, PhantomData))
            }
            Err(e) => {
                if let Some(claimed) = e.agent_id() {
                    ctx.name_agent(claimed);
                    if e.signature_verified() {
                        ctx.set_actor(Actor::agent(claimed));
                    }
                }
                Err(e.into())
            }
        }
    }
}

/// The action's parameters as `T`; unknown or missing members are a 400 naming them.
pub fn parameters<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|e| FieldErrors::one("parameters", e.to_string()).into())
}
