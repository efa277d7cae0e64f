//! The router: every route, the fallbacks and the middleware stack.

use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use axum::Router;
use tower::ServiceBuilder;

use crate::middleware::{
    audit, body_limit, cors, error_detail, metrics, panic, rate_limit, request_id, security_headers, timeout,
};
use crate::routes::{
    agents, ai, auth, docs, documents, fallback, links, monitoring, proofs, share, share_page, testing,
    vault, zkp,
};
use crate::state::AppState;

/// Multipart framing allowed on top of `MAX_UPLOAD_BYTES`.
const MULTIPART_OVERHEAD: usize = 64 * 1024;

/// Builds the application router over `state`.
pub fn router(state: AppState) -> Router {
    router_with(state, Router::new())
}

/// Like [`router`], with extra routes merged in (tests use this to add probes of their own).
pub fn router_with(state: AppState, extra: Router<AppState>) -> Router {
    // Probes stay outside the general rate limit: orchestrators call them constantly.
    let probes = Router::new()
        .route("/monitoring/live", get(monitoring::live))
        .route("/monitoring/ready", get(monitoring::ready))
        .route("/monitoring/health", get(monitoring::health));

    let mut json_routes = Router::new()
        .route("/monitoring/metrics", get(monitoring::metrics))
        .route("/metrics", get(monitoring::prometheus))
        .route("/openapi.json", get(docs::openapi_json))
        .route("/docs", get(docs::docs_page))
        .route("/auth/register", post(auth::register))
        .route("/auth/login", post(auth::login))
        .route("/auth/refresh", post(auth::refresh))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/me", get(auth::me))
        .route("/vault/documents", get(documents::list))
        .route("/vault/documents/{id}", get(documents::get).delete(documents::delete))
        .route("/vault/documents/{id}/content", get(documents::content))
        .route("/vault/timeline", get(vault::timeline))
        .route("/vault/registry", get(vault::registry))
        .route("/vault/documents/{id}/proofs", post(proofs::create))
        .route("/vault/proofs", get(proofs::list))
        .route("/vault/proofs/{id}", get(proofs::get))
        .route("/zkp/circuits", get(zkp::circuits).post(zkp::add_circuit))
        .route("/zkp/circuits/{name}", axum::routing::delete(zkp::remove_circuit))
        .route("/zkp/artifacts/{circuit}/verification_key.json", get(zkp::verification_key))
        .route("/zkp/verify", post(zkp::verify_proof))
        .route("/vault/share-links", post(links::create).get(links::list))
        .route("/vault/share-links/{id}", axum::routing::delete(links::revoke))
        .route("/vault/share/{token}", get(share::open))
        .route("/vault/share/{token}/bundle", get(share::bundle))
        .route("/vault/share/{token}/content", get(share::content))
        .route("/vault/qr/{token}", get(share::qr))
        .route("/.well-known/honestly-keys.json", get(share::keys))
        .route("/monitoring/ai-interactions", get(monitoring::ai_interactions))
        .route("/ai/health", get(ai::health))
        .route("/ai/verify-proof", post(ai::verify_proof))
        .route("/ai/verify-proofs-batch", post(ai::verify_proofs_batch))
        .route("/ai/get-document-hash", post(ai::get_document_hash))
        .route("/ai/create-share-link", post(ai::create_share_link))
        .route("/ai/agents", post(agents::create).get(agents::list))
        .route("/ai/agents/{id}", get(agents::get).delete(agents::delete))
        .merge(extra);
    if state.config.test_routes {
        json_routes = json_routes.merge(testing::router());
    }
    let upload_limit =
        usize::try_from(state.config.max_upload_bytes).unwrap_or(usize::MAX) + MULTIPART_OVERHEAD;
    let uploads = Router::new().route("/vault/documents", post(documents::upload));
    // The passphrase form of the verifier page: a URL-encoded body of a few KiB at most.
    let forms = Router::new().route("/vault/share/{token}", post(share_page::submit));
    let limited = body_limit::limit(json_routes, body_limit::JSON_BODY_LIMIT)
        .merge(body_limit::limit(uploads, upload_limit))
        .merge(body_limit::limit(forms, share_page::FORM_BODY_LIMIT))
        .route_layer(from_fn_with_state(state.clone(), rate_limit::layer));

    let development = !state.config.is_production();
    let router = probes
        .merge(limited)
        .fallback(fallback::not_found)
        .method_not_allowed_fallback(fallback::method_not_allowed);

    let router = router.layer(
        ServiceBuilder::new().layer(from_fn_with_state(state.clone(), timeout::layer)).layer(panic::layer()),
    );
    let router = if development { router.layer(from_fn(error_detail::layer)) } else { router };
    router
        .layer(
            ServiceBuilder::new()
                .layer(from_fn(request_id::layer))
                .layer(from_fn(security_headers::layer))
                .layer(cors::layer(&state.config.allowed_origins))
                .layer(from_fn_with_state(state.clone(), metrics::layer))
                .layer(from_fn_with_state(state.clone(), audit::layer))
                .layer(from_fn_with_state(state.clone(), crate::ai::envelope::layer)),
        )
        .with_state(state)
}
