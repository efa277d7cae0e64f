//! The credentials pages: my requests to issuers and my credentials (what they say, who signed,
//! valid until, revoked?), one credential's page with export (the credential JSON) and delete
//! behind a confirmation.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use honestly_core::ids::CredentialId;
use honestly_core::issuance::held::HeldView;
use honestly_core::issuance::requests::RequestView;
use maud::{html, Markup};

use super::guard::CheckedForm;
use super::html::{app_document, from_api, page, see_other};
use super::session::{Signed, SignedIn};
use super::sign_in::{button_form, TokenOnly};
use crate::error::ApiError;
use crate::extract::Path;
use crate::state::AppState;

fn status_in_words(status: &str) -> &'static str {
    match status {
        "pending" => "Waiting for the issuer",
        "approved" => "Approved: the credential is yours",
        "rejected" => "Rejected by the issuer",
        "withdrawn" => "Withdrawn",
        _ => "Unknown",
    }
}

fn revoked_in_words(revoked: Option<bool>) -> &'static str {
    match revoked {
        Some(true) => "Revoked by its issuer",
        Some(false) => "Not revoked",
        None => "Unknown (its issuer is not hosted here)",
    }
}

/// What a credential says, in words.
fn claims_of(held: &HeldView) -> Markup {
    let claims = &held.credential.claims;
    html! {
        dl {
            dt { "Signed by" } dd class="issuer" { (held.credential.issuer.name().unwrap_or("an issuer not hosted here")) }
            dt { "Birth date" } dd { (claims.birth_date) }
            dt { "Nationality" } dd { (claims.nationality.name()) }
            dt { "Document expiry" } dd { @match claims.document_expiry { Some(d) => (d), None => "none" } }
            dt { "Issued" } dd { (claims.issued_at) }
            dt { "Valid until" } dd { (claims.valid_until) }
            dt { "Revoked?" } dd class="revoked" { (revoked_in_words(held.revoked)) }
        }
    }
}

fn request_item(request: &RequestView, issuer_names: &HashMap<String, String>) -> Markup {
    let r = &request.record;
    let issuer = issuer_names.get(r.issuer_id.as_str()).map_or("an issuer", String::as_str);
    html! {
        li class="card credential-request" data-request=(r.id.as_str()) {
            strong { (status_in_words(r.status.as_str())) } " · asked " (issuer)
            @if let Some(reason) = &r.reason {
                p class="reason" { "Reason: " (reason) }
            }
        }
    }
}

/// `GET /app/credentials`.
pub async fn list(State(state): State<AppState>, SignedIn(signed): SignedIn) -> Response {
    let nav = signed.nav();
    let user = &signed.session.user_id;
    let requests = match state.issuance.my_requests(user).await {
        Ok(requests) => requests,
        Err(e) => return from_api(ApiError::from(e), Some(&nav)),
    };
    let held = match state.issuance.my_credentials(user).await {
        Ok(held) => held,
        Err(e) => return from_api(ApiError::from(e), Some(&nav)),
    };
    let issuer_names: HashMap<String, String> = match state.issuance.issuers().await {
        Ok(issuers) => issuers.into_iter().map(|i| (i.id.as_str().to_string(), i.name)).collect(),
        Err(e) => return from_api(ApiError::from(e), Some(&nav)),
    };
    let markup = app_document(
        "Your credentials",
        Some(&nav),
        html! {
            h1 { "Your credentials" }
            p { "A credential is an issuer's signed statement about one of your documents. Ask for one from a document's page, or " a id="import-link" href="/app/credentials/import" { "import a credential file" } "." }
            h2 { "Your credentials" }
            @if held.is_empty() {
                p id="no-credentials" { "You have no credentials yet." }
            } @else {
                ul id="credential-list" {
                    @for h in &held {
                        li class="card credential" data-credential=(h.record.id.as_str()) {
                            a href={ "/app/credentials/" (h.record.id.as_str()) } {
                                "From " (h.credential.issuer.name().unwrap_or("an issuer not hosted here"))
                            }
                            p class="hint" { "Valid until " (h.credential.claims.valid_until) " · " (revoked_in_words(h.revoked)) }
                        }
                    }
                }
            }
            h2 { "Your requests to issuers" }
            @if requests.is_empty() {
                p id="no-credential-requests" { "You have not asked an issuer yet." }
            } @else {
                ul id="credential-request-list" {
                    @for r in &requests { (request_item(r, &issuer_names)) }
                }
            }
        },
    );
    page(StatusCode::OK, markup)
}

