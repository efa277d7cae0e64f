//! The issuer console: the queue of credential requests to the member's issuer (pending
//! first), one request with its claims and its document (seen through that request only, and
//! audit-noted as the JSON route does), and the approve (claims editable, valid until) and
//! reject (reason) forms. Issuer members only; another issuer's request is a 404 page.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use honestly_core::ids::CredentialRequestId;
use honestly_core::issuance::requests::{Approval, RequestView, RequestedClaims, ReviewView};
use honestly_core::issuance::RequestStatus;
use maud::{html, Markup};
use serde::Deserialize;

use super::console::{Admitted, AdmittedForm, Console, Issuers};
use super::guard::csrf_form;
use super::html::{app_document, csrf_input, from_api, page, see_other};
use super::session::{Signed, SignedIn};
use crate::error::ApiError;
use crate::extract::{Ctx, Path};
use crate::pages::format::date_time;
use crate::routes::issuance_views::ClaimsView;
use crate::state::AppState;

/// Requests listed per section of the queue.
const PER_SECTION: u32 = 50;

fn status_in_words(status: RequestStatus) -> &'static str {
    match status {
        RequestStatus::Pending => "Waiting for a decision",
        RequestStatus::Approved => "Approved: the credential was issued",
        RequestStatus::Rejected => "Rejected",
        RequestStatus::Withdrawn => "Withdrawn by the holder",
    }
}

fn claims_in_words(claims: &ClaimsView) -> Markup {
    html! {
        dl {
            dt { "Birth date" } dd { (claims.birth_date) }
            dt { "Nationality" } dd { (claims.nationality.as_deref().unwrap_or("not stated")) }
            dt { "Document expiry" } dd { (claims.document_expiry.as_deref().unwrap_or("none")) }
        }
    }
}

fn queue_item(view: &RequestView) -> Markup {
    let r = &view.record;
    html! {
        li class="card credential-request" data-id=(r.id.as_str()) {
            a href={ "/app/issuer/requests/" (r.id.as_str()) } { "Request " (r.id.as_str()) }
            p class="hint" { (status_in_words(r.status)) " · asked " (date_time(r.created_at)) }
        }
    }
}

/// `GET /app/issuer`: pending requests first, then the decided ones.
pub async fn queue(State(state): State<AppState>, Admitted(signed, _): Admitted<Issuers>) -> Response {
    let nav = signed.nav();
    let member = &signed.session.user_id;
    let pending = state.issuance.review_queue(member, Some(RequestStatus::Pending), None, PER_SECTION).await;
    let all = state.issuance.review_queue(member, None, None, PER_SECTION).await;
    let ((issuer, pending), (_, all)) = match (pending, all) {
        (Ok(p), Ok(a)) => (p, a),
        (Err(e), _) | (_, Err(e)) => return from_api(ApiError::from(e), Some(&nav)),
    };
    let decided: Vec<&RequestView> =
        all.iter().filter(|v| v.record.status != RequestStatus::Pending).collect();
    let markup = app_document(
        "Credential requests",
        Some(&nav),
        html! {
            h1 { "Credential requests to " (issuer.name) }
            p { a id="issued-link" href="/app/issuer/credentials" { "Credentials issued" } }
            section id="issuer-queue" {
                h2 { "Waiting for a decision" }
                @if pending.is_empty() { p id="no-pending" { "Nothing waits for a decision." } }
                ul { @for view in &pending { (queue_item(view)) } }
                h2 { "Decided" }
                @if decided.is_empty() { p { "Nothing decided yet." } }
                ul { @for view in &decided { (queue_item(view)) } }
            }
        },
    );
    page(StatusCode::OK, markup)
}

