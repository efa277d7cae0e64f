//! `/vault/documents`: upload (multipart, streamed with a size bound), list, metadata,
//! content, delete. Everything is scoped to the caller: another user's document is a 404.

use axum::body::Body;
use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{Multipart, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use honestly_core::documents::{DocumentMeta, Upload};
use honestly_core::ids::DocumentId;
use honestly_store::redis::Invalidation;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Path, Query};
use crate::json::Json;
use crate::no_store::NoStore;
use crate::state::AppState;

/// The document routes that take JSON (or no body).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(list)).routes(routes!(get, delete)).routes(routes!(content))
}

/// The upload route, which takes a multipart body up to `MAX_UPLOAD_BYTES`.
pub fn upload_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(upload))
}

/// The caller's documents: list (`GET`) and upload (`POST`).
const DOCUMENTS: &str = "/vault/documents";
/// One document: metadata (`GET`) and deletion (`DELETE`).
const DOCUMENT: &str = "/vault/documents/{id}";

/// Largest non-file multipart field (`document_type`, `metadata`).
const MAX_TEXT_FIELD: usize = 16 * 1024;

/// A document's metadata.
#[derive(Serialize, ToSchema)]
pub struct DocumentView {
    /// `doc_…`.
    pub id: String,
    /// `identity`, `license`, `financial`, `credential` or `other`.
    pub document_type: String,
    /// Sanitised file name.
    pub file_name: String,
    /// Media type.
    pub mime_type: String,
    /// Plaintext size.
    pub size_bytes: u64,
    /// Hex SHA-256 of the plaintext.
    pub sha256: String,
    /// RFC 3339.
    pub created_at: String,
    /// The uploader's JSON object.
    #[schema(value_type = crate::openapi::JsonObject)]
    pub metadata: serde_json::Value,
}

impl From<DocumentMeta> for DocumentView {
    fn from(m: DocumentMeta) -> Self {
        Self {
            id: m.id.into_string(),
            document_type: m.document_type.as_str().into(),
            file_name: m.file_name,
            mime_type: m.mime_type,
            size_bytes: m.size_bytes,
            sha256: m.sha256,
            created_at: m.created_at.rfc3339(),
            metadata: m.metadata,
        }
    }
}

/// `{document}`.
#[derive(Serialize, ToSchema)]
pub struct DocumentResponse {
    /// The document.
    pub document: DocumentView,
}

/// A page of documents.
#[derive(Serialize, ToSchema)]
pub struct DocumentList {
    /// Newest first.
    pub documents: Vec<DocumentView>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Paging parameters.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// 1–100, default 20.
    pub limit: Option<u32>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// The multipart upload form (documentation only; the handler streams it).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The file.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// `identity`, `license`, `financial`, `credential` or `other`.
    document_type: String,
    /// A JSON object, at most 16 KiB.
    metadata: Option<String>,
}

pub(crate) fn multipart_error(e: MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::payload_too_large()
    } else {
        ApiError::validation("Malformed multipart body").with_cause(e.body_text())
    }
}

pub(crate) async fn read_text(mut field: Field<'_>, name: &str) -> Result<String, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if bytes.len() + chunk.len() > MAX_TEXT_FIELD {
            return Err(ApiError::validation(format!("{name} is larger than 16 KiB")));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| ApiError::validation(format!("{name} is not UTF-8 text")))
}

/// Reads the file part chunk by chunk into one buffer, hashing as it goes.
pub(crate) async fn read_file(
    mut field: Field<'_>,
    max: u64,
    hint: usize,
) -> Result<(Vec<u8>, [u8; 32]), ApiError> {
    let mut content = Vec::with_capacity(hint.min(max as usize));
    let mut hasher = Sha256::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if (content.len() + chunk.len()) as u64 > max {
            return Err(ApiError::payload_too_large());
        }
        hasher.update(&chunk);
        content.extend_from_slice(&chunk);
    }
    Ok((content, hasher.finalize().into()))
}

