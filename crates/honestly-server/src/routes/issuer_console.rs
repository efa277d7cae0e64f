//! The issuer's members at work: the queue of requests to their issuer, one request with the
//! document it is about (seen through that request only, and audited), approval (the
//! credential is signed and stored for the holder) or rejection, the credentials issued, and
//! revocation.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use honestly_core::clock::Timestamp;
use honestly_core::ids::{CredentialId, CredentialRequestId};
use honestly_core::issuance::requests::Approval;
use honestly_core::issuance::RequestStatus;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::documents::attachment;
use super::issuance_views::{CredentialRequestView, IssuedCredentialView, IssuerView};
use crate::access::{IssuerMember, RequireRole};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Ctx, Path, Query};
use crate::json::Json;
use crate::no_store::NoStore;
use crate::state::AppState;

/// The issuer console routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(queue))
        .routes(routes!(review))
        .routes(routes!(review_document))
        .routes(routes!(approve))
        .routes(routes!(reject))
        .routes(routes!(issued))
        .routes(routes!(revoke))
}

/// Which requests to list.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    /// `pending` (default), `approved`, `rejected`, `withdrawn` or `all`.
    pub status: Option<String>,
    /// RFC 3339: only requests made before this (the previous page's last `created_at`).
    pub before: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<u32>,
}

/// `{issuer, requests}`.
#[derive(Serialize, ToSchema)]
pub struct ReviewQueue {
    /// The issuer the caller acts for.
    pub issuer: IssuerView,
    /// Newest first.
    pub requests: Vec<CredentialRequestView>,
}

/// The document a request is about, as its reviewer sees it.
#[derive(Serialize, ToSchema)]
pub struct ReviewedDocument {
    /// File name.
    pub file_name: String,
    /// Media type.
    pub mime_type: String,
    /// Bytes.
    pub size_bytes: u64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    /// `identity`, `license`, `financial`, `credential` or `other`.
    pub document_type: String,
    /// Where its content is (this request's reviewers only, while the request is pending).
    pub content_url: String,
}

/// `{request, document}`.
#[derive(Serialize, ToSchema)]
pub struct ReviewResponse {
    /// The request.
    pub request: CredentialRequestView,
    /// Its document, while the holder keeps it.
    pub document: Option<ReviewedDocument>,
}

/// `{request, credential}`.
#[derive(Serialize, ToSchema)]
pub struct ApprovalResponse {
    /// The request, approved.
    pub request: CredentialRequestView,
    /// The signed credential JSON (schema 1), as stored for the holder.
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
}

/// A rejection.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    /// Shown to the holder; 1–500 characters.
    pub reason: String,
}

/// An approval's corrections.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalBody {
    /// Replaces the requested claims when given.
    #[schema(value_type = Option<super::credential_requests::ClaimsInput>)]
    pub claims: Option<honestly_core::issuance::requests::RequestedClaims>,
    /// `YYYY-MM-DD` after today; one year after issue when not given.
    #[schema(value_type = Option<String>)]
    pub valid_until: Option<honestly_core::credentials::CalendarDate>,
}

/// `{request}`.
#[derive(Serialize, ToSchema)]
pub struct DecidedResponse {
    /// The request.
    pub request: CredentialRequestView,
}

/// `{credentials}`.
#[derive(Serialize, ToSchema)]
pub struct IssuedList {
    /// Newest first.
    pub credentials: Vec<IssuedCredentialView>,
}

/// Paging of the issued list.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct IssuedQuery {
    /// RFC 3339: only credentials issued before this.
    pub before: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<u32>,
}

fn before(raw: Option<&str>) -> Result<Option<Timestamp>, ApiError> {
    raw.map(|b| {
        Timestamp::parse_rfc3339(b)
            .map_err(|_| honestly_core::error::FieldErrors::one("before", "must be an RFC 3339 time").into())
    })
    .transpose()
}

/// The requests to the caller's issuer.
#[utoipa::path(get, operation_id = "listIssuerRequests", path = "/issuer/requests", tag = "issuer", security(("bearer" = [])),
    params(QueueQuery),
    responses((status = 200, description = "Requests", body = ReviewQueue),
              (status = 400, description = "Invalid query", body = ErrorBody),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 403, description = "Not an issuer member", body = ErrorBody)))]
