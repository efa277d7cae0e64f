//! `/vault/share-links`: the owner creates, lists and revokes share links.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use honestly_core::ids::{LinkId, UserId};
use honestly_core::links::{NewLink, ShareLink};
use honestly_store::redis::Invalidation;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::json::Json;
use crate::no_store::NoStore;
use crate::state::AppState;

/// The caller's links: create (`POST`) and list (`GET`).
const SHARE_LINKS: &str = "/vault/share-links";

/// The owner's share-link routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(create, list)).routes(routes!(revoke))
}

/// A link to create.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateLink {
    /// One of your documents.
    pub document_id: String,
    /// One of your proofs of that document.
    pub proof_id: Option<String>,
    /// `proof_only`, `metadata` or `full`.
    pub access_level: String,
    /// 1–720 (default 24); exclusive with `expires_at`.
    pub expires_in_hours: Option<u32>,
    /// RFC 3339, within 720 hours.
    pub expires_at: Option<String>,
    /// 1–10000; unbounded when absent.
    pub max_accesses: Option<u32>,
    /// 8–128 characters; verifiers must send it.
    pub passphrase: Option<String>,
}

impl From<CreateLink> for NewLink {
    fn from(c: CreateLink) -> Self {
        NewLink {
            document_id: c.document_id,
            proof_id: c.proof_id,
            access_level: c.access_level,
            expires_in_hours: c.expires_in_hours,
            expires_at: c.expires_at,
            max_accesses: c.max_accesses,
            passphrase: c.passphrase,
        }
    }
}

/// A link as its owner sees it.
#[derive(Serialize, ToSchema)]
pub struct LinkView {
    /// `lnk_…`.
    pub id: String,
    /// The shared document.
    pub document_id: String,
    /// The shared proof.
    pub proof_id: Option<String>,
    /// The share URL (only in the creation response).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The QR-code URL (only in the creation response).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qr_url: Option<String>,
    /// The token (only in the creation response; the server keeps its hash).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// `proof_only`, `metadata` or `full`.
    pub access_level: String,
    /// RFC 3339.
    pub expires_at: String,
    /// Accesses allowed, if bounded.
    pub max_accesses: Option<u32>,
    /// Accesses consumed.
    pub access_count: u32,
    /// Whether a passphrase is required.
    pub has_passphrase: bool,
    /// Whether it was revoked.
    pub revoked: bool,
    /// RFC 3339.
    pub created_at: String,
}

impl LinkView {
    fn of(link: ShareLink) -> Self {
        Self {
            id: link.id.into_string(),
            document_id: link.document_id.into_string(),
            proof_id: link.proof_id.map(honestly_core::ids::ProofId::into_string),
            url: None,
            qr_url: None,
            token: None,
            access_level: link.access_level.as_str().into(),
            expires_at: link.expires_at.rfc3339(),
            max_accesses: link.max_accesses,
            access_count: link.access_count,
            has_passphrase: link.passphrase_hash.is_some(),
            revoked: link.revoked_at.is_some(),
            created_at: link.created_at.rfc3339(),
        }
    }
}

/// `{link}`.
#[derive(Serialize, ToSchema)]
pub struct LinkResponse {
    /// The link.
    pub link: LinkView,
}

/// `{links}`.
#[derive(Serialize, ToSchema)]
pub struct LinkList {
    /// Newest first, without tokens.
    pub links: Vec<LinkView>,
}

/// Creates a share link; the token appears in this response only.
#[utoipa::path(post, operation_id = "createShareLink", path = SHARE_LINKS, tag = "share", security(("bearer" = [])), request_body = CreateLink,
    responses((status = 201, description = "Created", body = LinkResponse),
              (status = 400, description = "Invalid request", body = ErrorBody),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 404, description = "Document or proof not found (or not yours)", body = ErrorBody),
              (status = 413, description = "Body larger than 1 MiB", body = ErrorBody),
              (status = 415, description = "Not Content-Type: application/json", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
    Json(body): Json<CreateLink>,
) -> Result<Response, ApiError> {
    let link = create_link_for(&state, &session.user_id, body).await?;
    Ok(NoStore((StatusCode::CREATED, Json(link))).into_response())
}

/// Creates a link for `user_id` (its owner, or a delegated agent acting for it); the answer
/// holds the token, URL and QR URL, shown this once.
pub(crate) async fn create_link_for(
    state: &AppState,
    user_id: &UserId,
    body: CreateLink,
) -> Result<LinkResponse, ApiError> {
    let created = state.links.create(user_id, body.into()).await?;
    tracing::info!(link_id = %created.link.id, "share link created");
    let mut view = LinkView::of(created.link);
    view.url = Some(state.links.share_url(&created.token));
    view.qr_url = Some(state.links.qr_url(&created.token));
    view.token = Some(created.token);
    Ok(LinkResponse { link: view })
}

/// The caller's links, without tokens.
#[utoipa::path(get, operation_id = "listShareLinks", path = SHARE_LINKS, tag = "share", security(("bearer" = [])),
    responses((status = 200, description = "Links", body = LinkList),
              (status = 401, description = "Not authenticated", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
) -> Result<Json<LinkList>, ApiError> {
    let links = state.links.list(&session.user_id).await?;
    Ok(Json(LinkList { links: links.into_iter().map(LinkView::of).collect() }))
}

/// Revokes a link, effective at once.
#[utoipa::path(delete, operation_id = "revokeShareLink", path = "/vault/share-links/{id}", tag = "share", security(("bearer" = [])),
    params(("id" = String, Path, description = "`lnk_…`")),
    responses((status = 204, description = "Revoked"),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 404, description = "Not found (or not yours)", body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
    Path(id): Path<LinkId>,
) -> Result<StatusCode, ApiError> {
    state.links.revoke(&session.user_id, &id).await?;
    state.publish_invalidation(Invalidation::Link(id.clone()));
    tracing::info!(link_id = %id, "share link revoked");
    Ok(StatusCode::NO_CONTENT)
}
