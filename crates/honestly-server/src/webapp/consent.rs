//! Answering a proof request from its page (`/r/{token}`): for a signed-in holder, which of
//! their credentials would answer it (and why the others would not), the "answer with this
//! credential" and "decline" forms (for a self-declared age: a document and the birth date
//! they declare), and their `POST`s, which call the same service function
//! as `POST /requests/{token}/respond`. Afterwards the holder goes to the request's
//! `redirect_url` when it has one, else to a result page in words.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use honestly_core::clock::Timestamp;
use honestly_core::credentials::CalendarDate;
use honestly_core::ids::{CredentialId, DocumentId};
use honestly_core::issuance::held::HeldView;
use honestly_core::proof_requests::respond::Answer;
use honestly_core::proof_requests::{ProofRequestRecord, RequestedProof};
use honestly_core::zk::credential_proofs::unmet_predicate;
use maud::{html, Markup};
use serde::Deserialize;

use super::guard::{csrf_form, CheckedForm};
use super::html::{app_document, csrf_input, from_api, page, see_other};
use super::session::{percent_encode, sign_in_url, Signed, SignedIn};
use super::sign_in::TokenOnly;
use crate::error::ApiError;
use crate::extract::{Path, Query};
use crate::state::AppState;

/// The consent form's body: a credential, or for a self-declared age request a document and
/// the declared birth date.
#[derive(Deserialize)]
pub struct ConsentForm {
    /// The session's CSRF token.
    pub csrf_token: Option<String>,
    /// The chosen credential (`crd_…`).
    pub credential_id: Option<String>,
    /// The document a self-declared age is proven about (`doc_…`).
    pub document_id: Option<String>,
    /// The birth date the holder declares (`YYYY-MM-DD`).
    pub birth_date: Option<String>,
}

csrf_form!(ConsentForm);

/// The most documents offered for a self-declared age.
const DECLARE_DOCUMENTS: u32 = 50;

/// `?status=` of the result page.
#[derive(Deserialize)]
pub struct ResultQuery {
    /// `completed` or `declined`.
    pub status: Option<String>,
}

/// One of the holder's credentials and whether it can answer.
struct Candidate {
    held: HeldView,
    issuer: String,
    /// Why it cannot answer, in words; `None` when it can.
    problem: Option<&'static str>,
}

/// Why a credential's claims do not meet a predicate, in words.
fn unmet_in_words(predicate: &str) -> &'static str {
    match predicate {
        "min_age" => "it does not show the age asked for",
        "not_expired" => "the document it attests has expired",
        "nationality_in" => "its nationality is not one the verifier accepts",
        "nationality_not_in" => "its nationality is one the verifier excludes",
        _ => "what it says does not meet the request",
    }
}

async fn candidates(
    state: &AppState,
    holder: &Signed,
    request: &ProofRequestRecord,
) -> Result<Vec<Candidate>, ApiError> {
    let mut trusted = Vec::with_capacity(request.spec.trusted_issuers.len());
    for id in &request.spec.trusted_issuers {
        if let Some(issuer) = state.store.issuer(id).await? {
            trusted.push(issuer);
        }
    }
    let held = state.issuance.my_credentials(&holder.session.user_id).await?;
    let today = CalendarDate::of_timestamp(Timestamp::now()).map_err(ApiError::internal)?;
    let predicates = request.spec.query.predicates().ok();
    Ok(held
        .into_iter()
        .map(|held| {
            let issuer = trusted.iter().find(|i| i.public_key == held.record.issuer_key);
            let problem = if issuer.is_none() {
                Some("its issuer is not one this verifier accepts")
            } else if held.revoked == Some(true) {
                Some("its issuer has revoked it")
            } else if held.credential.claims.issued_at > today {
                Some("it is not valid yet")
            } else if !held.credential.claims.is_valid_on(today) {
                Some("it has expired")
            } else {
                predicates
                    .as_ref()
                    .and_then(|p| unmet_predicate(&held.credential, p, today))
                    .map(unmet_in_words)
            };
            let issuer = issuer
                .map_or_else(|| "an issuer this verifier does not accept".to_string(), |i| i.name.clone());
            Candidate { held, issuer, problem }
        })
        .collect())
}

