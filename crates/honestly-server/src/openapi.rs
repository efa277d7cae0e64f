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
        (name = "admin", description = "Account management for administrators"),
        (name = "vault", description = "Encrypted documents, timeline and the document registry"),
        (name = "proofs", description = "Zero-knowledge proofs about your documents"),
        (name = "issuers", description = "Issuers hosted here, their members and published revocation states"),
        (name = "credentials", description = "Your credential requests and credentials"),
        (name = "issuer", description = "The issuer console: review requests, approve, reject, revoke"),
        (name = "zkp", description = "Circuits, verification keys and public verification"),
        (name = "verifier", description = "Proof requests: a verifier asks, a holder answers"),
        (name = "share", description = "Share links, verification bundles and QR codes"),
        (name = "webhooks", description = "Signing secrets of the webhooks sent to verifiers"),
        (name = "ai", description = "The signed AI-agent API and delegated agents"),
        (name = "monitoring", description = "Liveness, readiness, health and metrics"),
    ),
)]
struct ApiDoc;

/// Any JSON object; its members are described in words where it appears (a document's
/// metadata, an action's parameters, a snarkjs verification key, a signed bundle). Shown as an
/// object with any members, so generated clients can read them.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Documentation only.
pub struct JsonObject(#[schema(inline)] std::collections::HashMap<String, serde_json::Value>);

/// A Groth16 proof over BN254 in snarkjs' JSON: each coordinate a decimal string, points in
/// projective form (`pi_a`, `pi_c`: `[x, y, z]`; `pi_b`: three pairs), `protocol: "groth16"`,
/// `curve: "bn128"`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Documentation only: proofs are parsed strictly by the zk crate.
pub struct SnarkjsProof {
    /// G1 point `[x, y, z]`.
    pi_a: Vec<String>,
    /// G2 point `[[x0, x1], [y0, y1], [z0, z1]]`.
    pi_b: Vec<Vec<String>>,
    /// G1 point `[x, y, z]`.
    pi_c: Vec<String>,
    /// `groth16`.
    protocol: String,
    /// `bn128`.
    curve: String,
}

/// What a verifier asks of a proof beyond its validity (each member optional).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Documentation only: parsed as the domain's expectations.
pub struct Expectations {
    /// The proof's `minAge` must be at least this (age proofs).
    min_age: Option<u64>,
    /// The proof must be about the document with this hex SHA-256.
    document_sha256: Option<String>,
    /// The proof's reference time must be at most this many seconds old (age proofs; an
    /// `age_proof_v2` is dated by a UTC day and its age counts from the end of that day).
    max_proof_age_seconds: Option<u64>,
    /// The proof's registry root must be exactly this (authenticity proofs, decimal).
    registry_root: Option<String>,
    /// Credential proofs: the issuers trusted, each an id (`iss_…`) or a key `{x, y}` (1–32);
    /// a proof from any other issuer fails with `untrusted_issuer`.
    #[schema(value_type = Option<Vec<Object>>)]
    trusted_issuers: Option<Vec<String>>,
    /// Credential proofs: the attested document must not have expired.
    not_expired: Option<bool>,
    /// Credential proofs: the nationality must be one of these (1–8 ISO 3166-1 codes).
    #[schema(value_type = Option<Vec<Object>>)]
    nationality_in: Option<Vec<String>>,
    /// Credential proofs: the nationality must be none of these (1–8 codes).
    #[schema(value_type = Option<Vec<Object>>)]
    nationality_not_in: Option<Vec<String>>,
    /// Credential proofs: claims the proof must disclose (only `nationality`).
    disclose: Option<Vec<String>>,
    /// Credential proofs: the verifier's action the proof must be bound to.
    scope: Option<String>,
    /// Credential proofs: the verifier's nonce the proof must carry.
    nonce: Option<String>,
    /// Credential proofs: how many days the proof's reference date may differ from today
    /// (0–7, default 1).
    reference_date_tolerance_days: Option<u32>,
    /// Credential proofs: the issuer's signed revocation state `{root, issued_at, signature}` to
    /// check against; by default the issuer's current state, for issuers hosted here.
    #[schema(value_type = Option<Object>)]
    revocation_state: Option<String>,
    /// Credential proofs: the oldest revocation state accepted, in seconds (60 s – 30 days,
    /// default 3600).
    max_revocation_age_seconds: Option<u64>,
}

/// A body of raw bytes (a document's content, a QR code image): `type: string, format:
/// binary` in the document, as client generators expect.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct Binary(#[allow(dead_code)] Vec<u8>);

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
