//! The web app for people: server-rendered pages under `/app` (sign in, register, documents,
//! account) and the answer forms of a proof request's page, working without JavaScript
//! (forms, and a `303` after every successful `POST`). Sessions ride on the auth service's
//! login sessions ([`cookie`], [`session`]); every state-changing form is checked by
//! [`guard`] ([`csrf`]). Every page carries the pages' strict security policy.

pub mod account;
pub mod account_data;
pub mod admin;
pub mod admin_circuits;
pub mod admin_issuer;
pub mod admin_users;
pub mod agents;
pub mod app_script;
pub mod ask;
pub mod consent;
pub mod console;
pub mod cookie;
pub mod credentials;
pub mod csrf;
pub mod documents;
pub mod guard;
pub mod html;
pub mod import;
pub mod issuer;
pub mod issuer_credentials;
pub mod live;
pub mod once;
pub mod password;
pub mod prove;
pub mod session;
pub mod share;
pub mod sign_in;
pub mod timeline;
pub mod upload;
pub mod verifier;
pub mod verifier_form;
pub mod words;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::CONTENT_LENGTH;
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;

use crate::state::AppState;

/// The pages the app serves to a `GET` (`{…}`: an id or a token), where a form sent without a
/// live session may lead back after signing in (see [`session::page_of_form`]). Downloads,
/// event streams and scripts are not pages; every entry is a `GET` route of [`router`] (a test
/// walks them).
pub const PAGES: &[&str] = &[
    "/app",
    "/app/documents",
    "/app/documents/new",
    "/app/documents/{id}",
    "/app/documents/{id}/delete",
    "/app/documents/{id}/ask",
    "/app/documents/{id}/prove-age",
    "/app/documents/{id}/prove-authenticity",
    "/app/account",
    "/app/account/password",
    "/app/account/delete",
    "/app/account/agents",
    "/app/account/agents/{id}/delete",
    "/app/verifier",
    "/app/verifier/new",
    "/app/verifier/requests/{id}",
    "/app/issuer",
    "/app/issuer/requests/{id}",
    "/app/issuer/credentials",
    "/app/issuer/credentials/{id}/revoke",
    "/app/credentials",
    "/app/credentials/import",
    "/app/credentials/{id}",
    "/app/credentials/{id}/delete",
    "/app/credentials/{id}/prove",
    "/app/proofs/{id}",
    "/app/links",
    "/app/links/{id}",
    "/app/links/{id}/revoke",
    "/app/timeline",
    "/app/admin",
    "/app/admin/issuers/{id}",
    "/app/admin/issuers/{id}/members/{user}/remove",
    "/app/admin/users",
    "/app/admin/users/{id}",
    "/app/admin/users/{id}/disable",
    "/app/admin/users/{id}/delete",
    "/app/admin/circuits",
    "/r/{token}",
];

/// Largest body of the small forms (sign in, register, buttons).
pub const FORM_BODY_LIMIT: usize = 16 * 1024;

/// `/` → `/app`.
async fn root() -> Response {
    html::see_other("/app")
}

/// `/favicon.ico`, which browsers ask for on every site: nothing to show, and no failed load in
/// the browser's console.
async fn favicon() -> Response {
    (axum::http::StatusCode::NO_CONTENT, [(axum::http::header::CACHE_CONTROL, "public, max-age=86400")])
        .into_response()
}

/// `/app`: the documents when signed in, the sign-in page when not.
async fn home(
    state: State<AppState>,
    session::MaybeSignedIn(signed): session::MaybeSignedIn,
    query: crate::extract::Query<documents::ListQuery>,
) -> Response {
    match signed {
        Some(signed) => documents::list(state, session::SignedIn(signed), query).await,
        None => html::page(axum::http::StatusCode::OK, sign_in::sign_in_page("/app", "", None)),
    }
}

/// Any other path under `/app`: a 404 page in words.
async fn not_found(session::MaybeSignedIn(signed): session::MaybeSignedIn) -> Response {
    html::from_api(crate::error::ApiError::not_found(), signed.as_ref().map(session::Signed::nav).as_ref())
}

/// Refuses a declared body over `limit` with a page in words.
async fn limit_page(State(state): State<AppState>, limit: usize, req: Request, next: Next) -> Response {
    let declared =
        req.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        if (limit as u64) < state.config.max_upload_bytes {
            let message = format!(
                "The form is larger than this page accepts ({} KiB). Nothing was changed.",
                limit / 1024
            );
            let error = crate::error::ApiError::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                message,
            );
            return html::from_api(error, None);
        }
        return upload::too_large(&state, None);
    }
    next.run(req).await
}

fn limited(state: &AppState, router: Router<AppState>, limit: usize) -> Router<AppState> {
    router
        .route_layer(from_fn_with_state(
            state.clone(),
            move |s: State<AppState>, req: Request, next: Next| limit_page(s, limit, req, next),
        ))
        .route_layer(DefaultBodyLimit::max(limit))
}

