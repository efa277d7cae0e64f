//! The verifier's side of proof requests: create (`POST /verifier/requests`), list, read one,
//! and follow its status as Server-Sent Events.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream};
use honestly_core::audit::Actor;
use honestly_core::ids::{ProofRequestId, UserId};
use honestly_core::proof_requests::{NewProofRequest, ProofRequestStatus};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::credential_proofs::QueryInput;
use super::proof_request_views::ProofRequestView;
use crate::access::{RequireRole, VerifierOrAdmin};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Path, Query};
use crate::json::Json;
use crate::no_store::NoStore;
use crate::state::AppState;

/// How often a status stream re-reads the request from the store.
const POLL_EVERY: Duration = Duration::from_millis(250);
/// How long one status stream lasts at most (the client reconnects for more).
const MAX_STREAM: Duration = Duration::from_secs(300);
/// How often a quiet stream sends a keep-alive comment.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The verifier's routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(create_request, list_requests))
        .routes(routes!(get_request))
        .routes(routes!(request_events))
}

/// What a verifier asks (the schema of [`NewProofRequest`]).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct CreateProofRequest {
    /// Why, shown to the holder (1–300 characters).
    purpose: String,
    /// `credential_query` (default) or `age_proof_v2`: a self-declared age (only
    /// `query.min_age`, no `trusted_issuers`, not unique per holder), labelled so everywhere.
    proof_type: Option<String>,
    /// The predicates the holder's credential must meet.
    query: QueryInput,
    /// Ids of the issuers whose credentials are accepted (1–16 `iss_…`; none for
    /// `age_proof_v2`).
    trusted_issuers: Option<Vec<String>>,
    /// 1–256 bytes; default derived from the verifier and the purpose.
    scope: Option<String>,
    /// 60–86400, default 600.
    ttl_seconds: Option<u64>,
    /// http(s), no user name or password, at most 2048 characters.
    callback_url: Option<String>,
    /// http(s), no user name or password, at most 2048 characters.
    redirect_url: Option<String>,
    /// One answer per holder and scope: default true for `credential_query`; refused for
    /// `age_proof_v2`.
    unique_per_holder: Option<bool>,
}

/// `{request}` (and, once, the webhook signing secret).
#[derive(Serialize, ToSchema)]
pub struct ProofRequestResponse {
    /// The request.
    pub request: ProofRequestView,
    /// `whsec_…`: the secret the callback's deliveries are signed with, shown only in the
    /// answer that made it (the first request with a `callback_url`; rotate it with
    /// `POST /verifier/webhook-secret/rotate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_secret: Option<String>,
}

/// A page of requests.
#[derive(Serialize, ToSchema)]
pub struct ProofRequestList {
    /// Newest first.
    pub requests: Vec<ProofRequestView>,
    /// Pass as `before` for the next page; null on the last page.
    pub next_before: Option<i64>,
}

/// Which requests to list.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// The previous page's `next_before`.
    pub before: Option<i64>,
    /// 1–100, default 50.
    pub limit: Option<u32>,
}

/// Creates a request of `owner`: its view (with the holder's links) and a new webhook secret.
pub async fn create_for(
    state: &AppState,
    owner: &UserId,
    actor: Actor,
    body: &NewProofRequest,
) -> Result<ProofRequestResponse, ApiError> {
    let created = state.proof_requests.create(owner, actor, body).await?;
    tracing::info!(request_id = %created.request.id, "proof request created");
    Ok(ProofRequestResponse {
        request: ProofRequestView::created(state, created.request, &created.token),
        webhook_secret: created.webhook_secret,
    })
}

/// Asks holders to prove something: a link (and QR code) to hand them.
#[utoipa::path(post, operation_id = "createProofRequest", path = "/verifier/requests", tag = "verifier", security(("bearer" = [])),
    request_body = CreateProofRequest,
    responses((status = 201, description = "Pending; `request_uri` and the QR URLs hold the holder's token and are shown only now", body = ProofRequestResponse),
              (status = 400, description = "Invalid field (`fields` names each)", body = ErrorBody),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 403, description = "Only verifiers and administrators", body = ErrorBody),
              (status = 413, description = "Body larger than 1 MiB", body = ErrorBody),
              (status = 415, description = "Not Content-Type: application/json", body = ErrorBody),
              (status = 422, description = "UNKNOWN_ISSUER: a trusted issuer is not hosted here", body = ErrorBody)))]
pub async fn create_request(
    State(state): State<AppState>,
    verifier: RequireRole<VerifierOrAdmin>,
    Json(body): Json<NewProofRequest>,
) -> Result<(StatusCode, NoStore<Json<ProofRequestResponse>>), ApiError> {
    let session = verifier.0;
    let created = create_for(&state, &session.user_id, Actor::User(session.user_id.clone()), &body).await?;
    Ok((StatusCode::CREATED, NoStore(Json(created))))
}