fn decision_forms(signed: &Signed, id: &str, claims: &ClaimsView) -> Markup {
    html! {
        h2 { "Approve" }
        form id="approve-form" method="post" action={ "/app/issuer/requests/" (id) "/approve" } {
            (csrf_input(&signed.csrf))
            p class="hint" { "Correct the claims if the document says otherwise; the credential attests what is here." }
            div class="field" {
                label for="birth_date" { "Birth date (YYYY-MM-DD)" }
                input id="birth_date" name="birth_date" type="text" required maxlength="10" value=(claims.birth_date);
            }
            div class="field" {
                label for="nationality" { "Nationality (ISO code such as DEU; empty when not stated)" }
                input id="nationality" name="nationality" type="text" maxlength="3"
                    value=(claims.nationality.as_deref().unwrap_or(""));
            }
            div class="field" {
                label for="document_expiry" { "Document expiry (YYYY-MM-DD; empty when none)" }
                input id="document_expiry" name="document_expiry" type="text" maxlength="10"
                    value=(claims.document_expiry.as_deref().unwrap_or(""));
            }
            div class="field" {
                label for="valid_until" { "Credential valid until (YYYY-MM-DD; empty for the issuer's default)" }
                input id="valid_until" name="valid_until" type="text" maxlength="10";
            }
            button type="submit" { "Approve and issue" }
        }
        h2 { "Reject" }
        form id="reject-form" method="post" action={ "/app/issuer/requests/" (id) "/reject" } {
            (csrf_input(&signed.csrf))
            div class="field" {
                label for="reason" { "Reason (shown to the holder)" }
                input id="reason" name="reason" type="text" required maxlength="500";
            }
            button type="submit" class="danger" { "Reject" }
        }
    }
}

/// A request as the signed-in issuer member reviews it (the same core call as the JSON
/// route, audit-noted there), or the page that refuses it.
async fn reviewed(
    state: &AppState,
    signed: &Signed,
    id: &CredentialRequestId,
) -> Result<ReviewView, Response> {
    if let Some(refused) = Issuers::refuse(signed) {
        return Err(refused);
    }
    state
        .issuance
        .review(&signed.session.user_id, id)
        .await
        .map_err(|e| from_api(ApiError::from(e), Some(&signed.nav())))
}

/// `GET /app/issuer/requests/{id}`.
pub async fn review(
    State(state): State<AppState>,
    SignedIn(signed): SignedIn,
    Ctx(ctx): Ctx,
    Path(id): Path<CredentialRequestId>,
) -> Response {
    let nav = signed.nav();
    let review = match reviewed(&state, &signed, &id).await {
        Ok(review) => review,
        Err(refused) => return refused,
    };
    let record = &review.request.record;
    ctx.note(format!("reviewed {} of {}", record.id, record.holder));
    let claims = ClaimsView::from(&review.request.claims);
    let pending = record.status == RequestStatus::Pending;
    let markup = app_document(
        "A credential request",
        Some(&nav),
        html! {
            h1 { "Credential request " (record.id.as_str()) }
            p id="credential-request-status" { strong { (status_in_words(record.status)) } }
            @if let Some(reason) = &record.reason { p { "Reason: " (reason) } }
            h2 { "The claims asked" }
            (claims_in_words(&claims))
            h2 { "The document" }
            @match (&review.document, pending) {
                (Some(doc), true) => {
                    dl {
                        dt { "File" } dd { (doc.file_name) }
                        dt { "Media type" } dd { (doc.mime_type) }
                        dt { "Size" } dd { (doc.size_bytes) " bytes" }
                        dt { "SHA-256" } dd { code { (doc.sha256) } }
                    }
                    p { a id="review-document-link" href={ "/app/issuer/requests/" (record.id.as_str()) "/document" } { "Download the document" } }
                    p class="hint" { "Reading it is recorded in the audit log." }
                }
                (Some(_), false) => p { "Only a pending request's document can be read." },
                (None, _) => p { "The holder has deleted the document." },
            }
            @if pending { (decision_forms(&signed, record.id.as_str(), &claims)) }
            p { a href="/app/issuer" { "Back to the queue" } }
        },
    );
    page(StatusCode::OK, markup)
}

