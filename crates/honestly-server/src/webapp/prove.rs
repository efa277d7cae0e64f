//! Making proofs from pages: "Prove something" from a credential (predicates in words, the same
//! call as `POST /vault/credentials/{id}/proofs`) and "Prove my age (self-declared)" from a
//! document (`age_proof_v2`, the same call as `POST /vault/documents/{id}/proofs`), and
//! "Prove this document is in the registry" (`authenticity_proof`, the same call).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use honestly_core::ids::{CredentialId, DocumentId};
use honestly_core::zk::credential_proofs::{CountryInput, CredentialQuery};
use honestly_core::zk::ProofRequest;
use maud::{html, Markup};
use serde::Deserialize;

use super::guard::{once_form, CheckedForm};
use super::html::{app_document, content_of, csrf_input, error_page, from_api, page, see_other};
use super::once::once_input;
use super::session::{Signed, SignedIn};
use crate::error::ApiError;
use crate::extract::Path;
use crate::state::AppState;

/// Countries one nationality field accepts.
const MAX_COUNTRIES: usize = 8;

/// What a proof made from a page is for, unless the person says otherwise.
const DEFAULT_SCOPE: &str = "share-link";

/// The prove form's body.
#[derive(Deserialize, Default)]
pub struct ProveForm {
    /// The session's CSRF token.
    pub csrf_token: Option<String>,
    /// The form's one-time value (see [`super::once`]).
    pub once: Option<String>,
    /// At least this many years old; empty for no age predicate.
    pub min_age: Option<String>,
    /// `on` when checked.
    pub not_expired: Option<String>,
    /// Comma-separated codes.
    pub nationality_in: Option<String>,
    /// Comma-separated codes.
    pub nationality_not_in: Option<String>,
    /// `on` when checked.
    pub disclose_nationality: Option<String>,
}

once_form!(ProveForm);

/// A predicate's name as a person reads it.
pub fn predicate_in_words(predicate: &str) -> &'static str {
    match predicate {
        "min_age" => "being at least the age you asked for",
        "not_expired" => "the document not being expired",
        "nationality_in" => "the nationality being in your list",
        "nationality_not_in" => "the nationality not being in your list",
        _ => "one of the conditions you asked for",
    }
}

fn checked(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|v| !v.is_empty())
}

fn text(v: &Option<String>) -> &str {
    v.as_deref().map_or("", str::trim)
}

fn prove_page(signed: &Signed, id: &CredentialId, form: &ProveForm, problem: Option<&str>) -> Markup {
    let action = format!("/app/credentials/{}/prove", id.as_str());
    app_document(
        "Prove something",
        Some(&signed.nav()),
        html! {
            h1 { "Prove something from this credential" }
            p { "Choose what to prove. The proof shows only that; your birth date and document stay hidden." }
            @if let Some(problem) = problem {
                div class="status bad" id="prove-error" role="alert" { strong { (problem) } " No proof was made." }
            }
            form id="prove-form" method="post" action=(action) {
                (csrf_input(&signed.csrf))
                (once_input())
                div class="field" {
                    label for="prove-min-age" { "At least this many years old (empty for none)" }
                    input id="prove-min-age" name="min_age" type="number" min="1" max="150" value=(text(&form.min_age));
                }
                div class="field" {
                    input id="prove-not-expired" name="not_expired" type="checkbox" value="on" checked[checked(&form.not_expired)];
                    label for="prove-not-expired" { "The document has not expired" }
                }
                div class="field" {
                    label for="prove-nationality-in" { "Nationality is one of (codes separated by commas, e.g. DEU, FRA)" }
                    input id="prove-nationality-in" name="nationality_in" type="text" maxlength="64" value=(text(&form.nationality_in));
                }
                div class="field" {
                    label for="prove-nationality-not-in" { "Nationality is none of (codes separated by commas)" }
                    input id="prove-nationality-not-in" name="nationality_not_in" type="text" maxlength="64" value=(text(&form.nationality_not_in));
                }
                div class="field" {
                    input id="prove-disclose-nationality" name="disclose_nationality" type="checkbox" value="on" checked[checked(&form.disclose_nationality)];
                    label for="prove-disclose-nationality" { "Reveal my nationality" }
                }
                button type="submit" { "Make the proof" }
            }
            p { a href={ "/app/credentials/" (id.as_str()) } { "Back to the credential" } }
        },
    )
}

