//! The account's AI agents: the list, creating one with a name (its secret shown once, in the
//! answer of the form) and deleting one behind a confirmation — the same service calls as the
//! `/ai/agents` routes.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use honestly_core::ids::AgentId;
use maud::{html, Markup};
use secrecy::ExposeSecret;
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

/// The new-agent form's body.
#[derive(Deserialize)]
pub struct AgentForm {
    /// The session's CSRF token.
    pub csrf_token: Option<String>,
    /// The form's one-time value (see [`super::once`]).
    pub once: Option<String>,
    /// A label, 1–64 characters.
    pub name: Option<String>,
}

once_form!(AgentForm);

fn agents_page(
    signed: &Signed,
    agents: &[honestly_core::agents::AgentRecord],
    problem: Option<&str>,
) -> Markup {
    app_document(
        "AI agents",
        Some(&signed.nav()),
        html! {
            h1 { "Your AI agents" }
            p { "An agent acts for you through the signed AI API with its own secret. Delete it and its signatures fail at once." }
            @if agents.is_empty() {
                p id="no-agents" { "You have no agents." }
            } @else {
                ul id="agent-list" {
                    @for agent in agents {
                        li class="card agent" data-agent=(agent.id.as_str()) {
                            strong { (agent.name) } " · " code { (agent.id.as_str()) } " · made " (date_time(agent.created_at))
                            p { a id={ "delete-agent-" (agent.id.as_str()) } href={ "/app/account/agents/" (agent.id.as_str()) "/delete" } { "Delete this agent" } }
                        }
                    }
                }
            }
            h2 { "A new agent" }
            form id="agent-form" method="post" action="/app/account/agents" {
                (csrf_input(&signed.csrf))
                (once_input())
                div class="field" {
                    label for="agent-name" { "Its name" }
                    input id="agent-name" name="name" type="text" required maxlength="64" autocomplete="off";
                    @if let Some(problem) = problem {
                        p class="status bad" id="agent-name-error" role="alert" { (problem) }
                    }
                }
                button type="submit" { "Create the agent" }
            }
            p { a href="/app/account" { "Back to your account" } }
        },
    )
}

/// `GET /app/account/agents`.
pub async fn list(State(state): State<AppState>, SignedIn(signed): SignedIn) -> Response {
    match state.agents.list(&signed.session.user_id).await {
        Ok(agents) => page(StatusCode::OK, agents_page(&signed, &agents, None)),
        Err(e) => from_api(ApiError::from(e), Some(&signed.nav())),
    }
}

/// `POST /app/account/agents`: creates the agent and shows its secret this once (200: the
/// secret is never stored in the clear, so no later page can show it).
pub async fn create(
    State(state): State<AppState>,
    CheckedForm(signed, form): CheckedForm<AgentForm>,
) -> Response {
    let name = form.name.unwrap_or_default();
    if name.trim().is_empty() {
        return match state.agents.list(&signed.session.user_id).await {
            Ok(agents) => {
                page(StatusCode::BAD_REQUEST, agents_page(&signed, &agents, Some("Give the agent a name.")))
            }
            Err(e) => from_api(ApiError::from(e), Some(&signed.nav())),
        };
    }
    let created = match state.agents.create(&signed.session.user_id, Some(name)).await {
        Ok(created) => created,
        Err(e) => {
            let (status, content, _) = content_of(ApiError::from(e));
            if status == StatusCode::BAD_REQUEST {
                if let Ok(agents) = state.agents.list(&signed.session.user_id).await {
                    return page(status, agents_page(&signed, &agents, Some(&content.message)));
                }
            }
            return error_page(status, "That did not work", &content, Some(&signed.nav()));
        }
    };
    tracing::info!(agent_id = %created.record.id, "delegated agent created");
    let markup = app_document(
        "Your new agent",
        Some(&signed.nav()),
        html! {
            h1 { "Your new agent: " (created.record.name) }
            div class="status ok" role="status" {
                strong { "Copy the secret now: it is shown only this once." } " Give it to the agent with its id."
            }
            dl {
                dt { "Agent id" } dd { code id="agent-id" { (created.record.id.as_str()) } }
                dt { "Secret" } dd { code id="agent-secret" data-copy="the secret" { (created.secret.expose_secret()) } }
            }
            p { a href="/app/account/agents" { "Back to your agents" } }
            (app_script())
        },
    );
    allow_script(page(StatusCode::OK, markup))
}

/// `GET /app/account/agents/{id}/delete`: the confirmation step.
pub async fn confirm_delete(
    State(state): State<AppState>,
    SignedIn(signed): SignedIn,
    Path(id): Path<AgentId>,
) -> Response {
    let agent = match state.agents.get(&signed.session.user_id, &id).await {
        Ok(agent) => agent,
        Err(e) => return from_api(ApiError::from(e), Some(&signed.nav())),
    };
    let action = format!("/app/account/agents/{}/delete", id.as_str());
    let markup = app_document(
        "Delete an agent",
        Some(&signed.nav()),
        html! {
            h1 { "Delete the agent " (agent.name) "?" }
            p { "Its signatures fail from this moment. This cannot be undone." }
            (button_form("delete-agent-form", &action, &signed.csrf, "Delete it", "danger"))
            p { a href="/app/account/agents" { "No, keep it" } }
        },
    );
    page(StatusCode::OK, markup)
}

/// `POST /app/account/agents/{id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<AgentId>,
    CheckedForm(signed, _form): CheckedForm<TokenOnly>,
) -> Response {
    if let Err(e) = state.agents.delete(&signed.session.user_id, &id).await {
        return from_api(ApiError::from(e), Some(&signed.nav()));
    }
    tracing::info!(agent_id = %id, "delegated agent deleted");
    see_other("/app/account/agents")
}
