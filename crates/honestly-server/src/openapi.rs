//! What the OpenAPI 3.1 document says beyond its operations: info, tags, the bearer security
//! scheme and the error schemas. The operations come from the routes themselves (each area's
//! router, see [`crate::routes`]).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Honestly API",
        description = "A personal proof vault: encrypted documents, zero-knowledge proofs about them, and share links verifiers can check.",
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

/// The document without operations (the routers add them).
pub fn base() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    doc
}