fn valid_until(yyyymmdd: u32) -> String {
    format!("{:04}-{:02}-{:02}", yyyymmdd / 10_000, yyyymmdd / 100 % 100, yyyymmdd % 100)
}

/// The "how to answer" part of a pending request's page.
pub async fn answer_section(
    state: &AppState,
    signed: Option<&Signed>,
    request: &ProofRequestRecord,
    token: &str,
) -> Markup {
    let Some(signed) = signed else {
        return html! {
            h2 { "How to answer" }
            p { a id="sign-in-to-answer" href=(sign_in_url(&format!("/r/{token}"))) { "Sign in to answer" }
                " with one of the credentials in your Honestly vault, or to decline." }
        };
    };
    if request.spec.proof_type == RequestedProof::SelfDeclaredAge {
        return declare_section(state, signed, token).await;
    }
    let candidates = match candidates(state, signed, request).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(code = e.code(), "the holder's credentials could not be read for a request page");
            Vec::new()
        }
    };
    let token_path = percent_encode(token);
    let usable: Vec<&Candidate> = candidates.iter().filter(|c| c.problem.is_none()).collect();
    html! {
        h2 { "Your answer" }
        p { "Signed in as " strong { (signed.username) } "." }
        @if usable.is_empty() {
            div class="status none" id="no-qualifying-credential" {
                strong { "None of your credentials can answer this request." }
                @if candidates.is_empty() {
                    "You have no credentials yet: ask an issuer for one first."
                } @else {
                    "See below why each one does not qualify."
                }
            }
        } @else {
            form id="consent-form" method="post" action={ "/r/" (token_path) "/answer" } {
                (csrf_input(&signed.csrf))
                fieldset {
                    legend { "Answer with this credential" }
                    @for (i, c) in usable.iter().enumerate() {
                        div class="field" {
                            input type="radio" name="credential_id" id={ "credential-" (c.held.record.id.as_str()) }
                                value=(c.held.record.id.as_str()) required checked[i == 0];
                            label for={ "credential-" (c.held.record.id.as_str()) } {
                                "Credential from " (c.issuer) ", valid until " (valid_until(c.held.record.valid_until))
                            }
                        }
                    }
                }
                p class="hint" { "A zero-knowledge proof is made from it: only what is listed above is revealed." }
                button type="submit" { "Answer with this credential" }
            }
        }
        @let unusable: Vec<&Candidate> = candidates.iter().filter(|c| c.problem.is_some()).collect();
        @if !unusable.is_empty() {
            h2 { "Credentials that cannot answer" }
            ul id="unqualified-credentials" {
                @for c in unusable {
                    li data-credential=(c.held.record.id.as_str()) {
                        "Credential from " (c.issuer) ": cannot answer because " (c.problem.unwrap_or("it does not qualify")) "."
                    }
                }
            }
        }
        form id="decline-form" method="post" action={ "/r/" (token_path) "/decline" } {
            (csrf_input(&signed.csrf))
            button type="submit" class="secondary" { "Decline" }
        }
    }
}