fn countries(raw: &str) -> Result<Option<Vec<CountryInput>>, String> {
    let codes: Vec<CountryInput> = raw
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .take(MAX_COUNTRIES + 1)
        .map(|c| CountryInput::Text(c.to_ascii_uppercase()))
        .collect();
    if codes.len() > MAX_COUNTRIES {
        return Err(format!("Name at most {MAX_COUNTRIES} countries."));
    }
    Ok((!codes.is_empty()).then_some(codes))
}

fn query_of(form: &ProveForm) -> Result<CredentialQuery, String> {
    let min_age = match text(&form.min_age) {
        "" => None,
        age => Some(age.parse::<u64>().map_err(|_| "The age must be a whole number.".to_string())?),
    };
    Ok(CredentialQuery {
        min_age,
        not_expired: checked(&form.not_expired).then_some(true),
        nationality_in: countries(text(&form.nationality_in))?,
        nationality_not_in: countries(text(&form.nationality_not_in))?,
        disclose: checked(&form.disclose_nationality).then(|| vec!["nationality".to_string()]),
    })
}

/// `GET /app/credentials/{id}/prove`.
pub async fn form(
    State(state): State<AppState>,
    SignedIn(signed): SignedIn,
    Path(id): Path<CredentialId>,
) -> Response {
    if let Err(e) = state.issuance.my_credential(&signed.session.user_id, &id).await {
        return from_api(ApiError::from(e), Some(&signed.nav()));
    }
    page(StatusCode::OK, prove_page(&signed, &id, &ProveForm::default(), None))
}

/// `POST /app/credentials/{id}/prove`: makes the proof, then its page.
pub async fn prove(
    State(state): State<AppState>,
    Path(id): Path<CredentialId>,
    CheckedForm(signed, form): CheckedForm<ProveForm>,
) -> Response {
    let query = match query_of(&form) {
        Ok(query) => query,
        Err(problem) => {
            return page(StatusCode::BAD_REQUEST, prove_page(&signed, &id, &form, Some(&problem)))
        }
    };
    let made =
        state.issuance.prove(&state.zk, &signed.session.user_id, &id, &query, DEFAULT_SCOPE, None).await;
    match made {
        Ok(made) => {
            tracing::info!(proof_id = %made.record.id, credential_id = %id, "credential proof created");
            see_other(&format!("/app/proofs/{}", made.record.id.as_str()))
        }
        Err(e) => {
            let (status, content, _) = content_of(ApiError::from(e));
            let fields = content.fields.clone().unwrap_or_default();
            let problem = match (status.as_u16(), fields.get("predicate")) {
                (422, Some(predicate)) => {
                    format!("Your credential does not support {}.", predicate_in_words(predicate))
                }
                (422, None) => format!("This credential cannot prove that: {}", content.message),
                (400, _) => {
                    let reasons: Vec<String> = fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                    format!("{} {}", content.message, reasons.join("; "))
                }
                _ => return error_page(status, "That did not work", &content, Some(&signed.nav())),
            };
            page(status, prove_page(&signed, &id, &form, Some(&problem)))
        }
    }
}

/// The self-declared age form's body.
#[derive(Deserialize, Default)]
pub struct AgeForm {
    /// The session's CSRF token.
    pub csrf_token: Option<String>,
    /// The form's one-time value (see [`super::once`]).
    pub once: Option<String>,
    /// `YYYY-MM-DD`, as declared.
    pub birth_date: Option<String>,
    /// At least this many years old.
    pub min_age: Option<String>,
}

once_form!(AgeForm);

fn age_page(signed: &Signed, id: &DocumentId, form: &AgeForm, problem: Option<&str>) -> Markup {
    let action = format!("/app/documents/{}/prove-age", id.as_str());
    app_document(
        "Prove my age (self-declared)",
        Some(&signed.nav()),
        html! {
            h1 { "Prove my age (self-declared)" }
            p { "You state your birth date; the proof shows only that you are at least the age you choose. Nobody vouches for the birth date: a verifier sees it is self-declared." }
            @if let Some(problem) = problem {
                div class="status bad" id="prove-age-error" role="alert" { strong { (problem) } " No proof was made." }
            }
            form id="prove-age-form" method="post" action=(action) {
                (csrf_input(&signed.csrf))
                (once_input())
                div class="field" {
                    label for="prove-age-birth-date" { "Your birth date" }
                    input id="prove-age-birth-date" name="birth_date" type="date" required value=(text(&form.birth_date));
                }
                div class="field" {
                    label for="prove-age-min-age" { "At least this many years old" }
                    input id="prove-age-min-age" name="min_age" type="number" min="0" max="150" required value=(text(&form.min_age));
                }
                button type="submit" { "Make the proof" }
            }
            p { a href={ "/app/documents/" (id.as_str()) } { "Back to the document" } }
        },
    )
}

