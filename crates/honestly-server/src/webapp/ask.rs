//! "Ask an issuer to vouch for this document": the form (issuer, birth date, nationality,
//! document expiry) and its answer, the same service call as
//! `POST /vault/documents/{id}/credential-requests`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use honestly_core::credentials::{CalendarDate, Country};
use honestly_core::ids::{DocumentId, IssuerId};
use honestly_core::issuance::model::IssuerRecord;
use honestly_core::issuance::requests::RequestedClaims;
use maud::{html, Markup};
use serde::Deserialize;

use super::guard::{once_form, CheckedForm};
use super::html::{app_document, content_of, csrf_input, from_api, page, see_other};
use super::once::once_input;
use super::session::{Signed, SignedIn};
use crate::error::ApiError;
use crate::extract::Path;
use crate::state::AppState;

/// The ask form's body (every field optional, so a missing one is named, not a 400 blank).
#[derive(Deserialize, Default)]
pub struct AskForm {
    /// The session's CSRF token.
    pub csrf_token: Option<String>,
    /// The form's one-time value (see [`super::once`]).
    pub once: Option<String>,
    /// `iss_…`.
    pub issuer_id: Option<String>,
    /// `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// ISO 3166-1 alpha-3.
    pub nationality: Option<String>,
    /// `YYYY-MM-DD`, empty when the document has none.
    pub document_expiry: Option<String>,
}

once_form!(AskForm);

type Problems = BTreeMap<String, String>;

fn field_error(problems: &Problems, name: &str) -> Markup {
    html! {
        @if let Some(reason) = problems.get(name) {
            p class="status bad" id={ "ask-" (name) "-error" } role="alert" { (reason) }
        }
    }
}

fn ask_page(
    signed: &Signed,
    document_id: &DocumentId,
    issuers: &[IssuerRecord],
    form: &AskForm,
    problems: &Problems,
) -> Markup {
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    let action = format!("/app/documents/{}/ask", document_id.as_str());
    app_document(
        "Ask an issuer",
        Some(&signed.nav()),
        html! {
            h1 { "Ask an issuer to vouch for this document" }
            p { "The issuer sees this document and the facts you state, checks them, and signs a credential you keep. You can then prove facts from it without showing the document." }
            @if !problems.is_empty() {
                div class="status bad" id="ask-error" role="alert" { strong { "The request was not sent." } " Check the fields marked below." }
            }
            @if issuers.is_empty() {
                p id="no-issuers" { "No issuer is published on this server yet." }
            } @else {
                form id="ask-form" method="post" action=(action) {
                    (csrf_input(&signed.csrf))
                    (once_input())
                    div class="field" {
                        label for="ask-issuer" { "Issuer" }
                        select id="ask-issuer" name="issuer_id" required {
                            @for issuer in issuers {
                                option value=(issuer.id.as_str())
                                    selected[form.issuer_id.as_deref() == Some(issuer.id.as_str())] { (issuer.name) }
                            }
                        }
                        (field_error(problems, "issuer_id"))
                    }
                    div class="field" {
                        label for="ask-birth-date" { "Your birth date" }
                        input id="ask-birth-date" name="birth_date" type="date" required value=(value(&form.birth_date));
                        (field_error(problems, "birth_date"))
                    }
                    div class="field" {
                        label for="ask-nationality" { "Nationality (three letters, e.g. DEU)" }
                        input id="ask-nationality" name="nationality" type="text" required maxlength="3"
                            autocomplete="off" value=(value(&form.nationality));
                        (field_error(problems, "nationality"))
                    }
                    div class="field" {
                        label for="ask-document-expiry" { "Document expiry (empty if it has none)" }
                        input id="ask-document-expiry" name="document_expiry" type="date" value=(value(&form.document_expiry));
                        (field_error(problems, "document_expiry"))
                    }
                    button type="submit" { "Send the request" }
                }
            }
            p { a href={ "/app/documents/" (document_id.as_str()) } { "Back to the document" } }
        },
    )
}

