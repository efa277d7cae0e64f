//! The router: every route, the fallbacks and the middleware stack.

use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use axum::Router;
use tower::ServiceBuilder;

use crate::middleware::{
    body_limit, cors, error_detail, metrics, panic, rate_limit, request_id, security_headers, timeout,
};
use crate::routes::{auth, docs, fallback, monitoring, testing};
use crate::state::AppState;

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

    let mut limited = Router::new()
        .route("/monitoring/metrics", get(monitoring::metrics))
        .route("/metrics", get(monitoring::prometheus))
        .route("/openapi.json", get(docs::openapi_json))
        .route("/docs", get(docs::docs_page))
        .route("/auth/register", post(auth::register))
        .route("/auth/login", post(auth::login))
        .route("/auth/refresh", post(auth::refresh))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/me", get(auth::me))
        .merge(extra);
    if state.config.test_routes {
        limited = limited.merge(testing::router());
    }
    let limited = limited.route_layer(from_fn_with_state(state.clone(), rate_limit::layer));

    let development = !state.config.is_production();
    let router = probes
        .merge(limited)
        .fallback(fallback::not_found)
        .method_not_allowed_fallback(fallback::method_not_allowed);

    let inner = ServiceBuilder::new()
        .layer(from_fn_with_state(state.clone(), timeout::layer))
        .layer(panic::layer())
        .layer(from_fn(body_limit::layer))
        .layer(axum::extract::DefaultBodyLimit::max(body_limit::JSON_BODY_LIMIT));
    let router = router.layer(inner);
    let router = if development { router.layer(from_fn(error_detail::layer)) } else { router };
    router
        .layer(
            ServiceBuilder::new()
                .layer(from_fn(request_id::layer))
                .layer(from_fn(security_headers::layer))
                .layer(cors::layer(&state.config.allowed_origins))
                .layer(from_fn_with_state(state.clone(), metrics::layer)),
        )
        .with_state(state)
}