pub async fn queue(
    State(state): State<AppState>,
    member: RequireRole<IssuerMember>,
    Query(query): Query<QueueQuery>,
) -> Result<Json<ReviewQueue>, ApiError> {
    let status = match query.status.as_deref().unwrap_or("pending") {
        "all" => None,
        raw => Some(RequestStatus::parse(raw).ok_or_else(|| {
            honestly_core::error::FieldErrors::one("status", "pending, approved, rejected, withdrawn or all")
        })?),
    };
    let before = before(query.before.as_deref())?;
    let (issuer, views) =
        state.issuance.review_queue(&member.0.user_id, status, before, query.limit.unwrap_or(50)).await?;
    Ok(Json(ReviewQueue { issuer: (&issuer).into(), requests: views.iter().map(Into::into).collect() }))
}

/// One request to the caller's issuer, with its document.
#[utoipa::path(get, operation_id = "getIssuerRequest", path = "/issuer/requests/{id}", tag = "issuer", security(("bearer" = [])),
    params(("id" = String, Path, description = "`crq_…`")),
    responses((status = 200, description = "The request", body = ReviewResponse),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 403, description = "Not an issuer member", body = ErrorBody),
              (status = 404, description = "Not found (or another issuer's)", body = ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    member: RequireRole<IssuerMember>,
    Ctx(ctx): Ctx,
    Path(id): Path<CredentialRequestId>,
) -> Result<NoStore<Json<ReviewResponse>>, ApiError> {
    let review = state.issuance.review(&member.0.user_id, &id).await?;
    ctx.note(format!("reviewed {} of {}", review.request.record.id, review.request.record.holder));
    let document = review.document.as_ref().map(|d| ReviewedDocument {
        file_name: d.file_name.clone(),
        mime_type: d.mime_type.clone(),
        size_bytes: d.size_bytes,
        sha256: d.sha256.clone(),
        document_type: d.document_type.as_str().into(),
        content_url: format!("/issuer/requests/{id}/document"),
    });
    Ok(NoStore(Json(ReviewResponse { request: (&review.request).into(), document })))
}

/// The content of a pending request's document (its reviewers only).
#[utoipa::path(get, operation_id = "getIssuerRequestDocument", path = "/issuer/requests/{id}/document", tag = "issuer", security(("bearer" = [])),
    params(("id" = String, Path, description = "`crq_…`")),
    responses((status = 200, description = "The document's bytes, as its own media type", content_type = "*/*", body = crate::openapi::Binary),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 403, description = "Not an issuer member", body = ErrorBody),
              (status = 404, description = "Not found, another issuer's, no longer pending, or the document is gone", body = ErrorBody)))]
pub async fn review_document(
    State(state): State<AppState>,
    member: RequireRole<IssuerMember>,
    Ctx(ctx): Ctx,
    Path(id): Path<CredentialRequestId>,
) -> Result<Response, ApiError> {
    let review = state.issuance.review(&member.0.user_id, &id).await?;
    let record = &review.request.record;
    if record.status != RequestStatus::Pending {
        return Err(ApiError::not_found());
    }
    let (meta, bytes) = state.documents.content(&record.holder, &record.document_id).await?;
    ctx.note(format!("read document {} of {} through {}", record.document_id, record.holder, record.id));
    Ok(attachment(&meta, bytes))
}

