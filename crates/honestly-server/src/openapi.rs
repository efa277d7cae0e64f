//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{agents, ai, auth, documents, links, monitoring, proofs, share, share_page, vault, zkp};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Honestly API",
        description = "A personal proof vault: encrypted documents, zero-knowledge proofs about them, and share links verifiers can check.",
    ),
    paths(
        auth::register,
        auth::login,
        auth::refresh,
        auth::logout,
        auth::me,
        documents::upload,
        documents::list,
        documents::get,
        documents::content,
        documents::delete,
        proofs::create,
        proofs::list,
        proofs::get,
        zkp::circuits,
        zkp::add_circuit,
        zkp::remove_circuit,
        zkp::verification_key,
        zkp::verify_proof,
        links::create,
        links::list,
        links::revoke,
        share::open,
        share_page::submit,
        share::bundle,
        share::content,
        share::qr,
        share::keys,
        vault::timeline,
        vault::registry,
        monitoring::live,
        monitoring::ready,
        monitoring::health,
        monitoring::metrics,
        monitoring::prometheus,
        monitoring::ai_interactions,
        ai::verify_proof,
        ai::verify_proofs_batch,
        ai::get_document_hash,
        ai::create_share_link,
        ai::health,
        agents::create,
        agents::list,
        agents::get,
        agents::delete,
    ),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorContent)),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Accounts, access tokens and rotating refresh tokens"),
        (name = "vault", description = "Encrypted documents, timeline and the document registry"),
        (name = "proofs", description = "Zero-knowledge proofs about your documents"),
        (name = "zkp", description = "Circuits, verification keys and public verification"),
        (name = "share", description = "Share links, verification bundles and QR codes"),
        (name = "ai", description = "The signed AI-agent API and delegated agents"),
        (name = "monitoring", description = "Liveness, readiness, health and metrics"),
    ),
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document as a typed value.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    doc
}

/// The document rendered as JSON, once at start.
pub fn render_json() -> String {
    document().to_pretty_json().unwrap_or_else(|_| "{}".into())
}
