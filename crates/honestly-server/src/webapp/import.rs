//! Importing a credential file: a multipart form (the session's CSRF token and the credential
//! JSON), the same service call as `POST /vault/credentials`. A refused file is named in
//! words beside the form; nothing is stored.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use honestly_core::credentials::MAX_CREDENTIAL_JSON_BYTES;
use maud::{html, Markup};

use super::guard::forged_form;
use super::html::{app_document, content_of, csrf_input, error_page, from_api, page, see_other};
use super::session::{Signed, SignedIn};
use crate::error::ApiError;
use crate::routes::documents::{multipart_error, read_file, read_text};
use crate::state::AppState;

/// Largest body of the import form: the credential file and the token, with room for the
/// multipart framing.
pub const IMPORT_BODY_LIMIT: usize = MAX_CREDENTIAL_JSON_BYTES + 8 * 1024;

fn import_page(signed: &Signed, problem: Option<&str>) -> Markup {
    app_document(
        "Import a credential",
        Some(&signed.nav()),
        html! {
            h1 { "Import a credential file" }
            p { "A credential signed for you by any issuer, about one of your documents. Its signature is checked before it is kept." }
            @if let Some(problem) = problem {
                div class="status bad" id="import-error" role="alert" { strong { (problem) } " Nothing was imported." }
            }
            form id="import-form" method="post" action="/app/credentials/import" enctype="multipart/form-data" {
                (csrf_input(&signed.csrf))
                div class="field" {
                    label for="import-file" { "Credential file (JSON)" }
                    input id="import-file" name="file" type="file" required accept="application/json,.json";
                }
                button type="submit" { "Import" }
            }
            p { a href="/app/credentials" { "Back to your credentials" } }
        },
    )
}

/// `GET /app/credentials/import`.
pub async fn form(SignedIn(signed): SignedIn) -> Response {
    page(StatusCode::OK, import_page(&signed, None))
}

async fn read_form(mut multipart: Multipart) -> Result<(Option<String>, Option<Vec<u8>>), ApiError> {
    let (mut csrf, mut file) = (None, None);
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or("") {
            "csrf_token" if csrf.is_none() => csrf = Some(read_text(field, "csrf_token").await?),
            "file" if file.is_none() => {
                file = Some(read_file(field, MAX_CREDENTIAL_JSON_BYTES as u64, 0).await?.0);
            }
            _ => return Err(ApiError::validation("The form has a field it should not have.")),
        }
    }
    Ok((csrf, file))
}

/// `POST /app/credentials/import`: keeps the credential and shows it (303).
pub async fn import(
    State(state): State<AppState>,
    SignedIn(signed): SignedIn,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    // The origin is checked before the body is read; the token once it is.
    if let Some(refused) = forged_form(&state, &headers, &signed, Some(&signed.csrf)) {
        return refused;
    }
    let multipart = match multipart {
        Ok(m) => m,
        Err(rejection) => return from_api(rejection.into(), Some(&signed.nav())),
    };
    let (csrf, file) = match read_form(multipart).await {
        Ok(read) => read,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            let problem = format!("A credential file is at most {MAX_CREDENTIAL_JSON_BYTES} bytes.");
            return page(StatusCode::PAYLOAD_TOO_LARGE, import_page(&signed, Some(&problem)));
        }
        Err(e) => return from_api(e, Some(&signed.nav())),
    };
    if let Some(refused) = forged_form(&state, &headers, &signed, csrf.as_deref()) {
        return refused;
    }
    let Some(file) = file.filter(|f| !f.is_empty()) else {
        return page(StatusCode::BAD_REQUEST, import_page(&signed, Some("Choose a credential file.")));
    };
    match state.issuance.import_credential(&signed.session.user_id, &file).await {
        Ok(view) => {
            tracing::info!(credential_id = %view.record.id, "credential imported");
            see_other(&format!("/app/credentials/{}", view.record.id.as_str()))
        }
        Err(e) => {
            let (status, content, _) = content_of(ApiError::from(e));
            if status.is_client_error() && status != StatusCode::NOT_FOUND {
                let reasons: Vec<String> =
                    content.fields.iter().flatten().map(|(k, v)| format!("{k}: {v}")).collect();
                let problem = format!("{} {}", content.message, reasons.join("; "));
                return page(status, import_page(&signed, Some(&problem)));
            }
            error_page(status, "That did not work", &content, Some(&signed.nav()))
        }
    }
}
