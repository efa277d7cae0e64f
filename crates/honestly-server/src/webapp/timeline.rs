//! The signed-in person's timeline in words — the same service call as `GET /vault/timeline`
//! — and a document's history (its latest events, read by one query for that document),
//! shown on the document's page.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use honestly_core::ids::DocumentId;
use honestly_core::timeline::{TimelineEvent, TimelineKind};
use maud::{html, Markup};

use super::html::{app_document, from_api, page};
use super::session::{Signed, SignedIn};
use crate::error::ApiError;
use crate::pages::format::date_time;
use crate::state::AppState;

/// Events the timeline page shows (the JSON route's default).
const SHOWN: u32 = 50;

/// What happened, in words; `document` is the document's file name when it still exists.
fn in_words(event: &TimelineEvent, document: Option<&str>) -> String {
    let named = |what: &str| match document {
        Some(name) => format!("{what} ({name})"),
        None => what.to_owned(),
    };
    match event.kind {
        TimelineKind::DocumentUploaded => named("You uploaded a document"),
        TimelineKind::DocumentDeleted => "You deleted a document".to_owned(),
        TimelineKind::ProofCreated => named("You made a proof"),
        TimelineKind::LinkCreated => named("You made a share link"),
        TimelineKind::LinkRevoked => named("You revoked a share link"),
        TimelineKind::LinkAccessed => "A share link of yours was opened".to_owned(),
        TimelineKind::ProofRequestCreated => "You asked someone for a proof".to_owned(),
        TimelineKind::ProofRequestCompleted => {
            "Your proof request was answered with a proof that passed".to_owned()
        }
        TimelineKind::ProofRequestDeclined => "Your proof request was declined".to_owned(),
        TimelineKind::ProofRequestExpired => "Your proof request expired unanswered".to_owned(),
        TimelineKind::ProofRequestAnswered => "You answered a proof request".to_owned(),
    }
}

/// A link to what the event concerns, when there is a page for it.
fn link_of(event: &TimelineEvent) -> Option<(String, &'static str)> {
    let deleted = event.kind == TimelineKind::DocumentDeleted;
    if let Some(link) = &event.link_id {
        return Some((format!("/app/links/{}", link.as_str()), "the link"));
    }
    if let Some(proof) = &event.proof_id {
        return Some((format!("/app/proofs/{}", proof.as_str()), "the proof"));
    }
    if let (Some(doc), false) = (&event.document_id, deleted) {
        return Some((format!("/app/documents/{}", doc.as_str()), "the document"));
    }
    match (&event.request_id, event.kind) {
        (Some(request), kind) if kind != TimelineKind::ProofRequestAnswered => {
            Some((format!("/app/verifier/requests/{request}"), "the request"))
        }
        _ => None,
    }
}

/// The events as a list with id `id`.
fn events_list(id: &str, events: &[TimelineEvent], names: &HashMap<String, String>) -> Markup {
    html! {
        ol id=(id) {
            @for event in events {
                @let name = event.document_id.as_ref().and_then(|d| names.get(d.as_str())).map(String::as_str);
                li class="event" data-id=(event.id.as_str()) data-type=(event.kind.as_str()) {
                    (in_words(event, name)) " · " time { (date_time(event.at)) }
                    @if let Some((href, what)) = link_of(event) { " · " a href=(href) { "See " (what) } }
                }
            }
        }
    }
}

/// `GET /app/timeline`.
pub async fn show(State(state): State<AppState>, SignedIn(signed): SignedIn) -> Response {
    let user = &signed.session.user_id;
    let events = match state.timeline.recent(user, SHOWN).await {
        Ok(events) => events,
        Err(e) => return from_api(ApiError::from(e), Some(&signed.nav())),
    };
    let mut names = HashMap::new();
    for id in events.iter().filter_map(|e| e.document_id.as_ref()) {
        if !names.contains_key(id.as_str()) {
            if let Ok(meta) = state.documents.get(user, id).await {
                names.insert(id.as_str().to_owned(), meta.file_name);
            }
        }
    }
    let markup = app_document(
        "Timeline",
        Some(&signed.nav()),
        html! {
            h1 { "What happened" }
            p class="hint" { "Your latest " (SHOWN) " events, newest first." }
            @if events.is_empty() { p id="no-events" { "Nothing has happened yet." } }
            (events_list("timeline", &events, &names))
        },
    );
    page(StatusCode::OK, markup)
}

/// The "History" section of a document's page: its latest [`SHOWN`] events.
pub async fn document_history(state: &AppState, signed: &Signed, id: &DocumentId, name: &str) -> Markup {
    let events = state.timeline.of_document(&signed.session.user_id, id, SHOWN).await;
    let read = events.is_ok();
    let mine: Vec<TimelineEvent> = events.unwrap_or_default();
    let names = HashMap::from([(id.as_str().to_owned(), name.to_owned())]);
    html! {
        section aria-labelledby="history-heading" {
            h2 id="history-heading" { "History" }
            @if !read {
                p class="status bad" { "The history cannot be read just now." }
            } @else if mine.is_empty() {
                p { "No recent event names this document." }
            }
            (events_list("document-history", &mine, &names))
            p { a href="/app/timeline" { "Your whole timeline" } }
        }
    }
}
