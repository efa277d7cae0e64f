//! `GET /vault/export`: everything of the caller's in one ZIP archive, sent while it is made
//! (see `honestly_core::export`).

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use honestly_core::audit::Actor;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::no_store::NoStore;
use crate::state::AppState;

/// The export route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(export))
}

/// Everything of the caller's: documents decrypted, their metadata, proofs, share links
/// (without tokens), delegated agents (without secrets) and the timeline, with a manifest of
/// every file's size and SHA-256.
#[utoipa::path(get, path = "/vault/export", tag = "vault", operation_id = "exportVault",
    security(("bearer" = [])),
    responses((status = 200, description = "A ZIP archive (`manifest.json` lists its files), sent as an attachment", content_type = "application/zip", body = Vec<u8>),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 429, description = "Too many exports lately", body = ErrorBody),
              (status = 503, description = "Server busy or storage unavailable", body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
) -> Result<Response, ApiError> {
    zip_of(&state, &session.user_id).await
}

/// The streamed ZIP of everything of `user_id`'s (also sent by the web app's export form).
pub(crate) async fn zip_of(
    state: &AppState,
    user_id: &honestly_core::ids::UserId,
) -> Result<Response, ApiError> {
    let export = state.export.start(user_id, Actor::User(user_id.clone())).await?;
    tracing::info!(user_id = %user_id, "export started");
    let chunks = futures_util::stream::unfold(export.chunks, |mut chunks| async move {
        chunks.recv().await.map(|chunk| (chunk, chunks))
    });
    let mut response = Body::from_stream(chunks).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    let disposition = format!("attachment; filename=\"{}\"", export.file_name);
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).unwrap_or_else(|_| HeaderValue::from_static("attachment")),
    );
    Ok(NoStore(response).into_response())
}
