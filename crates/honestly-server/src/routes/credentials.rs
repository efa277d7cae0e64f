//! The holder's credentials: my holder commitment (for issuers elsewhere), my credentials
//! (list, read the credential JSON, delete), and import of a credential signed by any issuer.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use honestly_core::ids::CredentialId;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::issuance_views::HeldCredentialView;
use crate::access::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::json::{has_json_content_type, Json};
use crate::no_store::NoStore;
use crate::state::AppState;

/// The holder's credential routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(holder))
        .routes(routes!(list_credentials, import_credential))
        .routes(routes!(get_credential, delete_credential))
}

/// `{holder_commitment}`.
#[derive(Serialize, ToSchema)]
pub struct HolderResponse {
    /// `Poseidon(holderSecret)`, decimal: what an issuer elsewhere names as the credential's
    /// `holder`.
    pub holder_commitment: String,
}

/// `{credentials}`.
#[derive(Serialize, ToSchema)]
pub struct CredentialList {
    /// Newest first (at most 200).
    pub credentials: Vec<HeldCredentialView>,
}

/// `{credential: {…summary}, credential_json}`.
#[derive(Serialize, ToSchema)]
pub struct CredentialResponse {
    /// The summary.
    pub credential: HeldCredentialView,
    /// The credential JSON (schema 1), exactly what `POST /vault/credentials` imports.
    #[schema(value_type = Object)]
    pub credential_json: serde_json::Value,
}

/// The caller's holder commitment.
#[utoipa::path(get, operation_id = "getHolder", path = "/vault/holder", tag = "credentials", security(("bearer" = [])),
    responses((status = 200, description = "The holder commitment", body = HolderResponse),
              (status = 401, description = "Not authenticated", body = ErrorBody)))]
pub async fn holder(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
) -> Result<Json<HolderResponse>, ApiError> {
    let commitment = state.issuance.holder_commitment(&session.user_id).await?;
    Ok(Json(HolderResponse { holder_commitment: honestly_core::credentials::field_decimal(&commitment) }))
}

/// The caller's credentials.
#[utoipa::path(get, operation_id = "listCredentials", path = "/vault/credentials", tag = "credentials", security(("bearer" = [])),
    responses((status = 200, description = "Credentials", body = CredentialList),
              (status = 401, description = "Not authenticated", body = ErrorBody)))]
pub async fn list_credentials(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
) -> Result<Json<CredentialList>, ApiError> {
    let views = state.issuance.my_credentials(&session.user_id).await?;
    Ok(Json(CredentialList { credentials: views.iter().map(Into::into).collect() }))
}

/// Imports a credential JSON signed by any issuer key: the signature must verify, `holder`
/// must be the caller's commitment and `documentHash` one of the caller's documents.
#[utoipa::path(post, operation_id = "importCredential", path = "/vault/credentials", tag = "credentials", security(("bearer" = [])),
    request_body(content = Object, description = "The credential JSON (schema 1)", content_type = "application/json"),
    responses((status = 201, description = "Imported", body = CredentialResponse),
              (status = 400, description = "Not a valid credential", body = ErrorBody),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 409, description = "Already kept, or too many credentials", body = ErrorBody),
              (status = 415, description = "Not Content-Type: application/json", body = ErrorBody),
              (status = 422, description = "Signature, holder or document refused", body = ErrorBody)))]
pub async fn import_credential(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, NoStore<Json<CredentialResponse>>), ApiError> {
    if !has_json_content_type(&headers) {
        return Err(ApiError::unsupported_media_type());
    }
    let view = state.issuance.import_credential(&session.user_id, &body).await?;
    tracing::info!(credential_id = %view.record.id, "credential imported");
    let credential_json = serde_json::to_value(&view.credential).map_err(ApiError::internal)?;
    Ok((
        StatusCode::CREATED,
        NoStore(Json(CredentialResponse { credential: (&view).into(), credential_json })),
    ))
}

/// One of the caller's credentials, with its credential JSON (to export it).
#[utoipa::path(get, operation_id = "getCredential", path = "/vault/credentials/{id}", tag = "credentials", security(("bearer" = [])),
    params(("id" = String, Path, description = "`crd_…`")),
    responses((status = 200, description = "The credential", body = CredentialResponse),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 404, description = "Not found (or not yours)", body = ErrorBody)))]
pub async fn get_credential(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
    Path(id): Path<CredentialId>,
) -> Result<NoStore<Json<CredentialResponse>>, ApiError> {
    let view = state.issuance.my_credential(&session.user_id, &id).await?;
    let credential_json = serde_json::to_value(&view.credential).map_err(ApiError::internal)?;
    Ok(NoStore(Json(CredentialResponse { credential: (&view).into(), credential_json })))
}

/// Deletes one of the caller's credentials (its issuer can still revoke it).
#[utoipa::path(delete, operation_id = "deleteCredential", path = "/vault/credentials/{id}", tag = "credentials", security(("bearer" = [])),
    params(("id" = String, Path, description = "`crd_…`")),
    responses((status = 204, description = "Deleted"),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 404, description = "Not found (or not yours)", body = ErrorBody)))]
pub async fn delete_credential(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
    Path(id): Path<CredentialId>,
) -> Result<StatusCode, ApiError> {
    state.issuance.delete_credential(&session.user_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
