//! `/ai`: the signed AI-agent API (verify proofs, batches, document hashes, share links, proof
//! requests), its unsigned health check, and the delegated agents a logged-in user manages.
//!
//! Every `/ai` answer leaves in one envelope (see [`envelope`]); each route is declared once,
//! with the action name its interactions are recorded under.

pub mod actions;
pub mod agents;
pub mod documents;
pub mod envelope;
pub mod health;
pub mod links;
pub mod proof_requests;
pub mod signed;
pub mod verify;

use honestly_core::agents::Action;
use utoipa_axum::routes;

use actions::AiRoutes;

/// Every `/ai` route.
pub fn routes() -> AiRoutes {
    AiRoutes::new()
        .with(Action::VerifyProof.as_str(), routes!(verify::verify_proof))
        .with(Action::VerifyProofsBatch.as_str(), routes!(verify::verify_proofs_batch))
        .with(Action::GetDocumentHash.as_str(), routes!(documents::get_document_hash))
        .with(Action::CreateShareLink.as_str(), routes!(links::create_share_link))
        .with(Action::CreateProofRequest.as_str(), routes!(proof_requests::create_proof_request))
        .with("health", routes!(health::health))
        .with("create_agent", routes!(agents::create))
        .with("list_agents", routes!(agents::list))
        .with("get_agent", routes!(agents::get))
        .with("delete_agent", routes!(agents::delete))
}

#[cfg(test)]
mod tests {
    use axum::http::Method;

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
        assert_eq!(actions.of(&Method::POST, "/ai/create-proof-request"), Some("create_proof_request"));
        assert_eq!(actions.count(), 10);
    }
}