/// The caller's requests, newest first.
#[utoipa::path(get, operation_id = "listProofRequests", path = "/verifier/requests", tag = "verifier", security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, description = "A page", body = ProofRequestList),
              (status = 400, description = "Invalid query", body = ErrorBody),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 403, description = "Only verifiers and administrators", body = ErrorBody)))]
pub async fn list_requests(
    State(state): State<AppState>,
    verifier: RequireRole<VerifierOrAdmin>,
    Query(query): Query<ListQuery>,
) -> Result<Json<ProofRequestList>, ApiError> {
    let session = verifier.0;
    let limit = query.limit.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return Err(honestly_core::error::FieldErrors::one("limit", "must be 1 to 100").into());
    }
    let page = state.proof_requests.page(&session.user_id, query.before, limit).await?;
    let next_before = if page.len() == limit as usize { page.last().map(|(seq, _)| *seq) } else { None };
    let requests = page.into_iter().map(|(_, r)| ProofRequestView::of(r)).collect();
    Ok(Json(ProofRequestList { requests, next_before }))
}

/// One of the caller's requests, with the result once answered.
#[utoipa::path(get, operation_id = "getProofRequest", path = "/verifier/requests/{id}", tag = "verifier", security(("bearer" = [])),
    params(("id" = String, Path, description = "`req_…`")),
    responses((status = 200, description = "The request", body = ProofRequestResponse),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 403, description = "Only verifiers and administrators", body = ErrorBody),
              (status = 404, description = "Not found (or not yours)", body = ErrorBody)))]
pub async fn get_request(
    State(state): State<AppState>,
    verifier: RequireRole<VerifierOrAdmin>,
    Path(id): Path<ProofRequestId>,
) -> Result<Json<ProofRequestResponse>, ApiError> {
    let session = verifier.0;
    let request = state.proof_requests.get(&session.user_id, &id).await?;
    Ok(Json(ProofRequestResponse { request: ProofRequestView::of(request), webhook_secret: None }))
}

/// Where a status stream stands.
struct Follow {
    state: AppState,
    owner: UserId,
    id: ProofRequestId,
    last: Option<ProofRequestStatus>,
    until: tokio::time::Instant,
    done: bool,
}

/// The next event of a stream: the request when its status changed, until a final status,
/// the stream's end of life or the server's shutdown. The store is read each time, so a change
/// made by any replica is seen.
async fn next_event(mut follow: Follow) -> Option<(Result<Event, Infallible>, Follow)> {
    if follow.done {
        return None;
    }
    loop {
        if *follow.state.stopping.borrow() {
            return None;
        }
        let request = match follow.state.proof_requests.get(&follow.owner, &follow.id).await {
            Ok(request) => request,
            Err(e) => {
                tracing::warn!(request_id = %follow.id, error = %e, "status stream ended: the request cannot be read");
                return None;
            }
        };
        if follow.last != Some(request.status) {
            follow.last = Some(request.status);
            follow.done = request.status != ProofRequestStatus::Pending;
            let view = ProofRequestView::of(request);
            let event = Event::default().event("status").json_data(&view).unwrap_or_default();
            return Some((Ok(event), follow));
        }
        if tokio::time::Instant::now() + POLL_EVERY > follow.until {
            return None;
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}

/// The request's status as Server-Sent Events: event `status` with the request at once, then
/// at each change, until it is completed, declined or expired (at most five minutes per
/// stream; a keep-alive comment every 15 s).
#[utoipa::path(get, operation_id = "followProofRequest", path = "/verifier/requests/{id}/events", tag = "verifier", security(("bearer" = [])),
    params(("id" = String, Path, description = "`req_…`")),
    responses((status = 200, description = "`text/event-stream`: events `status` whose data is the request (as GET /verifier/requests/{id} shows it)", content_type = "text/event-stream", body = String),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 403, description = "Only verifiers and administrators", body = ErrorBody),
              (status = 404, description = "Not found (or not yours)", body = ErrorBody)))]
pub async fn request_events(
    State(state): State<AppState>,
    verifier: RequireRole<VerifierOrAdmin>,
    Path(id): Path<ProofRequestId>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let session = verifier.0;
    status_stream(state, session.user_id, id).await
}

/// The status stream of `owner`'s request `id` (404 when it is not theirs), shared by the API
/// route and the web app's cookie-authenticated twin.
pub async fn status_stream(
    state: AppState,
    owner: UserId,
    id: ProofRequestId,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    state.proof_requests.get(&owner, &id).await?;
    let follow =
        Follow { state, owner, id, last: None, until: tokio::time::Instant::now() + MAX_STREAM, done: false };
    Ok(Sse::new(stream::unfold(follow, next_event)).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}
