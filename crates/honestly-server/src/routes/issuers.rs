//! Issuers: administrators create them (each with a signing key made here and sealed under the
//! master key) and name their members; anyone lists them, and
//! `/.well-known/honestly-issuers.json` publishes every issuer's key with its current signed
//! revocation state.

use axum::extract::State;
use axum::http::StatusCode;
use honestly_core::ids::{IssuerId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::issuance_views::{IssuerView, PublicKeyView};
use crate::access::{Admin, RequireRole};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::json::Json;
use crate::state::AppState;

/// The issuer routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(create_issuer, list_issuers))
        .routes(routes!(add_member))
        .routes(routes!(well_known_issuers))
}

/// A new issuer.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateIssuer {
    /// 1–128 characters, unique on this server.
    pub name: String,
}

/// `{issuer}`.
#[derive(Serialize, ToSchema)]
pub struct IssuerResponse {
    /// The issuer.
    pub issuer: IssuerView,
}

/// `{issuers}`.
#[derive(Serialize, ToSchema)]
pub struct IssuerList {
    /// Oldest first (at most 1000).
    pub issuers: Vec<IssuerView>,
}

/// A user to make a member.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMember {
    /// `usr_…`.
    pub user_id: String,
}

/// An issuer's signed revocation state: the root of its revocation tree, when it was signed,
/// and its EdDSA-Poseidon signature over `Poseidon(tag, root, issued_at)`.
#[derive(Serialize, ToSchema)]
pub struct RevocationStateView {
    /// The root, decimal.
    pub root: String,
    /// Unix seconds.
    pub issued_at: u64,
    /// `{R8x, R8y, S}`, decimals.
    #[schema(value_type = std::collections::HashMap<String, String>)]
    pub signature: serde_json::Value,
}

/// One issuer as published for verifiers.
#[derive(Serialize, ToSchema)]
pub struct PublishedIssuer {
    /// `iss_…`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its key.
    pub public_key: PublicKeyView,
    /// Its current signed revocation state (re-signed at least every five minutes).
    pub revocation_state: RevocationStateView,
}

/// `{issuers}` with keys and revocation states.
#[derive(Serialize, ToSchema)]
pub struct PublishedIssuers {
    /// Every issuer hosted here.
    pub issuers: Vec<PublishedIssuer>,
}

/// Creates an issuer with a fresh signing key (administrators).
#[utoipa::path(post, operation_id = "createIssuer", path = "/issuers", tag = "issuers", security(("bearer" = [])),
    request_body = CreateIssuer,
    responses((status = 201, description = "Created", body = IssuerResponse),
              (status = 400, description = "Invalid name", body = ErrorBody),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 413, description = "Body larger than 1 MiB", body = ErrorBody),
              (status = 415, description = "Not Content-Type: application/json", body = ErrorBody),
              (status = 403, description = "Not an administrator", body = ErrorBody),
              (status = 409, description = "The name is taken", body = ErrorBody)))]
pub async fn create_issuer(
    State(state): State<AppState>,
    _admin: RequireRole<Admin>,
    Json(body): Json<CreateIssuer>,
) -> Result<(StatusCode, Json<IssuerResponse>), ApiError> {
    let issuer = state.issuance.create_issuer(&body.name).await?;
    tracing::info!(issuer_id = %issuer.id, "issuer created");
    Ok((StatusCode::CREATED, Json(IssuerResponse { issuer: (&issuer).into() })))
}

/// Every issuer hosted here (public).
#[utoipa::path(get, operation_id = "listIssuers", path = "/issuers", tag = "issuers",
    responses((status = 200, description = "Issuers", body = IssuerList)))]
pub async fn list_issuers(State(state): State<AppState>) -> Result<Json<IssuerList>, ApiError> {
    let issuers = state.issuance.issuers().await?;
    Ok(Json(IssuerList { issuers: issuers.iter().map(Into::into).collect() }))
}

/// Makes a user a member of an issuer: role `issuer`, acting for this issuer; their sessions
/// end (administrators).
#[utoipa::path(post, operation_id = "addIssuerMember", path = "/issuers/{id}/members", tag = "issuers", security(("bearer" = [])),
    params(("id" = String, Path, description = "`iss_…`")), request_body = AddMember,
    responses((status = 204, description = "The user acts for this issuer"),
              (status = 400, description = "Invalid user id", body = ErrorBody),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 413, description = "Body larger than 1 MiB", body = ErrorBody),
              (status = 415, description = "Not Content-Type: application/json", body = ErrorBody),
              (status = 403, description = "Not an administrator", body = ErrorBody),
              (status = 404, description = "No such issuer or user", body = ErrorBody),
              (status = 409, description = "The user is the last enabled administrator", body = ErrorBody)))]
pub async fn add_member(
    State(state): State<AppState>,
    _admin: RequireRole<Admin>,
    Path(id): Path<IssuerId>,
    Json(body): Json<AddMember>,
) -> Result<StatusCode, ApiError> {
    let user_id = UserId::parse(&body.user_id)
        .map_err(|e| honestly_core::error::FieldErrors::one("user_id", e.to_string()))?;
    state.issuance.add_member(&id, &user_id).await?;
    tracing::info!(issuer_id = %id, user_id = %user_id, "issuer member added");
    Ok(StatusCode::NO_CONTENT)
}

/// Every issuer's key and current signed revocation state, for verifiers.
#[utoipa::path(get, operation_id = "getPublishedIssuers", path = "/.well-known/honestly-issuers.json", tag = "issuers",
    responses((status = 200, description = "Issuers with their revocation states", body = PublishedIssuers)))]
pub async fn well_known_issuers(State(state): State<AppState>) -> Result<Json<PublishedIssuers>, ApiError> {
    let mut published = Vec::new();
    for issuer in state.issuance.issuers().await? {
        let revocations = state.issuance.revocations(&issuer).await?;
        let signed = serde_json::to_value(&revocations.state).map_err(ApiError::internal)?;
        published.push(PublishedIssuer {
            id: issuer.id.to_string(),
            name: issuer.name.clone(),
            public_key: (&issuer.public_key).into(),
            revocation_state: RevocationStateView {
                root: signed["root"].as_str().unwrap_or_default().to_owned(),
                issued_at: revocations.state.state.issued_at,
                signature: signed["signature"].clone(),
            },
        });
    }
    Ok(Json(PublishedIssuers { issuers: published }))
}