/// The claims and issuer of `form`, or each refused field in words.
fn read(form: &AskForm) -> Result<(IssuerId, RequestedClaims), Problems> {
    let mut problems = Problems::new();
    let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or("").to_string();
    let issuer = IssuerId::parse(&text(&form.issuer_id))
        .map_err(|_| problems.insert("issuer_id".into(), "Choose an issuer from the list.".into()))
        .ok();
    let birth_date = CalendarDate::parse_iso(&text(&form.birth_date))
        .map_err(|_| problems.insert("birth_date".into(), "Enter a date like 1990-04-30.".into()))
        .ok();
    let nationality = Country::parse(&text(&form.nationality).to_ascii_uppercase())
        .map_err(|_| problems.insert("nationality".into(), "Enter a country code like DEU or FRA.".into()))
        .ok();
    let expiry_text = text(&form.document_expiry);
    let document_expiry = if expiry_text.is_empty() {
        Some(None)
    } else {
        CalendarDate::parse_iso(&expiry_text)
            .map(Some)
            .map_err(|_| {
                problems.insert(
                    "document_expiry".into(),
                    "Enter a date like 2031-06-30, or leave it empty.".into(),
                )
            })
            .ok()
    };
    match (issuer, birth_date, nationality, document_expiry) {
        (Some(issuer), Some(birth_date), Some(nationality), Some(document_expiry)) if problems.is_empty() => {
            Ok((issuer, RequestedClaims { birth_date, nationality, document_expiry }))
        }
        _ => Err(problems),
    }
}

async fn context(state: &AppState, signed: &Signed, id: &DocumentId) -> Result<Vec<IssuerRecord>, Response> {
    let nav = signed.nav();
    state.documents.get(&signed.session.user_id, id).await.map_err(|e| from_api(e.into(), Some(&nav)))?;
    state.issuance.issuers().await.map_err(|e| from_api(ApiError::from(e), Some(&nav)))
}

/// `GET /app/documents/{id}/ask`.
pub async fn form(
    State(state): State<AppState>,
    SignedIn(signed): SignedIn,
    Path(id): Path<DocumentId>,
) -> Response {
    match context(&state, &signed, &id).await {
        Ok(issuers) => {
            page(StatusCode::OK, ask_page(&signed, &id, &issuers, &AskForm::default(), &Problems::new()))
        }
        Err(response) => response,
    }
}

/// `POST /app/documents/{id}/ask`: sends the request, then the credentials page.
pub async fn ask(
    State(state): State<AppState>,
    Path(id): Path<DocumentId>,
    CheckedForm(signed, form): CheckedForm<AskForm>,
) -> Response {
    let issuers = match context(&state, &signed, &id).await {
        Ok(issuers) => issuers,
        Err(response) => return response,
    };
    let (issuer_id, claims) = match read(&form) {
        Ok(read) => read,
        Err(problems) => {
            return page(StatusCode::BAD_REQUEST, ask_page(&signed, &id, &issuers, &form, &problems))
        }
    };
    match state.issuance.request_credential(&signed.session.user_id, &id, &issuer_id, claims).await {
        Ok(view) => {
            tracing::info!(request_id = %view.record.id, issuer_id = %issuer_id, "credential requested");
            see_other("/app/credentials")
        }
        Err(e) => {
            let (status, content, _) = content_of(ApiError::from(e));
            match content.fields {
                Some(fields) if status == StatusCode::BAD_REQUEST => {
                    let problems = fields
                        .into_iter()
                        .map(|(k, v)| (k.trim_start_matches("claims.").to_string(), v))
                        .collect::<Problems>();
                    page(status, ask_page(&signed, &id, &issuers, &form, &problems))
                }
                _ => super::html::error_page(status, "That did not work", &content, Some(&signed.nav())),
            }
        }
    }
}
