//! Sharing a proof: the proof's page with its "Share it" form (the same call as
//! `POST /vault/share-links`), the created link shown once (URL and QR), my links, one link's
//! page (views used) and its revocation behind a confirmation.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use honestly_core::ids::{LinkId, ProofId};
use honestly_core::links::{NewLink, ShareLink};
use honestly_core::zk::ProofRecord;
use honestly_store::redis::Invalidation;
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use super::app_script::app_script;
use super::guard::{once_form, CheckedForm};
use super::html::{app_document, content_of, csrf_input, error_page, from_api, page, see_other};
use super::live::allow_script;
use super::once::once_input;
use super::session::{Signed, SignedIn};
use super::sign_in::{button_form, TokenOnly};
use crate::error::ApiError;
use crate::extract::Path;
use crate::pages::format::date_time;
use crate::state::AppState;

/// The share form's body.
#[derive(Deserialize, Default)]
pub struct ShareForm {
    /// The session's CSRF token.
    pub csrf_token: Option<String>,
    /// The form's one-time value (see [`super::once`]).
    pub once: Option<String>,
    /// 1–720.
    pub expires_in_hours: Option<String>,
    /// Empty for unbounded.
    pub max_accesses: Option<String>,
    /// Empty for none.
    pub passphrase: Option<String>,
}

once_form!(ShareForm);

fn proof_type_in_words(proof_type: &str) -> &'static str {
    match proof_type {
        "credential_query" => "Facts from a credential, vouched for by its issuer",
        "age_proof_v2" | "age_proof" => "Age, self-declared (nobody vouches for the birth date)",
        "authenticity_proof" => "The document is in the registry",
        _ => "A proof",
    }
}

fn text(v: &Option<String>) -> &str {
    v.as_deref().map_or("", str::trim)
}

fn proof_page(signed: &Signed, proof: &ProofRecord, form: &ShareForm, problem: Option<&str>) -> Markup {
    let action = format!("/app/proofs/{}/share", proof.id.as_str());
    let expiry = match text(&form.expires_in_hours) {
        "" => "24",
        v => v,
    };
    app_document(
        "A proof",
        Some(&signed.nav()),
        html! {
            h1 { "Your proof" }
            dl {
                dt { "Proof" } dd { code id="proof-id" { (proof.id.as_str()) } }
                dt { "What it shows" } dd id="proof-kind" { (proof_type_in_words(&proof.proof_type)) }
                dt { "Made" } dd { (date_time(proof.created_at)) }
            }
            h2 { "Share it" }
            p { "A share link lets someone check this proof without an account. You choose how long it works and how many times it opens." }
            @if let Some(problem) = problem {
                div class="status bad" id="share-error" role="alert" { strong { (problem) } " No link was made." }
            }
            form id="share-form" method="post" action=(action) {
                (csrf_input(&signed.csrf))
                (once_input())
                div class="field" {
                    label for="share-expires" { "Works for this many hours (1 to 720)" }
                    input id="share-expires" name="expires_in_hours" type="number" min="1" max="720" required value=(expiry);
                }
                div class="field" {
                    label for="share-max" { "Opens at most this many times (empty for no limit)" }
                    input id="share-max" name="max_accesses" type="number" min="1" max="10000" value=(text(&form.max_accesses));
                }
                div class="field" {
                    label for="share-passphrase" { "Passphrase the viewer must type (optional, 8 to 128 characters)" }
                    input id="share-passphrase" name="passphrase" type="text" maxlength="128" autocomplete="off";
                }
                button type="submit" { "Make a share link" }
            }
            p { a href="/app/links" { "Your share links" } }
        },
    )
}

async fn own_proof(state: &AppState, signed: &Signed, id: &ProofId) -> Result<ProofRecord, Response> {
    state.proofs.get(&signed.session.user_id, id).await.map_err(|e| from_api(e.into(), Some(&signed.nav())))
}

