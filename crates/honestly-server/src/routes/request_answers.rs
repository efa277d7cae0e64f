//! The holder's side of proof requests, by the token of the request's link: the public
//! description (`GET /requests/{token}`), the answer (`POST /requests/{token}/respond`) and
//! the link's QR code.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use honestly_core::ids::{CredentialId, DocumentId};
use honestly_core::proof_requests::respond::Answer;
use honestly_core::proof_requests::{ProofRequestRecord, ProofRequestStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::proof_request_views::RequestDescription;
use crate::access::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::json::Json;
use crate::no_store::NoStore;
use crate::state::AppState;

/// The holder's routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(describe))
        .routes(routes!(respond))
        .routes(routes!(qr_png))
        .routes(routes!(qr_svg))
        .routes(routes!(request_page))
}

/// The request of `token` while it takes answers: 404 unknown, 410 finished or expired.
pub async fn open_request(state: &AppState, token: &str) -> Result<ProofRequestRecord, ApiError> {
    let request = state.proof_requests.by_token(token).await?;
    match request.status {
        ProofRequestStatus::Pending => Ok(request),
        ProofRequestStatus::Expired => {
            Err(ApiError::new(StatusCode::GONE, "EXPIRED", "The request has expired"))
        }
        _ => Err(ApiError::new(StatusCode::GONE, "GONE", "The request was already answered")),
    }
}

/// What a request asks, in words, for the holder about to answer.
#[utoipa::path(get, operation_id = "describeProofRequest", path = "/requests/{token}", tag = "verifier",
    params(("token" = String, Path, description = "The token of the request's link")),
    responses((status = 200, description = "Who asks what", body = RequestDescription),
              (status = 404, description = "No such request", body = ErrorBody),
              (status = 410, description = "EXPIRED, or GONE when already answered", body = ErrorBody)))]
pub async fn describe(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<NoStore<Json<RequestDescription>>, ApiError> {
    let request = open_request(&state, &token).await?;
    Ok(NoStore(Json(RequestDescription::of(&state, &request).await?)))
}

/// The holder's answer: a credential to prove from, or a decline.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RespondBody {
    /// One of your credentials (`crd_…`).
    #[schema(value_type = Option<String>)]
    pub credential_id: Option<CredentialId>,
    /// For a self-declared age request (`age_proof_v2`): one of your documents (`doc_…`) …
    #[schema(value_type = Option<String>)]
    pub document_id: Option<DocumentId>,
    /// … and the birth date you declare (`YYYY-MM-DD`).
    pub birth_date: Option<String>,
    /// `true` to decline.
    pub decline: Option<bool>,
}

/// What became of the answer.
#[derive(Serialize, ToSchema)]
pub struct AnswerView {
    /// `req_…`.
    pub id: String,
    /// `completed` or `declined`.
    pub status: String,
    /// Where the verifier asks you to go next, if it said.
    pub redirect_url: Option<String>,
}

/// `{request}`.
#[derive(Serialize, ToSchema)]
pub struct AnswerResponse {
    /// The request.
    pub request: AnswerView,
}

/// Answers a request: the server proves the request's query from your credential, bound to
/// its nonce and scope, checks the proof as the verifier would and completes the request; or
/// declines it. Exactly one answer completes a request.
#[utoipa::path(post, operation_id = "respondToProofRequest", path = "/requests/{token}/respond", tag = "verifier", security(("bearer" = [])),
    params(("token" = String, Path, description = "The token of the request's link")), request_body = RespondBody,
    responses((status = 200, description = "Completed or declined", body = AnswerResponse),
              (status = 400, description = "Neither or both of credential_id and decline", body = ErrorBody),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 404, description = "No such request, or credential not found (or not yours)", body = ErrorBody),
              (status = 409, description = "CONFLICT: already answered; ALREADY_ANSWERED: you answered this verifier's scope before; or the credential's document was deleted", body = ErrorBody),
              (status = 410, description = "EXPIRED", body = ErrorBody),
              (status = 413, description = "Body larger than 1 MiB", body = ErrorBody),
              (status = 415, description = "Not Content-Type: application/json", body = ErrorBody),
              (status = 422, description = "The credential cannot satisfy the request: `fields.reason` (`untrusted_issuer`, `revoked`, `credential_expired`, `unsatisfied`, …) and `fields.predicate`", body = ErrorBody),
              (status = 503, description = "Keys still loading or server busy", body = ErrorBody)))]