/// `GET /app/issuer/requests/{id}/document`: as `GET /issuer/requests/{id}/document`.
pub async fn document(
    State(state): State<AppState>,
    SignedIn(signed): SignedIn,
    Ctx(ctx): Ctx,
    Path(id): Path<CredentialRequestId>,
) -> Response {
    let nav = signed.nav();
    let review = match reviewed(&state, &signed, &id).await {
        Ok(review) => review,
        Err(refused) => return refused,
    };
    let record = &review.request.record;
    if record.status != RequestStatus::Pending {
        return from_api(ApiError::not_found(), Some(&nav));
    }
    match state.documents.content(&record.holder, &record.document_id).await {
        Ok((meta, bytes)) => {
            ctx.note(format!(
                "read document {} of {} through {}",
                record.document_id, record.holder, record.id
            ));
            crate::routes::documents::attachment(&meta, bytes)
        }
        Err(e) => from_api(e.into(), Some(&nav)),
    }
}

/// The approve form's body.
#[derive(Deserialize)]
pub struct ApproveForm {
    /// The session's CSRF token.
    pub csrf_token: Option<String>,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// ISO 3166-1 code, empty when not stated.
    #[serde(default)]
    pub nationality: String,
    /// `YYYY-MM-DD`, empty when none.
    #[serde(default)]
    pub document_expiry: String,
    /// `YYYY-MM-DD`, empty for the default.
    #[serde(default)]
    pub valid_until: String,
}

csrf_form!(ApproveForm);

impl ApproveForm {
    /// The approval, read by the same rules as the JSON body of the approve route.
    fn approval(&self) -> Result<Approval, ApiError> {
        let text = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
        let claims = serde_json::json!({
            "birth_date": self.birth_date.trim(),
            "nationality": text(&self.nationality).map_or(serde_json::json!(0), serde_json::Value::from),
            "document_expiry": text(&self.document_expiry),
        });
        let claims: RequestedClaims = serde_json::from_value(claims)
            .map_err(|e| ApiError::validation(format!("The claims are not valid: {e}")))?;
        let valid_until = match text(&self.valid_until) {
            Some(raw) => Some(honestly_core::credentials::CalendarDate::parse_iso(&raw).map_err(|_| {
                ApiError::from(honestly_core::error::FieldErrors::one("valid_until", "must be YYYY-MM-DD"))
            })?),
            None => None,
        };
        Ok(Approval { claims: Some(claims), valid_until })
    }
}

/// `POST /app/issuer/requests/{id}/approve`.
pub async fn approve(
    State(state): State<AppState>,
    Ctx(ctx): Ctx,
    Path(id): Path<CredentialRequestId>,
    AdmittedForm(signed, form, _): AdmittedForm<Issuers, ApproveForm>,
) -> Response {
    let approval = match form.approval() {
        Ok(approval) => approval,
        Err(e) => return from_api(e, Some(&signed.nav())),
    };
    match state.issuance.approve(&signed.session.user_id, &id, approval).await {
        Ok((view, _)) => {
            ctx.note(format!(
                "approved {id}: issued {}",
                view.record.credential_id.as_ref().map(|c| c.as_str()).unwrap_or("")
            ));
            see_other(&format!("/app/issuer/requests/{id}"))
        }
        Err(e) => from_api(ApiError::from(e), Some(&signed.nav())),
    }
}

/// The reject form's body.
#[derive(Deserialize)]
pub struct RejectForm {
    /// The session's CSRF token.
    pub csrf_token: Option<String>,
    /// Why, shown to the holder.
    pub reason: String,
}

csrf_form!(RejectForm);

/// `POST /app/issuer/requests/{id}/reject`.
pub async fn reject(
    State(state): State<AppState>,
    Path(id): Path<CredentialRequestId>,
    AdmittedForm(signed, form, _): AdmittedForm<Issuers, RejectForm>,
) -> Response {
    match state.issuance.reject(&signed.session.user_id, &id, &form.reason).await {
        Ok(_) => see_other(&format!("/app/issuer/requests/{id}")),
        Err(e) => from_api(ApiError::from(e), Some(&signed.nav())),
    }
}