/// `GET /app/proofs/{id}`.
pub async fn proof(
    State(state): State<AppState>,
    SignedIn(signed): SignedIn,
    Path(id): Path<ProofId>,
) -> Response {
    match own_proof(&state, &signed, &id).await {
        Ok(proof) => page(StatusCode::OK, proof_page(&signed, &proof, &ShareForm::default(), None)),
        Err(response) => response,
    }
}

fn number(raw: &str, what: &str) -> Result<Option<u32>, String> {
    match raw {
        "" => Ok(None),
        v => v.parse::<u32>().map(Some).map_err(|_| format!("{what} must be a whole number.")),
    }
}

/// `POST /app/proofs/{id}/share`: makes the link and shows it this once (200, not a redirect:
/// the token is never stored, so no later page can show it again).
pub async fn share(
    State(state): State<AppState>,
    Path(id): Path<ProofId>,
    CheckedForm(signed, form): CheckedForm<ShareForm>,
) -> Response {
    let proof = match own_proof(&state, &signed, &id).await {
        Ok(proof) => proof,
        Err(response) => return response,
    };
    let numbers = number(text(&form.expires_in_hours), "The hours")
        .and_then(|hours| number(text(&form.max_accesses), "The number of views").map(|max| (hours, max)));
    let (expires_in_hours, max_accesses) = match numbers {
        Ok(numbers) => numbers,
        Err(problem) => {
            return page(StatusCode::BAD_REQUEST, proof_page(&signed, &proof, &form, Some(&problem)))
        }
    };
    let passphrase = form.passphrase.clone().filter(|p| !p.is_empty());
    let new = NewLink {
        document_id: proof.document_id.as_str().to_string(),
        proof_id: Some(proof.id.as_str().to_string()),
        access_level: "proof_only".into(),
        expires_in_hours,
        expires_at: None,
        max_accesses,
        passphrase,
    };
    let created = match state.links.create(&signed.session.user_id, new).await {
        Ok(created) => created,
        Err(e) => {
            let (status, content, _) = content_of(ApiError::from(e));
            if status == StatusCode::BAD_REQUEST {
                let reasons: Vec<String> =
                    content.fields.iter().flatten().map(|(k, v)| format!("{k}: {v}")).collect();
                let problem = format!("{} {}", content.message, reasons.join("; "));
                return page(status, proof_page(&signed, &proof, &form, Some(&problem)));
            }
            return error_page(status, "That did not work", &content, Some(&signed.nav()));
        }
    };
    tracing::info!(link_id = %created.link.id, "share link created");
    let url = state.links.share_url(&created.token);
    let qr = match crate::qr::svg(&url) {
        Ok(svg) => svg,
        Err(e) => return from_api(ApiError::internal(e), Some(&signed.nav())),
    };
    let markup = app_document(
        "Your share link",
        Some(&signed.nav()),
        html! {
            h1 { "Your share link" }
            div class="status ok" role="status" {
                strong { "Copy it now: it is shown only this once." } " Honestly keeps only a fingerprint of it."
            }
            div class="field" {
                label for="share-url" { "Share link" }
                input id="share-url" type="text" readonly value=(url) data-copy="the share link";
            }
            figure id="share-qr" {
                (PreEscaped(svg_body(&qr)))
                figcaption { "The same link as a QR code, to scan with a phone." }
            }
            p { a id="link-page" href={ "/app/links/" (created.link.id.as_str()) } { "See this link's views, or revoke it" } }
            (app_script())
        },
    );
    allow_script(page(StatusCode::OK, markup))
}

/// The `<svg>` element of a rendered QR code, without an XML declaration before it.
fn svg_body(svg: &str) -> &str {
    svg.find("<svg").map_or(svg, |start| &svg[start..])
}

fn views_in_words(link: &ShareLink) -> String {
    match link.max_accesses {
        Some(max) => format!("{} of {max} views used", link.access_count),
        None => format!("{} views, no limit", link.access_count),
    }
}

