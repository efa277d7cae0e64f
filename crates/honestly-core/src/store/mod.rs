//! Persistence behind one trait, [`Store`], so backends (embedded SQLite, Neo4j) are
//! interchangeable and one conformance suite can run against each. The trait is the sum of
//! one sub-trait per area; every operation that must never be doubled or lost is atomic in
//! the backend.

pub mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;

use crate::auth::model::{User, UserRecord};
use crate::config::{Config, DatabaseUrl};

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend cannot be reached or is overloaded; the caller may retry later.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// A uniqueness rule refused the write.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Anything else; the cause is for logs only.
    #[error("store failure: {0}")]
    Internal(String),
}

/// Accounts.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Inserts a user; [`StoreError::Conflict`] when the canonical username is taken.
    async fn create_user(&self, record: &UserRecord, canonical_username: &str) -> Result<(), StoreError>;
    /// Finds a user (with password hash) by canonical username.
    async fn user_by_username(&self, canonical_username: &str) -> Result<Option<UserRecord>, StoreError>;
    /// Finds a user by id.
    async fn user_by_id(&self, id: &str) -> Result<Option<User>, StoreError>;
    /// Users in creation order, at most `limit`.
    async fn list_users(&self, limit: u32) -> Result<Vec<User>, StoreError>;
}

/// A refresh token about to be stored.
#[derive(Debug, Clone)]
pub struct NewRefreshToken {
    /// SHA-256 of the token text.
    pub hash: String,
    /// The login session it belongs to.
    pub family_id: String,
    /// The account.
    pub user_id: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// What presenting a refresh token did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotateOutcome {
    /// The token was live: it is now spent and the new one stored.
    Rotated {
        /// The account.
        user_id: String,
        /// The session, unchanged.
        family_id: String,
    },
    /// The token was already spent: its whole family is now revoked.
    Reused {
        /// The revoked session.
        family_id: String,
    },
    /// Unknown, expired, or of a revoked family.
    Invalid,
}

/// Login sessions, refresh-token rotation, revoked access tokens and login failures.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Starts a session (family) with its first refresh token.
    async fn start_session(&self, token: &NewRefreshToken, now: i64) -> Result<(), StoreError>;
    /// Atomically spends `old_hash` and stores `new` in the same family; a spent token
    /// revokes the family. Of concurrent calls with one token, exactly one rotates.
    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        new: &NewRefreshToken,
        now: i64,
    ) -> Result<RotateOutcome, StoreError>;
    /// Revokes a session: its refresh tokens and its access tokens stop working.
    async fn revoke_session(&self, family_id: &str, now: i64) -> Result<(), StoreError>;
    /// Revokes one access token until it would have expired.
    async fn revoke_access_token(&self, jti: &str, expires_at: i64) -> Result<(), StoreError>;
    /// Whether an access token may still be used: its user exists and is enabled, its session
    /// is not revoked and its `jti` is not revoked.
    async fn access_token_active(
        &self,
        user_id: &str,
        family_id: &str,
        jti: &str,
    ) -> Result<bool, StoreError>;
    /// Records a failed login for `key` (username and client IP) at `at`.
    async fn record_login_failure(&self, key: &str, at: i64) -> Result<(), StoreError>;
    /// Failures for `key` since `since`: how many, and the oldest one's time.
    async fn login_failures_since(&self, key: &str, since: i64) -> Result<(u32, Option<i64>), StoreError>;
    /// Forgets the failures of `key` (after a successful login).
    async fn clear_login_failures(&self, key: &str) -> Result<(), StoreError>;
}

/// Every persistent operation the services need.
#[async_trait]
pub trait Store: UserStore + SessionStore + Send + Sync + 'static {
    /// A short name of the backend (`sqlite`, `neo4j`) for health reports.
    fn backend(&self) -> &'static str;

    /// Answers when the backend is reachable and usable.
    async fn ping(&self) -> Result<(), StoreError>;
}

/// Opens the backend that `DATABASE_URL` names (migrations run here).
pub async fn open(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    match &config.database {
        DatabaseUrl::Sqlite(path) => Ok(Arc::new(sqlite::SqliteStore::open(path).await?)),
        DatabaseUrl::Neo4j(_) => anyhow::bail!(
            "DATABASE_URL selects Neo4j, whose backend is not part of this build yet; \
             use sqlite:// (the default)"
        ),
    }
}