/// The answer to a self-declared age request: one of the holder's documents and the birth
/// date they declare (nobody vouches for it, and the form says so), or a decline.
async fn declare_section(state: &AppState, signed: &Signed, token: &str) -> Markup {
    let documents = match state.documents.list(&signed.session.user_id, None, Some(DECLARE_DOCUMENTS)).await {
        Ok(page) => page.documents,
        Err(e) => {
            tracing::warn!(error = %e, "the holder's documents could not be read for a request page");
            Vec::new()
        }
    };
    let token_path = percent_encode(token);
    html! {
        h2 { "Your answer" }
        p { "Signed in as " strong { (signed.username) } "." }
        @if documents.is_empty() {
            div class="status none" id="no-qualifying-credential" {
                strong { "You have no documents yet." }
                "Upload the document your birth date is on first."
            }
        } @else {
            form id="consent-form" method="post" action={ "/r/" (token_path) "/answer" } {
                (csrf_input(&signed.csrf))
                div class="field" {
                    label for="declare-document" { "The document your birth date is on" }
                    select id="declare-document" name="document_id" required {
                        @for doc in &documents {
                            option value=(doc.id.as_str()) { (doc.file_name) }
                        }
                    }
                }
                div class="field" {
                    label for="declare-birth-date" { "Your birth date" }
                    input type="date" id="declare-birth-date" name="birth_date" required
                        aria-describedby="declare-birth-date-hint";
                    p class="hint" id="declare-birth-date-hint" {
                        "You declare it yourself: the verifier is told that nobody vouches for it. Only whether you are old enough is revealed."
                    }
                }
                button type="submit" { "Answer with this declaration" }
            }
        }
        form id="decline-form" method="post" action={ "/r/" (token_path) "/decline" } {
            (csrf_input(&signed.csrf))
            button type="submit" class="secondary" { "Decline" }
        }
    }
}

/// Where to go after an answer: the request's `redirect_url`, else the result page.
fn after(request: &ProofRequestRecord) -> Response {
    match &request.spec.redirect_url {
        Some(url) if axum::http::HeaderValue::from_str(url).is_ok() => see_other(url),
        _ => see_other(&format!("/app/answered?status={}", request.status.as_str())),
    }
}

async fn answer(state: &AppState, signed: &Signed, token: &str, answer: Answer) -> Response {
    match state.proof_requests.respond(&signed.session.user_id, token, &answer).await {
        Ok(request) => {
            tracing::info!(request_id = %request.id, status = %request.status, "proof request answered from its page");
            after(&request)
        }
        Err(e) => from_api(e.into(), Some(&signed.nav())),
    }
}

/// `POST /r/{token}/answer`.
pub async fn consent(
    State(state): State<AppState>,
    Path(token): Path<String>,
    CheckedForm(signed, form): CheckedForm<ConsentForm>,
) -> Response {
    let chosen = match (form.credential_id, form.document_id, form.birth_date) {
        (Some(id), None, None) => {
            id.parse::<CredentialId>().map(Answer::Credential).map_err(|_| ApiError::not_found())
        }
        (None, Some(document), Some(birth_date)) => document
            .parse::<DocumentId>()
            .map(|document| Answer::SelfDeclared { document, birth_date })
            .map_err(|_| ApiError::not_found()),
        _ => Err(ApiError::validation("choose a credential, or a document and your birth date")),
    };
    match chosen {
        Ok(chosen) => answer(&state, &signed, &token, chosen).await,
        Err(e) => from_api(e, Some(&signed.nav())),
    }
}

/// `POST /r/{token}/decline`.
pub async fn decline(
    State(state): State<AppState>,
    Path(token): Path<String>,
    CheckedForm(signed, _form): CheckedForm<TokenOnly>,
) -> Response {
    answer(&state, &signed, &token, Answer::Decline).await
}

/// `GET /app/answered`: the result of an answer, in words.
pub async fn answered(SignedIn(signed): SignedIn, Query(q): Query<ResultQuery>) -> Response {
    let (title, words) = match q.status.as_deref() {
        Some("completed") => (
            "Your proof was sent",
            "The verifier received a proof that checks out. Nothing else about you was revealed.",
        ),
        Some("declined") => {
            ("You declined", "The verifier was told that you declined. Nothing about you was shared.")
        }
        _ => ("Your answer was recorded", "The verifier has your answer."),
    };
    let markup = app_document(
        title,
        Some(&signed.nav()),
        html! {
            h1 { (title) }
            div class="status ok" id="answer-result" { strong { (title) } (words) }
            p { a href="/app" { "Back to your vault" } }
        },
    );
    page(StatusCode::OK, markup)
}
