//! The verifier's side of a share link: the view, the signed bundle, the short-lived content
//! URL, the QR code and the published signing keys. Unknown, revoked, expired, exhausted and
//! deleted links all answer the same 404.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use honestly_core::links::{Access, AccessLevel};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ErrorBody};
use crate::extract::{Path, Query};
use crate::json::Json;
use crate::no_store::NoStore;
use crate::pages::negotiate;
use crate::routes::share_page;
use crate::state::AppState;

/// The verifier's routes (the passphrase form's `POST` is in [`share_page`], with its own
/// body limit).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(open))
        .routes(routes!(bundle))
        .routes(routes!(content))
        .routes(routes!(qr))
        .routes(routes!(keys))
}

/// Header carrying a link's passphrase.
pub const PASSPHRASE_HEADER: &str = "x-share-passphrase";

fn passphrase(headers: &HeaderMap) -> Option<&str> {
    headers.get(PASSPHRASE_HEADER).and_then(|v| v.to_str().ok())
}

fn view(state: &AppState, token: &str, access: &Access) -> serde_json::Value {
    let (link, shared) = (&access.link, &access.shared);
    let doc = &shared.document;
    let proof_status = match shared.proof_verified {
        Some(true) => "verified",
        Some(false) => "invalid",
        None => "none",
    };
    let mut body = serde_json::json!({
        "link_id": link.id,
        "document_type": doc.document_type.as_str(),
        "sha256": doc.sha256,
        "proof_type": shared.proof.as_ref().map(|p| p.proof_type.clone()),
        "proof_status": proof_status,
        "expires_at": link.expires_at,
    });
    // Age proofs say that their birth date is only what the holder typed.
    if let Some(attestation) =
        shared.proof.as_ref().and_then(|p| honestly_core::zk::attestation(&p.proof_type))
    {
        body["attestation"] = attestation.into();
    }
    if matches!(link.access_level, AccessLevel::Metadata | AccessLevel::Full) {
        body["file_name"] = doc.file_name.clone().into();
        body["mime_type"] = doc.mime_type.clone().into();
        body["size_bytes"] = doc.size_bytes.into();
        body["created_at"] = doc.created_at.rfc3339().into();
        body["metadata"] = doc.metadata.clone();
    }
    if link.access_level == AccessLevel::Full {
        body["content_url"] = state.links.content_url(token, link).into();
    }
    body
}

/// What a share link shows, by its access level; consumes one access. A browser (an `Accept`
/// header preferring `text/html`) gets the verifier's HTML page instead of the JSON view.
#[utoipa::path(get, operation_id = "openShare", path = share_page::SHARE, tag = "share",
    params(("token" = String, Path, description = "The link's token"),
           ("X-Share-Passphrase" = Option<String>, Header, description = "The passphrase, for links that have one")),
    responses((status = 200, description = "The view (JSON; `attestation: \"self_declared\"` when the proof is an age proof), or with `Accept: text/html` the verifier page (HTML; for a link with a passphrase and none given, the passphrase form)",
               content((crate::openapi::JsonObject = "application/json"), (String = "text/html"))),
              (status = 401, description = "Passphrase missing or wrong (nothing consumed)", body = ErrorBody),
              (status = 404, description = "Not available (HTML: one page for every reason)", content((ErrorBody = "application/json"), (String = "text/html"))),
              (status = 429, description = "Too many wrong passphrases", body = ErrorBody)))]
pub async fn open(State(state): State<AppState>, Path(token): Path<String>, headers: HeaderMap) -> Response {
    if negotiate::prefers_html(&headers) {
        return share_page::vary_accept(share_page::page(&state, &token, passphrase(&headers)).await);
    }
    let response = match state.links.open(&token, passphrase(&headers)).await {
        Ok(access) => NoStore(Json(view(&state, &token, &access))).into_response(),
        Err(e) => ApiError::from(e).into_response(),
    };
    share_page::vary_accept(response)
}

/// The signed verification bundle; consumes one access.
#[utoipa::path(get, operation_id = "getShareBundle", path = "/vault/share/{token}/bundle", tag = "share",
    params(("token" = String, Path, description = "The link's token"),
           ("X-Share-Passphrase" = Option<String>, Header, description = "The passphrase, for links that have one")),
    responses((status = 200, description = "The bundle, signed with the key at /.well-known/honestly-keys.json (its `proof.attestation` is `self_declared` for an age proof)", body = crate::openapi::JsonObject),
              (status = 401, description = "Passphrase missing or wrong (nothing consumed)", body = ErrorBody),
              (status = 404, description = "Not available", body = ErrorBody),
              (status = 503, description = "Server busy verifying (with `Retry-After`) or storage unavailable", body = ErrorBody)))]
pub async fn bundle(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let access = state.links.open(&token, passphrase(&headers)).await?;
    Ok(NoStore(Json(state.links.bundle(&access))).into_response())
}

/// The signed content URL's parameters.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ContentQuery {
    /// Unix seconds.
    pub expires: i64,
    /// The server's signature.
    pub sig: String,
}

/// The decrypted content behind a `full` link's short-lived signed URL.
#[utoipa::path(get, operation_id = "getSharedContent", path = "/vault/share/{token}/content", tag = "share",
    params(("token" = String, Path, description = "The link's token"), ContentQuery),
    responses((status = 200, description = "The document, as its own media type", content_type = "*/*", body = crate::openapi::Binary),
              (status = 400, description = "`expires` or `sig` missing or malformed", body = ErrorBody),
              (status = 404, description = "Not available, expired or bad signature", body = ErrorBody)))]
pub async fn content(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<ContentQuery>,
) -> Result<Response, ApiError> {
    let (meta, bytes) = state.links.content(&token, q.expires, &q.sig).await?;
    let mut response = Body::from(bytes).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&meta.mime_type)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment"));
    Ok(NoStore(response).into_response())
}

/// QR-code format.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct QrQuery {
    /// `png` (default) or `svg`.
    pub format: Option<String>,
}

/// The QR code of a link's share URL (does not consume an access).
#[utoipa::path(get, operation_id = "getShareQr", path = "/vault/qr/{token}", tag = "share",
    params(("token" = String, Path, description = "The link's token"), QrQuery),
    responses((status = 200, description = "PNG (default) or SVG image", content((crate::openapi::Binary = "image/png"), (String = "image/svg+xml"))),
              (status = 400, description = "Unknown format", body = ErrorBody),
              (status = 404, description = "Not available", body = ErrorBody)))]
pub async fn qr(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<QrQuery>,
) -> Result<Response, ApiError> {
    let format = q.format.as_deref().unwrap_or("png");
    if !matches!(format, "png" | "svg") {
        return Err(ApiError::validation("format must be png or svg"));
    }
    state.links.peek(&token).await?;
    let url = state.links.share_url(&token);
    let (content_type, bytes) = if format == "svg" {
        ("image/svg+xml", crate::qr::svg(&url).map_err(ApiError::internal)?.into_bytes())
    } else {
        ("image/png", crate::qr::png(&url).map_err(ApiError::internal)?)
    };
    // The image holds the token, and must stop with the link: never cached.
    Ok(NoStore(([(header::CONTENT_TYPE, content_type)], bytes)).into_response())
}

/// The public keys bundles are signed with (a JWK set).
#[utoipa::path(get, operation_id = "getBundleSigningKeys", path = "/.well-known/honestly-keys.json", tag = "share",
    responses((status = 200, description = "JWK set of Ed25519 keys", body = crate::openapi::JsonObject)))]
pub async fn keys(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(state.links.public_keys())
}
