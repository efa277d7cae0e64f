//! `/auth`: register, login, refresh, logout, me, and erasing one's own account.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use honestly_core::auth::{LoginOutcome, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ClientIp;
use crate::json::Json;
use crate::no_store::NoStore;
use crate::state::AppState;

/// The `/auth` routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(logout_everywhere))
        .routes(routes!(me, erase_me))
}

/// Username and password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    /// 3–64 characters of `a-z A-Z 0-9 . _ -`.
    pub username: String,
    /// 12–128 characters.
    pub password: String,
}

/// The password that confirms an erasure.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseRequest {
    /// The account's current password.
    pub password: String,
}

/// A refresh token to spend.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from the last login or refresh.
    pub refresh_token: String,
}

/// An account as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct UserView {
    /// `usr_…`.
    pub id: String,
    /// As chosen at registration.
    pub username: String,
    /// `admin`, `verifier` or `user`.
    pub role: String,
    /// RFC 3339.
    pub created_at: String,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        Self {
            id: u.id.into_string(),
            username: u.username,
            role: u.role.as_str().into(),
            created_at: u.created_at.rfc3339(),
        }
    }
}

/// `{user}`.
#[derive(Serialize, ToSchema)]
pub struct UserResponse {
    /// The account.
    pub user: UserView,
}

/// Tokens issued by login or refresh.
#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// JWT (HS256) for `Authorization: Bearer`.
    pub access_token: String,
    /// Opaque, single-use; spend it at `/auth/refresh`.
    pub refresh_token: String,
    /// Always `bearer`.
    pub token_type: String,
    /// Access-token lifetime in seconds.
    pub expires_in: u64,
    /// The account.
    pub user: UserView,
}

impl From<LoginOutcome> for TokenResponse {
    fn from(o: LoginOutcome) -> Self {
        Self {
            access_token: o.tokens.access_token,
            refresh_token: o.tokens.refresh_token,
            token_type: "bearer".into(),
            expires_in: o.tokens.expires_in,
            user: o.user.into(),
        }
    }
}

/// Creates an account (when registration is open).
#[utoipa::path(post, operation_id = "register", path = "/auth/register", tag = "auth", request_body = Credentials,
    responses((status = 201, description = "Account created", body = UserResponse),
              (status = 400, description = "Invalid username or password", body = ErrorBody),
              (status = 403, description = "Registration is closed", body = ErrorBody),
              (status = 409, description = "Username taken", body = ErrorBody),
              (status = 413, description = "Body larger than 1 MiB", body = ErrorBody),
              (status = 415, description = "Not Content-Type: application/json", body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    Json(body): Json<Credentials>,
) -> Result<Response, ApiError> {
    let user = state.auth.register(&body.username, &body.password).await?;
    tracing::info!(user_id = %user.id, "account registered");
    Ok((StatusCode::CREATED, Json(UserResponse { user: user.into() })).into_response())
}

/// Logs in; repeated failures for a username from one client answer 429 for 15 minutes.
#[utoipa::path(post, operation_id = "login", path = "/auth/login", tag = "auth", request_body = Credentials,
    responses((status = 200, description = "Logged in", body = TokenResponse),
              (status = 400, description = "Malformed JSON or a body that does not fit", body = ErrorBody),
              (status = 401, description = "Invalid username or password", body = ErrorBody),
              (status = 413, description = "Body larger than 1 MiB", body = ErrorBody),
              (status = 415, description = "Not Content-Type: application/json", body = ErrorBody),
              (status = 429, description = "Too many failures", body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(body): Json<Credentials>,
) -> Result<NoStore<Json<TokenResponse>>, ApiError> {
    let outcome = state.auth.login(&body.username, &body.password, &ip.to_string()).await?;
    tracing::info!(user_id = %outcome.user.id, "login");
    Ok(NoStore(Json(outcome.into())))
}

/// Spends a refresh token for a new pair; a spent token revokes its whole session.
#[utoipa::path(post, operation_id = "refreshTokens", path = "/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, description = "New token pair", body = TokenResponse),
              (status = 400, description = "Malformed JSON or a body that does not fit", body = ErrorBody),
              (status = 401, description = "Invalid, expired, spent or revoked token", body = ErrorBody),
              (status = 413, description = "Body larger than 1 MiB", body = ErrorBody),
              (status = 415, description = "Not Content-Type: application/json", body = ErrorBody)))]
pub async fn refresh(
    State(state): State<AppState>,
    Json(body): Json<RefreshRequest>,
) -> Result<NoStore<Json<TokenResponse>>, ApiError> {
    Ok(NoStore(Json(state.auth.refresh(&body.refresh_token).await?.into())))
}

/// Ends the session: this access token and every refresh token of its login.
#[utoipa::path(post, operation_id = "logout", path = "/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Logged out"),
              (status = 401, description = "Not authenticated", body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
) -> Result<StatusCode, ApiError> {
    state.auth.logout(&session).await?;
    tracing::info!(user_id = %session.user_id, "logout");
    Ok(StatusCode::NO_CONTENT)
}

/// Ends every session of the caller's account: every refresh token and access token of every
/// login, this one included (the web app's "sign out everywhere").
#[utoipa::path(post, operation_id = "logoutEverywhere", path = "/auth/logout-everywhere", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Every session ended"),
              (status = 401, description = "Not authenticated", body = ErrorBody)))]
pub async fn logout_everywhere(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
) -> Result<StatusCode, ApiError> {
    let ended = state.auth.end_all_sessions(&session.user_id).await?;
    tracing::info!(user_id = %session.user_id, ended, "logout everywhere");
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's account.
#[utoipa::path(get, operation_id = "getMe", path = "/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, description = "The account", body = UserResponse),
              (status = 401, description = "Not authenticated", body = ErrorBody)))]
pub async fn me(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
) -> Result<Json<UserResponse>, ApiError> {
    let user = state.auth.user(&session).await?;
    Ok(Json(UserResponse { user: user.into() }))
}

/// Erases the caller's account and everything it owns (documents, proofs, share links,
/// agents, sessions, timeline) at once; the password confirms it. A wrong password changes
/// nothing (401) and counts as a failed login (429 after repeated failures).
#[utoipa::path(delete, operation_id = "deleteMe", path = "/auth/me", tag = "auth", security(("bearer" = [])),
    request_body = EraseRequest,
    responses((status = 204, description = "Account erased"),
              (status = 400, description = "Malformed JSON or a body that does not fit", body = ErrorBody),
              (status = 401, description = "Not authenticated, or wrong password", body = ErrorBody),
              (status = 409, description = "The last administrator cannot be erased", body = ErrorBody),
              (status = 413, description = "Body larger than 1 MiB", body = ErrorBody),
              (status = 415, description = "Not Content-Type: application/json", body = ErrorBody),
              (status = 429, description = "Too many wrong passwords", body = ErrorBody)))]
pub async fn erase_me(
    State(state): State<AppState>,
    AuthUser(session): AuthUser,
    ClientIp(ip): ClientIp,
    Json(body): Json<EraseRequest>,
) -> Result<StatusCode, ApiError> {
    state.accounts.erase_own(&session, &body.password, &ip.to_string()).await?;
    state.forget_cached_content();
    tracing::info!("account erased");
    Ok(StatusCode::NO_CONTENT)
}
