//! `/ai`: the signed AI-agent API (verify proofs, batches, document hashes, share links), its
//! unsigned health check, and the delegated agents a logged-in user manages.
//!
//! Every `/ai` answer leaves in one envelope (see [`envelope`]); each route is declared once,
//! with the action name its interactions are recorded under.

pub mod agents;
pub mod documents;
pub mod envelope;
pub mod health;
pub mod interactions;
pub mod links;
pub mod signed;
pub mod verify;

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::Method;
use honestly_core::agents::Action;
use serde::Serialize;
use utoipa::openapi::path::PathItem;
use utoipa::ToSchema;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

pub use envelope::AiReply;
pub use interactions::{AiInteractions, Interaction};

use crate::state::AppState;

/// The path every route of the agent API starts with; answers under it are enveloped (even
/// for paths no route matches).
pub const AI_PREFIX: &str = "/ai";

/// Whether `path` is under [`AI_PREFIX`].
pub fn is_ai_path(path: &str) -> bool {
    path.strip_prefix(AI_PREFIX).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The envelope every `/ai/*` answer is wrapped in (for the OpenAPI document).
#[derive(Serialize, ToSchema)]
pub struct AiEnvelope {
    /// Whether the call succeeded (2xx).
    pub success: bool,
    /// The answer's data on success.
    #[schema(value_type = Option<Object>)]
    pub data: Option<serde_json::Value>,
    /// The error (`{code, message, error_id, fields?}`) otherwise.
    #[schema(value_type = Option<Object>)]
    pub error: Option<serde_json::Value>,
    /// `{request_id, timestamp, agent_id}`.
    #[schema(value_type = Object)]
    pub metadata: serde_json::Value,
}

/// The action each `/ai` route is recorded under, by method and route template.
#[derive(Debug, Default)]
pub struct Actions(HashMap<(Method, String), &'static str>);

impl Actions {
    /// The action of the route `template` answers `method` on.
    pub fn of(&self, method: &Method, template: &str) -> Option<&'static str> {
        self.0.get(&(method.clone(), template.to_string())).copied()
    }
}

/// The methods a path item declares.
fn methods(item: &PathItem) -> impl Iterator<Item = Method> + '_ {
    [
        (Method::GET, item.get.is_some()),
        (Method::POST, item.post.is_some()),
        (Method::PUT, item.put.is_some()),
        (Method::DELETE, item.delete.is_some()),
        (Method::PATCH, item.patch.is_some()),
    ]
    .into_iter()
    .filter_map(|(method, declared)| declared.then_some(method))
}

/// The agent API's routes, with the action of each.
pub struct AiRoutes {
    router: OpenApiRouter<AppState>,
    actions: Actions,
}

impl AiRoutes {
    fn new() -> Self {
        Self { router: OpenApiRouter::default(), actions: Actions::default() }
    }

    /// Adds the routes of `handlers`, recording each under `action`.
    fn with(mut self, action: &'static str, handlers: UtoipaMethodRouter<AppState>) -> Self {
        for (path, item) in &handlers.1.paths {
            for method in methods(item) {
                self.actions.0.insert((method, path.clone()), action);
            }
        }
        self.router = self.router.routes(handlers);
        self
    }

    /// The routes and the action table the envelope layer reads.
    pub fn into_parts(self) -> (OpenApiRouter<AppState>, Arc<Actions>) {
        (self.router, Arc::new(self.actions))
    }
}

/// Every `/ai` route.
pub fn routes() -> AiRoutes {
    AiRoutes::new()
        .with(Action::VerifyProof.as_str(), routes!(verify::verify_proof))
        .with(Action::VerifyProofsBatch.as_str(), routes!(verify::verify_proofs_batch))
        .with(Action::GetDocumentHash.as_str(), routes!(documents::get_document_hash))
        .with(Action::CreateShareLink.as_str(), routes!(links::create_share_link))
        .with("health", routes!(health::health))
        .with("create_agent", routes!(agents::create))
        .with("list_agents", routes!(agents::list))
        .with("get_agent", routes!(agents::get))
        .with("delete_agent", routes!(agents::delete))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_names_its_action() {
        let (_, actions) = routes().into_parts();
        assert_eq!(actions.of(&Method::POST, "/ai/verify-proof"), Some("verify_proof"));
        assert_eq!(actions.of(&Method::POST, "/ai/verify-proofs-batch"), Some("verify_proofs_batch"));
        assert_eq!(actions.of(&Method::GET, "/ai/health"), Some("health"));
        assert_eq!(actions.of(&Method::POST, "/ai/agents"), Some("create_agent"));
        assert_eq!(actions.of(&Method::GET, "/ai/agents"), Some("list_agents"));
        assert_eq!(actions.of(&Method::DELETE, "/ai/agents/{id}"), Some("delete_agent"));
        assert_eq!(actions.of(&Method::GET, "/ai/nothing"), None);
        assert_eq!(actions.0.len(), 9);
    }

    #[test]
    fn the_prefix_is_a_whole_segment() {
        assert!(is_ai_path("/ai"));
        assert!(is_ai_path("/ai/verify-proof"));
        assert!(!is_ai_path("/aim"));
        assert!(!is_ai_path("/vault/ai"));
    }
}