/// `GET /app/links`.
pub async fn list(State(state): State<AppState>, SignedIn(signed): SignedIn) -> Response {
    let links = match state.links.list(&signed.session.user_id).await {
        Ok(links) => links,
        Err(e) => return from_api(ApiError::from(e), Some(&signed.nav())),
    };
    let markup = app_document(
        "Your share links",
        Some(&signed.nav()),
        html! {
            h1 { "Your share links" }
            @if links.is_empty() {
                p id="no-links" { "You have not shared anything yet. Make a proof, then share it from its page." }
            } @else {
                ul id="link-list" {
                    @for link in &links {
                        li class="card link" data-link=(link.id.as_str()) {
                            a href={ "/app/links/" (link.id.as_str()) } { "Link made " (date_time(link.created_at)) }
                            p class="hint" {
                                (views_in_words(link)) " · works until " (date_time(link.expires_at))
                                @if link.revoked_at.is_some() { " · " strong { "revoked" } }
                            }
                        }
                    }
                }
            }
        },
    );
    page(StatusCode::OK, markup)
}

async fn own_link(state: &AppState, signed: &Signed, id: &LinkId) -> Result<ShareLink, Response> {
    let links = state
        .links
        .list(&signed.session.user_id)
        .await
        .map_err(|e| from_api(ApiError::from(e), Some(&signed.nav())))?;
    links
        .into_iter()
        .find(|link| &link.id == id)
        .ok_or_else(|| from_api(ApiError::not_found(), Some(&signed.nav())))
}

/// `GET /app/links/{id}`.
pub async fn link(
    State(state): State<AppState>,
    SignedIn(signed): SignedIn,
    Path(id): Path<LinkId>,
) -> Response {
    let link = match own_link(&state, &signed, &id).await {
        Ok(link) => link,
        Err(response) => return response,
    };
    let markup = app_document(
        "A share link",
        Some(&signed.nav()),
        html! {
            h1 { "A share link" }
            dl {
                dt { "Views" } dd id="views-used" { (views_in_words(&link)) }
                dt { "Works until" } dd { (date_time(link.expires_at)) }
                dt { "Passphrase" } dd { @if link.passphrase_hash.is_some() { "required" } @else { "none" } }
                dt { "State" } dd id="link-state" { @if link.revoked_at.is_some() { "Revoked" } @else { "Active" } }
            }
            @if let Some(proof) = &link.proof_id {
                p { a href={ "/app/proofs/" (proof.as_str()) } { "The proof it shares" } }
            }
            @if link.revoked_at.is_none() {
                p { a id="revoke-link" href={ "/app/links/" (id.as_str()) "/revoke" } { "Revoke this link" } }
            }
            p { a href="/app/links" { "Your share links" } }
        },
    );
    page(StatusCode::OK, markup)
}

/// `GET /app/links/{id}/revoke`: the confirmation step.
pub async fn confirm_revoke(
    State(state): State<AppState>,
    SignedIn(signed): SignedIn,
    Path(id): Path<LinkId>,
) -> Response {
    if let Err(response) = own_link(&state, &signed, &id).await {
        return response;
    }
    let action = format!("/app/links/{}/revoke", id.as_str());
    let markup = app_document(
        "Revoke a share link",
        Some(&signed.nav()),
        html! {
            h1 { "Revoke this share link?" }
            p { "It stops working at once for everyone who has it. This cannot be undone." }
            (button_form("revoke-link-form", &action, &signed.csrf, "Revoke it", "danger"))
            p { a href={ "/app/links/" (id.as_str()) } { "No, keep it" } }
        },
    );
    page(StatusCode::OK, markup)
}

/// `POST /app/links/{id}/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<LinkId>,
    CheckedForm(signed, _form): CheckedForm<TokenOnly>,
) -> Response {
    if let Err(e) = state.links.revoke(&signed.session.user_id, &id).await {
        return from_api(ApiError::from(e), Some(&signed.nav()));
    }
    state.publish_invalidation(Invalidation::Link(id.clone()));
    tracing::info!(link_id = %id, "share link revoked");
    see_other(&format!("/app/links/{}", id.as_str()))
}