/// The web app's routes; `upload_limit` bounds the upload form's body.
pub fn router(state: &AppState, upload_limit: usize) -> Router<AppState> {
    let pages = Router::new()
        .route("/", get(root))
        .route("/favicon.ico", get(favicon))
        .route("/app", get(home))
        .route("/app/sign-in", get(sign_in::sign_in_form).post(sign_in::sign_in))
        .route("/app/register", get(sign_in::register_form).post(sign_in::register))
        .route("/app/sign-out", post(sign_in::sign_out))
        .route("/app/documents", get(documents::list))
        .route("/app/documents/new", get(upload::form))
        .route("/app/documents/{id}", get(documents::detail))
        .route("/app/documents/{id}/download", get(documents::download))
        .route("/app/documents/{id}/delete", get(documents::confirm_delete).post(documents::delete))
        .route("/app/account", get(account::show))
        .route("/app/account/password", get(password::form).post(password::change))
        .route("/app/account/sessions/{id}/end", post(account::end_one))
        .route("/app/account/sign-out-everywhere", post(account::end_all))
        .route("/app/answered", get(consent::answered))
        .route("/app/static/live.js", get(live::script))
        .route(app_script::APP_JS_ROUTE, get(app_script::script))
        .route("/app/verifier", get(verifier::list))
        .route("/app/verifier/new", get(verifier_form::form).post(verifier_form::create))
        .route("/app/verifier/requests/{id}", get(verifier::detail))
        .route("/app/verifier/requests/{id}/events", get(live::events))
        .route("/app/issuer", get(issuer::queue))
        .route("/app/issuer/requests/{id}", get(issuer::review))
        .route("/app/issuer/requests/{id}/document", get(issuer::document))
        .route("/app/issuer/requests/{id}/approve", post(issuer::approve))
        .route("/app/issuer/requests/{id}/reject", post(issuer::reject))
        .route("/app/issuer/credentials", get(issuer_credentials::list))
        .route(
            "/app/issuer/credentials/{id}/revoke",
            get(issuer_credentials::confirm_revoke).post(issuer_credentials::revoke),
        )
        .route("/app/documents/{id}/ask", get(ask::form).post(ask::ask))
        .route("/app/documents/{id}/prove-age", get(prove::age_form).post(prove::prove_age))
        .route(
            "/app/documents/{id}/prove-authenticity",
            get(prove::authenticity_form).post(prove::prove_authenticity),
        )
        .route("/app/credentials", get(credentials::list))
        .route("/app/credentials/import", get(import::form))
        .route("/app/credentials/{id}", get(credentials::detail))
        .route("/app/credentials/{id}/export", get(credentials::export))
        .route("/app/credentials/{id}/delete", get(credentials::confirm_delete).post(credentials::delete))
        .route("/app/credentials/{id}/prove", get(prove::form).post(prove::prove))
        .route("/app/proofs/{id}", get(share::proof))
        .route("/app/proofs/{id}/share", post(share::share))
        .route("/app/links", get(share::list))
        .route("/app/links/{id}", get(share::link))
        .route("/app/links/{id}/revoke", get(share::confirm_revoke).post(share::revoke))
        .route("/app/account/export", post(account_data::export))
        .route("/app/account/delete", get(account_data::confirm_delete).post(account_data::delete))
        .route("/app/account/agents", get(agents::list).post(agents::create))
        .route("/app/account/agents/{id}/delete", get(agents::confirm_delete).post(agents::delete))
        .route("/app/timeline", get(timeline::show))
        .route("/app/admin", get(admin::issuers))
        .route("/app/admin/issuers", post(admin::create))
        .route("/app/admin/issuers/{id}", get(admin_issuer::detail))
        .route("/app/admin/issuers/{id}/members", post(admin_issuer::add_member))
        .route(
            "/app/admin/issuers/{id}/members/{user}/remove",
            get(admin_issuer::confirm_remove).post(admin_issuer::remove),
        )
        .route("/app/admin/users", get(admin_users::list))
        .route("/app/admin/users/{id}", get(admin_users::detail))
        .route("/app/admin/users/{id}/role", post(admin_users::change_role))
        .route("/app/admin/users/{id}/disable", get(admin_users::confirm_disable).post(admin_users::disable))
        .route("/app/admin/users/{id}/enable", post(admin_users::enable))
        .route("/app/admin/users/{id}/delete", get(admin_users::confirm_delete).post(admin_users::delete))
        .route("/app/admin/circuits", get(admin_circuits::list))
        .route("/app/{*rest}", any(not_found))
        .route("/r/{token}/answer", post(consent::consent))
        .route("/r/{token}/decline", post(consent::decline));
    let uploads = Router::new().route("/app/documents", post(upload::upload));
    let imports = Router::new().route("/app/credentials/import", post(import::import));
    limited(state, pages, FORM_BODY_LIMIT).merge(limited(state, uploads, upload_limit)).merge(limited(
        state,
        imports,
        import::IMPORT_BODY_LIMIT,
    ))
}
