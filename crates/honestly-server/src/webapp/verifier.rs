//! The verifier console: the verifier's proof requests (newest first, paged) and one request's
//! page — its status in words (followed live by [`super::live`]), what was asked, the result
//! in words once answered, the nullifier and the webhook deliveries. Verifiers and
//! administrators only; a request that is not theirs is a 404 page.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use honestly_core::ids::ProofRequestId;
use honestly_core::proof_requests::words::request_in_words;
use honestly_core::proof_requests::{ProofRequestRecord, ProofRequestStatus};
use honestly_core::webhooks::DeliveryView;
use maud::{html, Markup};
use serde::Deserialize;

use super::console::{Admitted, Verifiers};
use super::html::{app_document, from_api, page};
use super::live::{allow_script, LIVE_JS_PATH};
use super::words::result_in_words;
use crate::error::ApiError;
use crate::extract::{Path, Query};
use crate::pages::format::date_time;
use crate::state::AppState;

/// Requests per page of the list.
const PER_PAGE: u32 = 20;
/// Deliveries shown on a request's page at most.
const MAX_DELIVERIES: usize = 20;

/// `?before=` of the list.
#[derive(Deserialize)]
pub struct ListQuery {
    /// From the previous page's "Older requests" link.
    pub before: Option<i64>,
}

/// A status in words.
pub fn status_in_words(status: ProofRequestStatus) -> &'static str {
    match status {
        ProofRequestStatus::Pending => "Pending: waiting for the holder's answer",
        ProofRequestStatus::Completed => "Completed: the holder answered",
        ProofRequestStatus::Declined => "Declined by the holder",
        ProofRequestStatus::Expired => "Expired: nobody answered in time",
    }
}

/// The live status element: the status in words, followed by the script when it runs; `then`
/// is where the script goes once the status leaves pending.
pub fn live_status(request: &ProofRequestRecord, then: Option<&str>) -> Markup {
    let events = format!("/app/verifier/requests/{}/events", request.id.as_str());
    let pending = request.status == ProofRequestStatus::Pending;
    html! {
        p {
            "Status: "
            strong id="request-status" role="status" aria-live="polite" data-status=(request.status.as_str())
                data-events=[pending.then_some(events.as_str())] data-then=[then] {
                (status_in_words(request.status))
            }
        }
        @if pending {
            p { a href={ "/app/verifier/requests/" (request.id.as_str()) } { "Check again" } }
            script src=(LIVE_JS_PATH) defer {}
        }
    }
}

/// `GET /app/verifier`.
pub async fn list(
    State(state): State<AppState>,
    Admitted(signed, _): Admitted<Verifiers>,
    Query(q): Query<ListQuery>,
) -> Response {
    let nav = signed.nav();
    let listed = match state.proof_requests.page(&signed.session.user_id, q.before, PER_PAGE).await {
        Ok(listed) => listed,
        Err(e) => return from_api(ApiError::from(e), Some(&nav)),
    };
    let next = if listed.len() == PER_PAGE as usize { listed.last().map(|(seq, _)| *seq) } else { None };
    let markup = app_document(
        "Your proof requests",
        Some(&nav),
        html! {
            h1 { "Your proof requests" }
            p { a id="new-request-link" href="/app/verifier/new" { "Ask for a proof" } }
            @if listed.is_empty() {
                p id="no-requests" { "You have not asked anyone for a proof yet." }
            } @else {
                ul id="request-list" {
                    @for (_, request) in &listed {
                        li class="card request" data-id=(request.id.as_str()) {
                            a href={ "/app/verifier/requests/" (request.id.as_str()) } { (request.spec.purpose) }
                            p class="hint" { (status_in_words(request.status)) " · asked " (date_time(request.created_at)) }
                        }
                    }
                }
            }
            @if let Some(before) = next {
                p { a href={ "/app/verifier?before=" (before) } { "Older requests" } }
            }
        },
    );
    page(StatusCode::OK, markup)
}

/// What a request asks, in words.
pub fn asked(request: &ProofRequestRecord) -> Markup {
    html! {
        dl {
            dt { "Purpose" } dd { (request.spec.purpose) }
            dt { "Asks" } dd { ul { @for line in request_in_words(request.spec.proof_type, &request.spec.query) { li { (line) } } } }
            dt { "One answer per person" } dd { @if request.spec.unique_per_holder { "Yes" } @else { "No" } }
            dt { "Asked" } dd { (date_time(request.created_at)) }
            dt { "Open until" } dd { (date_time(request.expires_at)) }
        }
    }
}

fn deliveries_table(deliveries: &[DeliveryView]) -> Markup {
    html! {
        h2 { "Webhook deliveries" }
        @if deliveries.is_empty() {
            p id="deliveries" { "None: no callback URL, or nothing to report yet." }
        } @else {
            table id="deliveries" {
                thead { tr { th scope="col" { "Event" } th scope="col" { "Status" } th scope="col" { "Attempts" } } }
                tbody {
                    @for d in deliveries.iter().take(MAX_DELIVERIES) {
                        tr {
                            td { (d.event_type) }
                            td { (d.status) }
                            td {
                                @if d.attempts.is_empty() { "none yet" }
                                ul {
                                    @for a in &d.attempts {
                                        li {
                                            "#" (a.attempt) " at " (date_time(a.at)) ": "
                                            @if let Some(code) = a.status_code { "HTTP " (code) }
                                            @else if let Some(error) = &a.error { (error) }
                                            " (" (a.duration_ms) " ms)"
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /app/verifier/requests/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    Admitted(signed, _): Admitted<Verifiers>,
    Path(id): Path<ProofRequestId>,
) -> Response {
    let nav = signed.nav();
    let owner = &signed.session.user_id;
    let request = match state.proof_requests.get(owner, &id).await {
        Ok(request) => request,
        Err(e) => return from_api(ApiError::from(e), Some(&nav)),
    };
    let deliveries = match state.webhooks.deliveries_for_subject(owner, id.as_str()).await {
        Ok(deliveries) => deliveries,
        Err(e) => return from_api(ApiError::from(e), Some(&nav)),
    };
    let here = format!("/app/verifier/requests/{}", request.id.as_str());
    let markup = app_document(
        &request.spec.purpose,
        Some(&nav),
        html! {
            h1 { (request.spec.purpose) }
            (live_status(&request, Some(&here)))
            @if let Some(result) = &request.result {
                div id="request-result" class={ "status " @if result.verified { "ok" } @else { "bad" } } {
                    strong { (result_in_words(&request, result)) }
                }
                dl { dt { "Nullifier" } dd { code id="request-nullifier" { (result.nullifier) } } }
                p class="hint" { "The same person answering the same purpose again gives the same nullifier." }
            }
            h2 { "What was asked" }
            (asked(&request))
            (deliveries_table(&deliveries))
            p { a href="/app/verifier" { "Back to your requests" } }
        },
    );
    allow_script(page(StatusCode::OK, markup))
}
