//! `/admin/users`: administrators list accounts, change a role, disable or enable an account,
//! and erase one. Every change ends the account's sessions at once; the last enabled
//! administrator cannot be demoted, disabled or erased (409).

use axum::extract::State;
use axum::http::StatusCode;
use honestly_core::audit::Actor;
use honestly_core::auth::accounts::parse_role;
use honestly_core::auth::User;
use honestly_core::ids::UserId;
use honestly_core::store::AccountChange;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::{Admin, RequireRole};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::json::Json;
use crate::state::AppState;

/// The `/admin` routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(list_users)).routes(routes!(update_user, delete_user))
}

/// An account as administrators see it.
#[derive(Serialize, ToSchema)]
pub struct AdminUserView {
    /// `usr_…`.
    pub id: String,
    /// As chosen at registration.
    pub username: String,
    /// `admin`, `verifier` or `user`.
    pub role: String,
    /// Disabled accounts cannot log in, and their tokens are refused.
    pub disabled: bool,
    /// RFC 3339.
    pub created_at: String,
}

impl From<User> for AdminUserView {
    fn from(u: User) -> Self {
        Self {
            id: u.id.into_string(),
            username: u.username,
            role: u.role.as_str().into(),
            disabled: u.disabled,
            created_at: u.created_at.rfc3339(),
        }
    }
}

/// `{users}`.
#[derive(Serialize, ToSchema)]
pub struct AdminUserList {
    /// In creation order, at most 1000.
    pub users: Vec<AdminUserView>,
}

/// `{user}`.
#[derive(Serialize, ToSchema)]
pub struct AdminUserResponse {
    /// The account after the change.
    pub user: AdminUserView,
}

/// What to change (at least one member).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    /// `admin`, `verifier` or `user`.
    pub role: Option<String>,
    /// `true` disables the account, `false` enables it.
    pub disabled: Option<bool>,
}

/// Lists the accounts (admin).
#[utoipa::path(get, operation_id = "listUsers", path = "/admin/users", tag = "admin", security(("bearer" = [])),
    responses((status = 200, description = "The accounts", body = AdminUserList),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 403, description = "Not an admin", body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    _admin: RequireRole<Admin>,
) -> Result<Json<AdminUserList>, ApiError> {
    let users = state.accounts.list().await?;
    Ok(Json(AdminUserList { users: users.into_iter().map(AdminUserView::from).collect() }))
}

/// Changes an account's role and/or disables or enables it (admin); its sessions end at once.
#[utoipa::path(patch, operation_id = "updateUser", path = "/admin/users/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "`usr_…`")),
    request_body = UserUpdate,
    responses((status = 200, description = "Changed; the account's sessions are revoked", body = AdminUserResponse),
              (status = 400, description = "Unknown role, or nothing to change", body = ErrorBody),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 403, description = "Not an admin", body = ErrorBody),
              (status = 404, description = "No such account", body = ErrorBody),
              (status = 409, description = "It would leave no enabled administrator", body = ErrorBody),
              (status = 413, description = "Body larger than 1 MiB", body = ErrorBody),
              (status = 415, description = "Not Content-Type: application/json", body = ErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    admin: RequireRole<Admin>,
    Path(id): Path<UserId>,
    Json(body): Json<UserUpdate>,
) -> Result<Json<AdminUserResponse>, ApiError> {
    let role = body.role.as_deref().map(parse_role).transpose()?;
    let change = AccountChange { role, disabled: body.disabled };
    let user = state.accounts.change(Actor::User(admin.0.user_id), &id, change).await?;
    tracing::info!(user_id = %user.id, role = user.role.as_str(), disabled = user.disabled, "account changed");
    Ok(Json(AdminUserResponse { user: user.into() }))
}

/// Erases an account and everything it owns (admin), as `DELETE /auth/me` does.
#[utoipa::path(delete, operation_id = "deleteUser", path = "/admin/users/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "`usr_…`")),
    responses((status = 204, description = "Erased"),
              (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 403, description = "Not an admin", body = ErrorBody),
              (status = 404, description = "No such account", body = ErrorBody),
              (status = 409, description = "The last administrator cannot be erased", body = ErrorBody)))]
pub async fn delete_user(
    State(state): State<AppState>,
    admin: RequireRole<Admin>,
    Path(id): Path<UserId>,
) -> Result<StatusCode, ApiError> {
    state.accounts.erase(Actor::User(admin.0.user_id), &id).await?;
    state.forget_cached_content();
    tracing::info!(user_id = %id, "account erased by an administrator");
    Ok(StatusCode::NO_CONTENT)
}
