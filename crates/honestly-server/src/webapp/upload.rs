//! The upload page: a multipart form (type and file, with the session's CSRF token) whose
//! parts are read with the same bounds as `POST /vault/documents`. Too large a file is a
//! 413 page in words; nothing is stored unless the form passes every check.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use honestly_core::documents::Upload;
use maud::html;

use super::app_script::app_script;
use super::guard::forged_form;
use super::html::{app_document, csrf_input, from_api, page, see_other, Nav};
use super::live::allow_script;
use super::once::{first_send, once_input, ONCE_FIELD};
use super::session::{Signed, SignedIn};
use crate::error::ApiError;
use crate::routes::documents::{multipart_error, read_file, read_text};
use crate::state::AppState;

/// The kinds a document can be, with their words.
const KINDS: &[(&str, &str)] = &[
    ("identity", "Identity document (passport, ID card)"),
    ("license", "Licence (driving licence, permit)"),
    ("financial", "Financial document"),
    ("credential", "Credential"),
    ("other", "Other"),
];

fn limit_words(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

/// `GET /app/documents/new`.
pub async fn form(State(state): State<AppState>, SignedIn(signed): SignedIn) -> Response {
    let markup = app_document(
        "Upload a document",
        Some(&signed.nav()),
        html! {
            h1 { "Upload a document" }
            form id="upload-form" method="post" action="/app/documents" enctype="multipart/form-data" {
                (csrf_input(&signed.csrf))
                (once_input())
                div class="field" {
                    label for="upload-document-type" { "Kind of document" }
                    select id="upload-document-type" name="document_type" required {
                        @for (value, words) in KINDS { option value=(value) { (words) } }
                    }
                }
                div class="field" {
                    label for="upload-file" { "File" }
                    input id="upload-file" name="file" type="file" required aria-describedby="upload-file-hint";
                    p class="hint" id="upload-file-hint" {
                        "At most " (limit_words(state.config.max_upload_bytes)) ". It is encrypted before it is stored."
                    }
                }
                button type="submit" { "Upload" }
            }
            (app_script())
        },
    );
    allow_script(page(StatusCode::OK, markup))
}

/// The 413 page of a file over the limit.
pub fn too_large(state: &AppState, nav: Option<&Nav<'_>>) -> Response {
    let message = format!(
        "The file is larger than this server accepts ({}). Nothing was stored. Choose a smaller file.",
        limit_words(state.config.max_upload_bytes)
    );
    from_api(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE", message), nav)
}

/// What the upload form sent.
struct UploadForm {
    csrf: Option<String>,
    once: Option<String>,
    upload: Upload,
}

/// The form's parts: the CSRF token, the one-time value and the upload.
async fn read_form(
    state: &AppState,
    headers: &HeaderMap,
    mut multipart: Multipart,
) -> Result<UploadForm, ApiError> {
    let hint = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let (mut csrf, mut once, mut file, mut document_type) = (None, None, None, None);
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or("") {
            "csrf_token" if csrf.is_none() => csrf = Some(read_text(field, "csrf_token").await?),
            ONCE_FIELD if once.is_none() => once = Some(read_text(field, ONCE_FIELD).await?),
            "document_type" if document_type.is_none() => {
                document_type = Some(read_text(field, "document_type").await?)
            }
            "file" if file.is_none() => {
                let name = field.file_name().unwrap_or("document").to_string();
                let mime = field.content_type().unwrap_or("application/octet-stream").to_string();
                let (content, sha256) = read_file(field, state.config.max_upload_bytes, hint).await?;
                file = Some((name, mime, content, sha256));
            }
            _ => return Err(ApiError::validation("The form has a field it should not have.")),
        }
    }
    let Some((file_name, mime_type, content, sha256)) = file else {
        return Err(ApiError::validation("Choose a file to upload."));
    };
    if content.is_empty() && file_name.is_empty() {
        return Err(ApiError::validation("Choose a file to upload."));
    }
    let upload = Upload {
        file_name,
        mime_type,
        document_type: document_type.unwrap_or_default(),
        metadata: None,
        content,
        sha256,
    };
    Ok(UploadForm { csrf, once, upload })
}

/// `POST /app/documents`: stores the file and shows it (303), so a reload stores nothing.
pub async fn upload(
    State(state): State<AppState>,
    SignedIn(signed): SignedIn,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let nav = signed.nav();
    // The origin is checked before the body is read; the token once it is.
    if let Some(refused) = forged_form(&state, &headers, &signed, Some(&signed.csrf)) {
        return refused;
    }
    let multipart = match multipart {
        Ok(m) => m,
        Err(rejection) => return from_api(rejection.into(), Some(&nav)),
    };
    let UploadForm { csrf, once, upload } = match read_form(&state, &headers, multipart).await {
        Ok(read) => read,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return too_large(&state, Some(&nav)),
        Err(e) => return from_api(e, Some(&nav)),
    };
    if let Some(refused) = forged_form(&state, &headers, &signed, csrf.as_deref()) {
        return refused;
    }
    if let Err(refused) = first_send(&state, &signed, once.as_deref()).await {
        return refused;
    }
    store(&state, &signed, upload).await
}

async fn store(state: &AppState, signed: &Signed, upload: Upload) -> Response {
    match state.documents.upload(&signed.session.user_id, upload).await {
        Ok(meta) => {
            tracing::info!(document_id = %meta.id, size_bytes = meta.size_bytes, "document stored");
            see_other(&format!("/app/documents/{}", meta.id.as_str()))
        }
        Err(e) => from_api(e.into(), Some(&signed.nav())),
    }
}
