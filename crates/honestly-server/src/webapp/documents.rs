//! The documents pages: the list (paged), one document's detail (metadata, hash, registry
//! position, download) and its deletion behind a confirmation page.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use honestly_core::documents::DocumentMeta;
use honestly_core::ids::DocumentId;
use honestly_store::redis::Invalidation;
use maud::{html, Markup};
use serde::Deserialize;

use super::guard::CheckedForm;
use super::html::{app_document, from_api, page, see_other};
use super::session::{percent_encode, SignedIn};
use super::sign_in::{button_form, TokenOnly};
use crate::error::ApiError;
use crate::extract::{Path, Query};
use crate::pages::format::date_time;
use crate::state::AppState;

/// `?cursor=` of the list.
#[derive(Deserialize)]
pub struct ListQuery {
    /// From the previous page's "Older documents" link.
    pub cursor: Option<String>,
}

/// Documents per page of the list.
const PER_PAGE: u32 = 20;

/// `12 345 bytes`, `1.2 MB`.
fn human_bytes(n: u64) -> String {
    match n {
        0..=9_999 => format!("{n} bytes"),
        10_000..=9_999_999 => format!("{:.1} kB", n as f64 / 1000.0),
        _ => format!("{:.1} MB", n as f64 / 1_000_000.0),
    }
}

fn type_in_words(meta: &DocumentMeta) -> &'static str {
    match meta.document_type.as_str() {
        "identity" => "Identity document",
        "license" => "Licence",
        "financial" => "Financial document",
        "credential" => "Credential",
        _ => "Other document",
    }
}

/// `GET /app/documents` (and `/app` when signed in).
pub async fn list(
    State(state): State<AppState>,
    SignedIn(signed): SignedIn,
    Query(q): Query<ListQuery>,
) -> Response {
    let nav = signed.nav();
    let listed =
        match state.documents.list(&signed.session.user_id, q.cursor.as_deref(), Some(PER_PAGE)).await {
            Ok(listed) => listed,
            Err(e) => return from_api(ApiError::from(e), Some(&nav)),
        };
    let markup = app_document(
        "Your documents",
        Some(&nav),
        html! {
            h1 { "Your documents" }
            p { a id="upload-link" href="/app/documents/new" { "Upload a document" } }
            @if listed.documents.is_empty() {
                p id="no-documents" { "You have no documents yet." }
            } @else {
                ul id="document-list" {
                    @for doc in &listed.documents {
                        li class="card document" data-id=(doc.id.as_str()) {
                            a href={ "/app/documents/" (doc.id.as_str()) } { (doc.file_name) }
                            p class="hint" { (type_in_words(doc)) " · " (human_bytes(doc.size_bytes)) " · added " (date_time(doc.created_at)) }
                        }
                    }
                }
            }
            @if let Some(cursor) = &listed.next_cursor {
                p { a href={ "/app/documents?cursor=" (percent_encode(cursor)) } { "Older documents" } }
            }
        },
    );
    page(StatusCode::OK, markup)
}

async fn own(
    state: &AppState,
    signed: &super::session::Signed,
    id: &DocumentId,
) -> Result<DocumentMeta, Response> {
    state
        .documents
        .get(&signed.session.user_id, id)
        .await
        .map_err(|e| from_api(e.into(), Some(&signed.nav())))
}

fn details(meta: &DocumentMeta, epoch: u64) -> Markup {
    html! {
        dl {
            dt { "File" } dd { (meta.file_name) }
            dt { "Kind" } dd { (type_in_words(meta)) }
            dt { "Media type" } dd { (meta.mime_type) }
            dt { "Size" } dd { (human_bytes(meta.size_bytes)) }
            dt { "Added" } dd { (date_time(meta.created_at)) }
            dt { "SHA-256" } dd { code id="document-sha256" { (meta.sha256) } }
            dt { "Registry" } dd id="registry-status" {
                "Registered at position " (meta.registry_index) " of the document registry (now at epoch " (epoch) ")."
            }
        }
    }
}

/// `GET /app/documents/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    SignedIn(signed): SignedIn,
    Path(id): Path<DocumentId>,
) -> Response {
    let meta = match own(&state, &signed, &id).await {
        Ok(meta) => meta,
        Err(page) => return page,
    };
    let (epoch, _) = state.registry.current().await;
    let base = format!("/app/documents/{}", meta.id.as_str());
    let history = super::timeline::document_history(&state, &signed, &meta.id, &meta.file_name).await;
    let markup = app_document(
        &meta.file_name,
        Some(&signed.nav()),
        html! {
            h1 { (meta.file_name) }
            (details(&meta, epoch))
            p { a id="download-link" href={ (base) "/download" } { "Download" } }
            p { a id="ask-link" href={ (base) "/ask" } { "Ask an issuer to vouch for this document" } }
            p { a id="prove-age-link" href={ (base) "/prove-age" } { "Prove my age (self-declared)" } }
            p { a id="prove-authenticity-link" href={ (base) "/prove-authenticity" } { "Prove this document is in the registry" } }
            p { a id="delete-link" href={ (base) "/delete" } { "Delete this document" } }
            (history)
            p { a href="/app/documents" { "Back to your documents" } }
        },
    );
    page(StatusCode::OK, markup)
}

/// `GET /app/documents/{id}/download`: the decrypted file as an attachment.
pub async fn download(
    State(state): State<AppState>,
    SignedIn(signed): SignedIn,
    Path(id): Path<DocumentId>,
) -> Response {
    match state.documents.content(&signed.session.user_id, &id).await {
        Ok((meta, bytes)) => crate::routes::documents::attachment(&meta, bytes),
        Err(e) => from_api(e.into(), Some(&signed.nav())),
    }
}

/// `GET /app/documents/{id}/delete`: the confirmation step.
pub async fn confirm_delete(
    State(state): State<AppState>,
    SignedIn(signed): SignedIn,
    Path(id): Path<DocumentId>,
) -> Response {
    let meta = match own(&state, &signed, &id).await {
        Ok(meta) => meta,
        Err(page) => return page,
    };
    let action = format!("/app/documents/{}/delete", meta.id.as_str());
    let markup = app_document(
        "Delete a document",
        Some(&signed.nav()),
        html! {
            h1 { "Delete " (meta.file_name) "?" }
            p { "The document is erased for good; share links to it stop working at once. This cannot be undone." }
            (button_form("delete-form", &action, &signed.csrf, "Delete for good", "danger"))
            p { a href={ "/app/documents/" (meta.id.as_str()) } { "No, keep it" } }
        },
    );
    page(StatusCode::OK, markup)
}

/// `POST /app/documents/{id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<DocumentId>,
    CheckedForm(signed, _form): CheckedForm<TokenOnly>,
) -> Response {
    if let Err(e) = state.documents.delete(&signed.session.user_id, &id).await {
        return from_api(e.into(), Some(&signed.nav()));
    }
    state.publish_invalidation(Invalidation::Document(id.clone()));
    tracing::info!(document_id = %id, "document deleted");
    see_other("/app/documents")
}