/// `GET /app/documents/{id}/prove-age`.
pub async fn age_form(
    State(state): State<AppState>,
    SignedIn(signed): SignedIn,
    Path(id): Path<DocumentId>,
) -> Response {
    if let Err(e) = state.documents.get(&signed.session.user_id, &id).await {
        return from_api(e.into(), Some(&signed.nav()));
    }
    page(StatusCode::OK, age_page(&signed, &id, &AgeForm::default(), None))
}

/// `POST /app/documents/{id}/prove-age`: an `age_proof_v2`, then its page.
pub async fn prove_age(
    State(state): State<AppState>,
    Path(id): Path<DocumentId>,
    CheckedForm(signed, form): CheckedForm<AgeForm>,
) -> Response {
    let Ok(min_age) = text(&form.min_age).parse::<u64>() else {
        return page(
            StatusCode::BAD_REQUEST,
            age_page(&signed, &id, &form, Some("The age must be a whole number.")),
        );
    };
    let request = ProofRequest::Age { birth_date: text(&form.birth_date).to_string(), min_age };
    match state.proofs.create(&signed.session.user_id, &id, request).await {
        Ok(proof) => {
            tracing::info!(proof_id = %proof.id, proof_type = %proof.proof_type, "proof created");
            see_other(&format!("/app/proofs/{}", proof.id.as_str()))
        }
        Err(e) => {
            let (status, content, _) = content_of(e.into());
            if status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY {
                let reasons: Vec<String> =
                    content.fields.iter().flatten().map(|(k, v)| format!("{k}: {v}")).collect();
                let problem = format!("{} {}", content.message, reasons.join("; "));
                return page(status, age_page(&signed, &id, &form, Some(&problem)));
            }
            error_page(status, "That did not work", &content, Some(&signed.nav()))
        }
    }
}

/// The authenticity form's body: nothing to choose, only the guards.
#[derive(Deserialize, Default)]
pub struct AuthenticityForm {
    /// The session's CSRF token.
    pub csrf_token: Option<String>,
    /// The form's one-time value (see [`super::once`]).
    pub once: Option<String>,
}

once_form!(AuthenticityForm);

fn authenticity_page(signed: &Signed, id: &DocumentId, file_name: &str) -> Markup {
    let action = format!("/app/documents/{}/prove-authenticity", id.as_str());
    app_document(
        "Prove this document is in the registry",
        Some(&signed.nav()),
        html! {
            h1 { "Prove " (file_name) " is in the registry" }
            p { "Every document you add is registered in Honestly's document registry. The proof shows that a document with this fingerprint (its SHA-256) is in the registry: whoever checks it sees the fingerprint, not the file, and not its position in the registry." }
            p { "It does not say what the document is or who issued it: to have facts vouched for, ask an issuer for a credential instead." }
            form id="prove-authenticity-form" method="post" action=(action) {
                (csrf_input(&signed.csrf))
                (once_input())
                button type="submit" { "Make the proof" }
            }
            p { a href={ "/app/documents/" (id.as_str()) } { "Back to the document" } }
        },
    )
}

/// `GET /app/documents/{id}/prove-authenticity`.
pub async fn authenticity_form(
    State(state): State<AppState>,
    SignedIn(signed): SignedIn,
    Path(id): Path<DocumentId>,
) -> Response {
    match state.documents.get(&signed.session.user_id, &id).await {
        Ok(meta) => page(StatusCode::OK, authenticity_page(&signed, &id, &meta.file_name)),
        Err(e) => from_api(e.into(), Some(&signed.nav())),
    }
}

/// `POST /app/documents/{id}/prove-authenticity`: an `authenticity_proof`, then its page
/// (where it can be shared as a link).
pub async fn prove_authenticity(
    State(state): State<AppState>,
    Path(id): Path<DocumentId>,
    CheckedForm(signed, _form): CheckedForm<AuthenticityForm>,
) -> Response {
    match state.proofs.create(&signed.session.user_id, &id, ProofRequest::Authenticity).await {
        Ok(proof) => {
            tracing::info!(proof_id = %proof.id, proof_type = %proof.proof_type, "proof created");
            see_other(&format!("/app/proofs/{}", proof.id.as_str()))
        }
        Err(e) => from_api(e.into(), Some(&signed.nav())),
    }
}
