//! The holder's credential requests: ask an issuer to attest one of my documents, follow the
//! answer, withdraw while pending.

use axum::extract::State;
use axum::http::StatusCode;
use honestly_core::ids::{CredentialRequestId, DocumentId, IssuerId};
use honestly_core::issuance::requests::RequestedClaims;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::issuance_views::CredentialRequestView;
use crate::access::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::json::Json;
use crate::state::AppState;

/// The holder's credential-request routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(create_request))
        .routes(routes!(list_requests))
        .routes(routes!(get_request, withdraw_request))
}

/// What to ask.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCredentialRequest {
    /// The issuer to ask (`iss_…`).
    pub issuer_id: String,
    /// The claims to attest.
    #[schema(value_type = ClaimsInput)]
    pub claims: RequestedClaims,
}

/// The claims a holder asks an issuer to attest.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ClaimsInput {
    /// `YYYY-MM-DD`, not in the future.
    birth_date: String,
    /// ISO 3166-1 alpha-3 (`"DEU"`), alpha-2 or numeric (`276`); 0 not stated.
    #[schema(value_type = serde_json::Value)]
    nationality: String,
    /// `YYYY-MM-DD`, not in the past; null when the document has none.
    document_expiry: Option<String>,
}

/// `{request}`.
#[derive(Serialize, ToSchema)]
pub struct CredentialRequestResponse {
    /// The request.
    pub request: CredentialRequestView,
}

/// `{requests}`.
#[derive(Serialize, ToSchema)]
pub struct CredentialRequestList {
    /// Newest first (at most 200).
    pub requests: Vec<CredentialRequestView>,
}

/// Asks an issuer to attest one of the caller's documents.
#[utoipa::path(post, operation_id = "createCredentialRequest", path = "/vault/documents/{id}/credential-requests", tag = "credentials", security(("bearer" = [])),
    params(("id" = String, Path, description = "`doc_…`")), request_body = CreateCredentialRequest,
    responses((status = 201, description = "Pending", body = CredentialRequestResponse),
              (status = 400, description = "Invalid claims or unknown issuer", body = ErrorBody),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 413, description = "Body larger than 1 MiB", body = ErrorBody),
              (status = 415, description = "Not Content-Type: application/json", body = ErrorBody),
              (status = 404, description = "Document not found (or not yours)", body = ErrorBody),
              (status = 409, description = "Too many pending requests", body = ErrorBody)))]
pub async fn create_request(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
    Path(id): Path<DocumentId>,
    Json(body): Json<CreateCredentialRequest>,
) -> Result<(StatusCode, Json<CredentialRequestResponse>), ApiError> {
    let issuer_id = IssuerId::parse(&body.issuer_id)
        .map_err(|e| honestly_core::error::FieldErrors::one("issuer_id", e.to_string()))?;
    let view = state.issuance.request_credential(&session.user_id, &id, &issuer_id, body.claims).await?;
    tracing::info!(request_id = %view.record.id, issuer_id = %issuer_id, "credential requested");
    Ok((StatusCode::CREATED, Json(CredentialRequestResponse { request: (&view).into() })))
}

/// The caller's credential requests.
#[utoipa::path(get, operation_id = "listCredentialRequests", path = "/vault/credential-requests", tag = "credentials", security(("bearer" = [])),
    responses((status = 200, description = "Requests", body = CredentialRequestList),
              (status = 401, description = "Not authenticated", body = ErrorBody)))]
pub async fn list_requests(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
) -> Result<Json<CredentialRequestList>, ApiError> {
    let views = state.issuance.my_requests(&session.user_id).await?;
    Ok(Json(CredentialRequestList { requests: views.iter().map(Into::into).collect() }))
}

/// One of the caller's credential requests.
#[utoipa::path(get, operation_id = "getCredentialRequest", path = "/vault/credential-requests/{id}", tag = "credentials", security(("bearer" = [])),
    params(("id" = String, Path, description = "`crq_…`")),
    responses((status = 200, description = "The request", body = CredentialRequestResponse),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 404, description = "Not found (or not yours)", body = ErrorBody)))]
pub async fn get_request(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
    Path(id): Path<CredentialRequestId>,
) -> Result<Json<CredentialRequestResponse>, ApiError> {
    let view = state.issuance.my_request(&session.user_id, &id).await?;
    Ok(Json(CredentialRequestResponse { request: (&view).into() }))
}

/// Withdraws a pending request.
#[utoipa::path(delete, operation_id = "withdrawCredentialRequest", path = "/vault/credential-requests/{id}", tag = "credentials", security(("bearer" = [])),
    params(("id" = String, Path, description = "`crq_…`")),
    responses((status = 200, description = "Withdrawn", body = CredentialRequestResponse),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 404, description = "Not found (or not yours)", body = ErrorBody),
              (status = 409, description = "No longer pending", body = ErrorBody)))]
pub async fn withdraw_request(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
    Path(id): Path<CredentialRequestId>,
) -> Result<Json<CredentialRequestResponse>, ApiError> {
    let view = state.issuance.withdraw_request(&session.user_id, &id).await?;
    Ok(Json(CredentialRequestResponse { request: (&view).into() }))
}
