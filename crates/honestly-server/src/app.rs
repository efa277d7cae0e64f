//! The router: every area's routes, the OpenAPI document they declare, the fallbacks and the
//! middleware stack.

use std::collections::HashSet;
use std::sync::Arc;

use axum::middleware::{from_fn, from_fn_with_state};
use axum::Router;
use tower::ServiceBuilder;
use utoipa_axum::router::OpenApiRouter;

use crate::middleware::audit::AuditLayer;
use crate::middleware::{
    audit, body_limit, context, cors, error_detail, metrics, panic, rate_limit, security_headers, timeout,
};
use crate::routes::ai::envelope::{self, EnvelopeLayer};
use crate::routes::{
    admin, ai, auth, credential_proofs, credential_requests, credentials, docs, documents, export, fallback,
    issuer_console, issuers, links, monitoring, proof_request_deliveries, proof_requests, proofs,
    request_answers, share, share_page, testing, vault, webhooks, zkp,
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
    // Probes stay outside the general rate limit and the audit trail: orchestrators call them
    // constantly.
    let probes = monitoring::probes();
    let unaudited: HashSet<String> = probes.get_openapi().paths.paths.keys().cloned().collect();
    let (ai_routes, actions) = ai::routes().into_parts();

    let mut json_routes = OpenApiRouter::default()
        .merge(auth::router())
        .merge(admin::router())
        .merge(documents::router())
        .merge(proofs::router())
        .merge(vault::router())
        .merge(export::router())
        .merge(issuers::router())
        .merge(credential_requests::router())
        .merge(credentials::router())
        .merge(credential_proofs::router())
        .merge(issuer_console::router())
        .merge(zkp::router())
        .merge(links::router())
        .merge(proof_requests::router())
        .merge(proof_request_deliveries::router())
        .merge(request_answers::router())
        .merge(share::router())
        .merge(webhooks::router())
        .merge(monitoring::router())
        .merge(ai_routes)
        .merge(OpenApiRouter::from(extra));
    if state.config.test_routes {
        json_routes = json_routes.merge(OpenApiRouter::from(testing::router()));
    }
    let upload_limit =
        usize::try_from(state.config.max_upload_bytes).unwrap_or(usize::MAX) + MULTIPART_OVERHEAD;
    let limited = body_limit::limit(json_routes, body_limit::JSON_BODY_LIMIT)
        .merge(body_limit::limit(documents::upload_router(), upload_limit))
        .merge(body_limit::limit(share_page::router(), share_page::FORM_BODY_LIMIT))
        .merge(OpenApiRouter::from(crate::webapp::router(&state, upload_limit)));

    let (api, doc) = OpenApiRouter::with_openapi(crate::openapi::base()).merge(probes).split_for_parts();
    let (limited, limited_doc) = limited.split_for_parts();
    let mut doc = doc;
    doc.merge(limited_doc);
    let limited =
        limited.merge(docs::router(&doc)).route_layer(from_fn_with_state(state.clone(), rate_limit::layer));

    let development = !state.config.is_production();
    let router = api
        .merge(limited)
        .fallback(fallback::not_found)
        .method_not_allowed_fallback(fallback::method_not_allowed);

    let router = router.layer(
        ServiceBuilder::new().layer(from_fn_with_state(state.clone(), timeout::layer)).layer(panic::layer()),
    );
    let router = if development { router.layer(from_fn(error_detail::layer)) } else { router };
    let audit = AuditLayer { log: state.audit.clone(), unaudited: Arc::new(unaudited) };
    let envelope = EnvelopeLayer { interactions: Arc::clone(&state.ai_interactions), actions };
    router
        .layer(
            ServiceBuilder::new()
                .layer(from_fn_with_state(state.clone(), context::layer))
                .layer(from_fn(security_headers::layer))
                .layer(cors::layer(&state.config.allowed_origins))
                .layer(from_fn_with_state(state.clone(), metrics::layer))
                .layer(from_fn_with_state(audit, audit::layer))
                .layer(from_fn_with_state(envelope, envelope::layer)),
        )
        .with_state(state)
}
