//! A verifier's webhook signing secret: rotate it (the new secret is shown once; the previous
//! one keeps signing deliveries for 24 hours) and read what may be shown about it (never the
//! secret). Deliveries themselves are listed per proof request.

use axum::extract::State;
use honestly_core::clock::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::{RequireRole, VerifierOrAdmin};
use crate::error::{ApiError, ErrorBody};
use crate::json::Json;
use crate::no_store::NoStore;
use crate::state::AppState;

/// The webhook secret routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(webhook_secret)).routes(routes!(rotate_webhook_secret))
}

/// A new secret, shown once.
#[derive(Serialize, ToSchema)]
pub struct RotatedWebhookSecret {
    /// `whsec_…`: the base64 of the 32 key bytes after the prefix (Standard Webhooks).
    pub webhook_secret: String,
    /// Until when the previous secret still signs deliveries (RFC 3339); null when there was
    /// no previous secret.
    #[schema(value_type = Option<String>)]
    pub previous_valid_until: Option<Timestamp>,
}

/// What may be shown about the secrets.
#[derive(Serialize, ToSchema)]
pub struct WebhookSecretInfo {
    /// When the current secret was made (RFC 3339); null before the first.
    #[schema(value_type = Option<String>)]
    pub created_at: Option<Timestamp>,
    /// Until when the previous secret still signs (RFC 3339), while it does.
    #[schema(value_type = Option<String>)]
    pub previous_valid_until: Option<Timestamp>,
}

/// What is known about the caller's webhook secret, never the secret (verifiers and
/// administrators).
#[utoipa::path(get, operation_id = "getWebhookSecret", path = "/verifier/webhook-secret", tag = "webhooks",
    security(("bearer" = [])),
    responses((status = 200, description = "When the secrets were made", body = WebhookSecretInfo),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 403, description = "Not a verifier or administrator", body = ErrorBody)))]
pub async fn webhook_secret(
    State(state): State<AppState>,
    caller: RequireRole<VerifierOrAdmin>,
) -> Result<Json<WebhookSecretInfo>, ApiError> {
    let meta = state.webhooks.secret_metadata(&caller.0.user_id).await?;
    Ok(Json(WebhookSecretInfo {
        created_at: meta.created_at,
        previous_valid_until: meta.previous_valid_until,
    }))
}

/// Makes a new webhook secret and answers it once; the previous one keeps signing for 24
/// hours, deliveries meanwhile carry both signatures (verifiers and administrators). The
/// answer is `Cache-Control: no-store`.
#[utoipa::path(post, operation_id = "rotateWebhookSecret", path = "/verifier/webhook-secret/rotate", tag = "webhooks",
    security(("bearer" = [])),
    responses((status = 200, description = "The new secret (shown once)", body = RotatedWebhookSecret),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 403, description = "Not a verifier or administrator", body = ErrorBody)))]
pub async fn rotate_webhook_secret(
    State(state): State<AppState>,
    caller: RequireRole<VerifierOrAdmin>,
) -> Result<NoStore<Json<RotatedWebhookSecret>>, ApiError> {
    let rotated = state.webhooks.rotate_secret(&caller.0.user_id).await?;
    tracing::info!(user_id = %caller.0.user_id, "webhook secret rotated");
    Ok(NoStore(Json(RotatedWebhookSecret {
        webhook_secret: rotated.webhook_secret.to_string(),
        previous_valid_until: rotated.previous_valid_until,
    })))
}
