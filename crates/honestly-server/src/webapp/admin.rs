//! The admin console's front page: the issuers hosted here (members, key, revocation changes)
//! with the form that creates one, and links to the accounts and the circuits. Administrators
//! only; anyone else gets the refusal page and nothing changes. The same service calls as
//! `GET /issuers` and `POST /issuers`.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use honestly_core::issuance::IssuerRecord;
use maud::{html, Markup};
use serde::Deserialize;

use super::console::{Admins, Admitted, AdmittedForm};
use super::guard::once_form;
use super::html::{app_document, content_of, csrf_input, error_page, from_api, page, see_other};
use super::once::once_input;
use super::session::Signed;
use crate::error::ApiError;
use crate::pages::format::date_time;
use crate::state::AppState;

/// The links between the console's pages.
pub fn console_links() -> Markup {
    html! {
        nav aria-label="Admin console" class="hint" {
            a href="/app/admin" { "Issuers" } " · "
            a href="/app/admin/users" { "Accounts" } " · "
            a href="/app/admin/circuits" { "Circuits" }
        }
    }
}

/// The first digits of a key coordinate, enough to tell keys apart at a glance.
pub fn short_key(decimal: &str) -> String {
    let head: String = decimal.chars().take(12).collect();
    if head.len() < decimal.len() {
        format!("{head}…")
    } else {
        head
    }
}

fn issuers_page(
    signed: &Signed,
    issuers: &[IssuerRecord],
    members: &HashMap<String, usize>,
    problem: Option<&str>,
) -> Markup {
    app_document(
        "Admin console",
        Some(&signed.nav()),
        html! {
            h1 { "Admin console" }
            (console_links())
            section id="admin-issuers" {
                h2 { "Issuers" }
                @if issuers.is_empty() { p id="no-issuers" { "No issuer is hosted here yet." } }
                ul {
                    @for issuer in issuers {
                        li class="card issuer" data-issuer=(issuer.id.as_str()) {
                            a href={ "/app/admin/issuers/" (issuer.id.as_str()) } { (issuer.name) }
                            p class="hint" {
                                code { (issuer.id.as_str()) } " · "
                                (members.get(issuer.id.as_str()).copied().unwrap_or(0)) " member(s) · key x "
                                code { (short_key(&issuer.public_key.x_decimal())) }
                                " · revocations changed " (issuer.revocation_version) " time(s) · created "
                                (date_time(issuer.created_at))
                            }
                        }
                    }
                }
            }
            h2 { "A new issuer" }
            form id="issuer-form" method="post" action="/app/admin/issuers" {
                (csrf_input(&signed.csrf))
                (once_input())
                p class="hint" { "It gets a fresh signing key, sealed on this server." }
                div class="field" {
                    label for="issuer-name" { "Its name (shown to holders and verifiers, unique here)" }
                    input id="issuer-name" name="name" type="text" required maxlength="128" autocomplete="off";
                    @if let Some(problem) = problem {
                        p class="status bad" id="issuer-name-error" role="alert" { (problem) }
                    }
                }
                button type="submit" { "Create the issuer" }
            }
        },
    )
}

/// The issuers page with `status` and `problem` beside the name field, or the error page.
async fn show(state: &AppState, signed: &Signed, status: StatusCode, problem: Option<&str>) -> Response {
    let issuers = match state.issuance.issuers().await {
        Ok(issuers) => issuers,
        Err(e) => return from_api(ApiError::from(e), Some(&signed.nav())),
    };
    let memberships = match state.issuance.memberships().await {
        Ok(memberships) => memberships,
        Err(e) => return from_api(ApiError::from(e), Some(&signed.nav())),
    };
    let mut members: HashMap<String, usize> = HashMap::new();
    for m in &memberships {
        *members.entry(m.issuer_id.as_str().to_owned()).or_default() += 1;
    }
    page(status, issuers_page(signed, &issuers, &members, problem))
}

/// `GET /app/admin`.
pub async fn issuers(State(state): State<AppState>, Admitted(signed, _): Admitted<Admins>) -> Response {
    show(&state, &signed, StatusCode::OK, None).await
}

/// The new-issuer form's body.
#[derive(Deserialize)]
pub struct IssuerForm {
    /// The session's CSRF token.
    pub csrf_token: Option<String>,
    /// The form's one-time value (see [`super::once`]).
    pub once: Option<String>,
    /// 1–128 characters, unique here.
    pub name: Option<String>,
}

once_form!(IssuerForm);

/// `POST /app/admin/issuers`: creates the issuer, then its page.
pub async fn create(
    State(state): State<AppState>,
    AdmittedForm(signed, form, _): AdmittedForm<Admins, IssuerForm>,
) -> Response {
    let name = form.name.unwrap_or_default();
    match state.issuance.create_issuer(&name).await {
        Ok(issuer) => {
            tracing::info!(issuer_id = %issuer.id, "issuer created");
            see_other(&format!("/app/admin/issuers/{}", issuer.id.as_str()))
        }
        Err(e) => {
            let (status, content, _) = content_of(ApiError::from(e));
            if status.is_client_error() {
                let reason = content.fields.as_ref().and_then(|f| f.get("name")).cloned();
                let said = reason.map_or(content.message.clone(), |r| format!("The name {r}."));
                return show(&state, &signed, status, Some(&said)).await;
            }
            error_page(status, "That did not work", &content, Some(&signed.nav()))
        }
    }
}
