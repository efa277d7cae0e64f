//! `GET /verifier/requests/{id}/deliveries`: the webhook deliveries of one of the caller's
//! proof requests, with every attempt.

use axum::extract::State;
use honestly_core::ids::ProofRequestId;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::{RequireRole, VerifierOrAdmin};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::json::Json;
use crate::state::AppState;

/// The route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(request_deliveries))
}

/// `{deliveries}`.
#[derive(Serialize, ToSchema)]
pub struct DeliveryList {
    /// One per event (`proof_request.completed`, `.declined`, `.expired`), oldest first:
    /// `{id (the webhook-id), type, url, status: pending | delivered | failed, created_at,
    /// next_attempt_at, finished_at, attempts: [{attempt, at, status_code?, error?,
    /// duration_ms}]}`.
    #[schema(value_type = Vec<Object>)]
    pub deliveries: Vec<honestly_core::webhooks::DeliveryView>,
}

/// The webhook deliveries of one of the caller's requests (empty without a callback URL).
#[utoipa::path(get, operation_id = "listProofRequestDeliveries", path = "/verifier/requests/{id}/deliveries", tag = "verifier", security(("bearer" = [])),
    params(("id" = String, Path, description = "`req_…`")),
    responses((status = 200, description = "The deliveries and their attempts", body = DeliveryList),
              (status = 400, description = "Not a request id", body = ErrorBody),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 403, description = "Only verifiers and administrators", body = ErrorBody),
              (status = 404, description = "Not found (or not yours)", body = ErrorBody)))]
pub async fn request_deliveries(
    State(state): State<AppState>,
    verifier: RequireRole<VerifierOrAdmin>,
    Path(id): Path<ProofRequestId>,
) -> Result<Json<DeliveryList>, ApiError> {
    let owner = verifier.0.user_id;
    // 404 for a request that is not the caller's, before any delivery is read.
    state.proof_requests.get(&owner, &id).await?;
    let deliveries = state.webhooks.deliveries_for_subject(&owner, id.as_str()).await?;
    Ok(Json(DeliveryList { deliveries }))
}