/// Approves a pending request: the credential is signed with the issuer's key and stored for
/// the holder. Approving twice, or after the holder withdrew or deleted the document, is 409.
#[utoipa::path(post, operation_id = "approveIssuerRequest", path = "/issuer/requests/{id}/approve", tag = "issuer", security(("bearer" = [])),
    params(("id" = String, Path, description = "`crq_…`")), request_body = ApprovalBody,
    responses((status = 200, description = "Approved; the credential", body = ApprovalResponse),
              (status = 400, description = "Invalid corrections", body = ErrorBody),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 413, description = "Body larger than 1 MiB", body = ErrorBody),
              (status = 415, description = "Not Content-Type: application/json", body = ErrorBody),
              (status = 403, description = "Not an issuer member", body = ErrorBody),
              (status = 404, description = "Not found (or another issuer's)", body = ErrorBody),
              (status = 409, description = "No longer pending", body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    member: RequireRole<IssuerMember>,
    Ctx(ctx): Ctx,
    Path(id): Path<CredentialRequestId>,
    Json(body): Json<ApprovalBody>,
) -> Result<NoStore<Json<ApprovalResponse>>, ApiError> {
    let approval = Approval { claims: body.claims, valid_until: body.valid_until };
    let (view, credential) = state.issuance.approve(&member.0.user_id, &id, approval).await?;
    ctx.note(format!(
        "approved {id}: issued {}",
        view.record.credential_id.as_ref().map(|c| c.as_str()).unwrap_or("")
    ));
    let credential = serde_json::to_value(&credential).map_err(ApiError::internal)?;
    Ok(NoStore(Json(ApprovalResponse { request: (&view).into(), credential })))
}

/// Rejects a pending request with a reason the holder sees.
#[utoipa::path(post, operation_id = "rejectIssuerRequest", path = "/issuer/requests/{id}/reject", tag = "issuer", security(("bearer" = [])),
    params(("id" = String, Path, description = "`crq_…`")), request_body = Rejection,
    responses((status = 200, description = "Rejected", body = DecidedResponse),
              (status = 400, description = "Invalid reason", body = ErrorBody),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 413, description = "Body larger than 1 MiB", body = ErrorBody),
              (status = 415, description = "Not Content-Type: application/json", body = ErrorBody),
              (status = 403, description = "Not an issuer member", body = ErrorBody),
              (status = 404, description = "Not found (or another issuer's)", body = ErrorBody),
              (status = 409, description = "No longer pending", body = ErrorBody)))]
pub async fn reject(
    State(state): State<AppState>,
    member: RequireRole<IssuerMember>,
    Path(id): Path<CredentialRequestId>,
    Json(body): Json<Rejection>,
) -> Result<Json<DecidedResponse>, ApiError> {
    let view = state.issuance.reject(&member.0.user_id, &id, &body.reason).await?;
    Ok(Json(DecidedResponse { request: (&view).into() }))
}

/// The credentials the caller's issuer issued.
#[utoipa::path(get, operation_id = "listIssuedCredentials", path = "/issuer/credentials", tag = "issuer", security(("bearer" = [])),
    params(IssuedQuery),
    responses((status = 200, description = "Issued credentials", body = IssuedList),
              (status = 400, description = "Invalid query", body = ErrorBody),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 403, description = "Not an issuer member", body = ErrorBody)))]
pub async fn issued(
    State(state): State<AppState>,
    member: RequireRole<IssuerMember>,
    Query(query): Query<IssuedQuery>,
) -> Result<Json<IssuedList>, ApiError> {
    let before = before(query.before.as_deref())?;
    let issued = state.issuance.issued(&member.0.user_id, before, query.limit.unwrap_or(50)).await?;
    Ok(Json(IssuedList { credentials: issued.iter().map(Into::into).collect() }))
}

/// Revokes a credential the caller's issuer issued; the issuer's next revocation state (at
/// once) marks it, and proofs from it stop passing verification against that state.
#[utoipa::path(post, operation_id = "revokeCredential", path = "/issuer/credentials/{id}/revoke", tag = "issuer", security(("bearer" = [])),
    params(("id" = String, Path, description = "`crd_…`")),
    responses((status = 204, description = "Revoked"),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 403, description = "Not an issuer member", body = ErrorBody),
              (status = 404, description = "Not found (or another issuer's)", body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    member: RequireRole<IssuerMember>,
    Path(id): Path<CredentialId>,
) -> Result<StatusCode, ApiError> {
    state.issuance.revoke(&member.0.user_id, &id).await?;
    tracing::info!(credential_id = %id, "credential revoked");
    Ok(StatusCode::NO_CONTENT)
}