/// Uploads a document: encrypted at rest, registered in the registry tree.
#[utoipa::path(post, operation_id = "uploadDocument", path = DOCUMENTS, tag = "vault", security(("bearer" = [])),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, description = "Stored", body = DocumentResponse),
              (status = 400, description = "Invalid form", body = ErrorBody),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 413, description = "Larger than MAX_UPLOAD_BYTES", body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let mut multipart = multipart?;
    let hint = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let (mut file, mut document_type, mut metadata) = (None, None, None);
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or("") {
            "file" if file.is_none() => {
                let name = field.file_name().unwrap_or("document").to_string();
                let mime = field.content_type().unwrap_or("application/octet-stream").to_string();
                let (content, sha256) = read_file(field, state.config.max_upload_bytes, hint).await?;
                file = Some((name, mime, content, sha256));
            }
            "document_type" if document_type.is_none() => {
                document_type = Some(read_text(field, "document_type").await?)
            }
            "metadata" if metadata.is_none() => metadata = Some(read_text(field, "metadata").await?),
            other => {
                return Err(ApiError::validation(format!("unexpected or repeated form field {other:?}")));
            }
        }
    }
    let Some((file_name, mime_type, content, sha256)) = file else {
        return Err(ApiError::validation("the form needs a file field"));
    };
    let upload = Upload {
        file_name,
        mime_type,
        document_type: document_type.unwrap_or_default(),
        metadata,
        content,
        sha256,
    };
    let meta = state.documents.upload(&session.user_id, upload).await?;
    tracing::info!(document_id = %meta.id, size_bytes = meta.size_bytes, "document stored");
    Ok((StatusCode::CREATED, Json(DocumentResponse { document: meta.into() })).into_response())
}

/// The caller's documents, newest first, with cursor pagination.
#[utoipa::path(get, operation_id = "listDocuments", path = DOCUMENTS, tag = "vault", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, description = "A page", body = DocumentList),
              (status = 400, description = "Bad limit or cursor", body = ErrorBody),
              (status = 401, description = "Not authenticated", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<DocumentList>, ApiError> {
    let page = state.documents.list(&session.user_id, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(DocumentList {
        documents: page.documents.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One document's metadata.
#[utoipa::path(get, operation_id = "getDocument", path = DOCUMENT, tag = "vault", security(("bearer" = [])),
    params(("id" = String, Path, description = "`doc_…`")),
    responses((status = 200, description = "The document", body = DocumentResponse),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 404, description = "Not found (or not yours)", body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
    Path(id): Path<DocumentId>,
) -> Result<Json<DocumentResponse>, ApiError> {
    let meta = state.documents.get(&session.user_id, &id).await?;
    Ok(Json(DocumentResponse { document: meta.into() }))
}

/// `attachment; filename="…"; filename*=UTF-8''…` with a safe ASCII fallback.
fn content_disposition(file_name: &str) -> HeaderValue {
    let ascii: String =
        file_name.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '_' }).collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// The decrypted content, as an attachment.
#[utoipa::path(get, operation_id = "getDocumentContent", path = "/vault/documents/{id}/content", tag = "vault", security(("bearer" = [])),
    params(("id" = String, Path, description = "`doc_…`")),
    responses((status = 200, description = "The plaintext bytes, as the document's own media type", content_type = "*/*", body = crate::openapi::Binary),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 404, description = "Not found (or not yours)", body = ErrorBody)))]
pub async fn content(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
    Path(id): Path<DocumentId>,
) -> Result<Response, ApiError> {
    let (meta, bytes) = state.documents.content(&session.user_id, &id).await?;
    Ok(attachment(&meta, bytes))
}

/// A document's decrypted bytes as an attachment of its own media type, never cached.
pub(crate) fn attachment(meta: &honestly_core::documents::DocumentMeta, bytes: Vec<u8>) -> Response {
    let mut response = Body::from(bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&meta.mime_type)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(header::CONTENT_DISPOSITION, content_disposition(&meta.file_name));
    NoStore(response).into_response()
}

/// Deletes a document: metadata and ciphertext are gone, its links stop working.
#[utoipa::path(delete, operation_id = "deleteDocument", path = DOCUMENT, tag = "vault", security(("bearer" = [])),
    params(("id" = String, Path, description = "`doc_…`")),
    responses((status = 204, description = "Deleted"),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 404, description = "Not found (or not yours)", body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
    Path(id): Path<DocumentId>,
) -> Result<StatusCode, ApiError> {
    state.documents.delete(&session.user_id, &id).await?;
    state.publish_invalidation(Invalidation::Document(id.clone()));
    tracing::info!(document_id = %id, "document deleted");
    Ok(StatusCode::NO_CONTENT)
}