pub async fn respond(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
    Path(token): Path<String>,
    Json(body): Json<RespondBody>,
) -> Result<NoStore<Json<AnswerResponse>>, ApiError> {
    let declined = body.decline == Some(true);
    let answer = match (body.credential_id, body.document_id, body.birth_date, declined) {
        (Some(id), None, None, false) => Answer::Credential(id),
        (None, Some(document), Some(birth_date), false) => Answer::SelfDeclared { document, birth_date },
        (None, None, None, true) => Answer::Decline,
        _ => {
            return Err(honestly_core::error::FieldErrors::one(
                "credential_id",
                "give credential_id, or document_id with birth_date, or decline: true (one of them)",
            )
            .into())
        }
    };
    let request = state.proof_requests.respond(&session.user_id, &token, &answer).await?;
    tracing::info!(request_id = %request.id, status = %request.status, "proof request answered");
    Ok(NoStore(Json(AnswerResponse {
        request: AnswerView {
            id: request.id.into_string(),
            status: request.status.as_str().to_owned(),
            redirect_url: request.spec.redirect_url,
        },
    })))
}

/// The QR image of a pending request's link.
async fn qr(state: &AppState, token: &str, svg: bool) -> Result<Response, ApiError> {
    open_request(state, token).await?;
    let uri = state.proof_requests.request_uri(token);
    let (content_type, bytes) = if svg {
        ("image/svg+xml", crate::qr::svg(&uri).map_err(ApiError::internal)?.into_bytes())
    } else {
        ("image/png", crate::qr::png(&uri).map_err(ApiError::internal)?)
    };
    // The image holds the token: never cached.
    Ok(NoStore(([(header::CONTENT_TYPE, content_type)], bytes)).into_response())
}

/// The QR code (PNG) of a pending request's link.
#[utoipa::path(get, operation_id = "getProofRequestQrPng", path = "/requests/{token}/qr.png", tag = "verifier",
    params(("token" = String, Path, description = "The token of the request's link")),
    responses((status = 200, description = "PNG", content((crate::openapi::Binary = "image/png"))),
              (status = 404, description = "No such request", body = ErrorBody),
              (status = 410, description = "Expired or already answered", body = ErrorBody)))]
pub async fn qr_png(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, ApiError> {
    qr(&state, &token, false).await
}

/// The QR code (SVG) of a pending request's link.
#[utoipa::path(get, operation_id = "getProofRequestQrSvg", path = "/requests/{token}/qr.svg", tag = "verifier",
    params(("token" = String, Path, description = "The token of the request's link")),
    responses((status = 200, description = "SVG", content((String = "image/svg+xml"))),
              (status = 404, description = "No such request", body = ErrorBody),
              (status = 410, description = "Expired or already answered", body = ErrorBody)))]
pub async fn qr_svg(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, ApiError> {
    qr(&state, &token, true).await
}

/// The page of a request's link for people: who asks what, in words, and how to answer.
#[utoipa::path(get, operation_id = "proofRequestPage", path = "/r/{token}", tag = "verifier",
    params(("token" = String, Path, description = "The token of the request's link")),
    responses((status = 200, description = "HTML page", content_type = "text/html", body = String),
              (status = 404, description = "HTML page: no such request", content_type = "text/html", body = String),
              (status = 410, description = "HTML page: expired or already answered", content_type = "text/html", body = String)))]
pub async fn request_page(
    State(state): State<AppState>,
    crate::webapp::session::MaybeSignedIn(signed): crate::webapp::session::MaybeSignedIn,
    Path(token): Path<String>,
) -> Response {
    use crate::pages::layout::respond as page;
    use crate::pages::request_page::{render, unavailable};
    let request = match open_request(&state, &token).await {
        Ok(request) => request,
        Err(e) if e.status() == StatusCode::NOT_FOUND => {
            return page(StatusCode::NOT_FOUND, unavailable("This request does not exist"))
        }
        Err(e) if e.status() == StatusCode::GONE => {
            return page(StatusCode::GONE, unavailable("This request is closed"))
        }
        Err(e) => return e.into_response(),
    };
    match RequestDescription::of(&state, &request).await {
        Ok(description) => {
            let answer =
                crate::webapp::consent::answer_section(&state, signed.as_ref(), &request, &token).await;
            // Signed in, the page's answer forms lead to the verifier's `redirect_url`: its
            // origin (that one only, on this page only) joins `form-action`.
            let redirect = signed
                .as_ref()
                .and(request.spec.redirect_url.as_deref())
                .and_then(crate::pages::layout::redirect_origin);
            match redirect {
                Some(origin) => crate::pages::layout::respond_with_policy(
                    StatusCode::OK,
                    render(&description, answer),
                    &crate::pages::layout::csp_with_form_action(&origin),
                ),
                None => page(StatusCode::OK, render(&description, answer)),
            }
        }
        Err(e) => e.into_response(),
    }
}