async fn own(state: &AppState, signed: &Signed, id: &CredentialId) -> Result<HeldView, Response> {
    state
        .issuance
        .my_credential(&signed.session.user_id, id)
        .await
        .map_err(|e| from_api(ApiError::from(e), Some(&signed.nav())))
}

/// `GET /app/credentials/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    SignedIn(signed): SignedIn,
    Path(id): Path<CredentialId>,
) -> Response {
    let held = match own(&state, &signed, &id).await {
        Ok(held) => held,
        Err(response) => return response,
    };
    let base = format!("/app/credentials/{}", id.as_str());
    let markup = app_document(
        "A credential",
        Some(&signed.nav()),
        html! {
            h1 { "Credential from " (held.credential.issuer.name().unwrap_or("an issuer not hosted here")) }
            (claims_of(&held))
            p { a id="prove-link" href={ (base) "/prove" } { "Prove something" } }
            p { a id="export-credential-link" href={ (base) "/export" } { "Export (download the credential file)" } }
            p { a id="delete-credential-link" href={ (base) "/delete" } { "Delete this credential" } }
            p { a href="/app/credentials" { "Back to your credentials" } }
        },
    );
    page(StatusCode::OK, markup)
}

/// `GET /app/credentials/{id}/export`: the credential JSON as an attachment.
pub async fn export(
    State(state): State<AppState>,
    SignedIn(signed): SignedIn,
    Path(id): Path<CredentialId>,
) -> Response {
    let held = match own(&state, &signed, &id).await {
        Ok(held) => held,
        Err(response) => return response,
    };
    let json = match serde_json::to_vec_pretty(&held.credential) {
        Ok(json) => json,
        Err(e) => return from_api(ApiError::internal(e), Some(&signed.nav())),
    };
    let mut response = json.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let disposition = format!("attachment; filename=\"{}.json\"", id.as_str());
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).unwrap_or_else(|_| HeaderValue::from_static("attachment")),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /app/credentials/{id}/delete`: the confirmation step.
pub async fn confirm_delete(
    State(state): State<AppState>,
    SignedIn(signed): SignedIn,
    Path(id): Path<CredentialId>,
) -> Response {
    if let Err(response) = own(&state, &signed, &id).await {
        return response;
    }
    let action = format!("/app/credentials/{}/delete", id.as_str());
    let markup = app_document(
        "Delete a credential",
        Some(&signed.nav()),
        html! {
            h1 { "Delete this credential?" }
            p { "It is removed from your vault; you can no longer prove anything with it. Export it first if you may want it back." }
            (button_form("delete-credential-form", &action, &signed.csrf, "Delete for good", "danger"))
            p { a href={ "/app/credentials/" (id.as_str()) } { "No, keep it" } }
        },
    );
    page(StatusCode::OK, markup)
}

/// `POST /app/credentials/{id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<CredentialId>,
    CheckedForm(signed, _form): CheckedForm<TokenOnly>,
) -> Response {
    if let Err(e) = state.issuance.delete_credential(&signed.session.user_id, &id).await {
        return from_api(ApiError::from(e), Some(&signed.nav()));
    }
    tracing::info!(credential_id = %id, "credential deleted");
    see_other("/app/credentials")
}
