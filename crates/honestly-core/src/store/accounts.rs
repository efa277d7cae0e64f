//! Accounts and login sessions.

use async_trait::async_trait;

use super::StoreError;
use crate::auth::model::{Role, User, UserRecord};
use crate::clock::Timestamp;
use crate::ids::{SessionId, TokenId, UserId};

/// Accounts.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Inserts a user; [`StoreError::Conflict`] when the canonical username is taken.
    async fn create_user(&self, record: &UserRecord, canonical_username: &str) -> Result<(), StoreError>;
    /// Finds a user (with password hash) by canonical username.
    async fn user_by_username(&self, canonical_username: &str) -> Result<Option<UserRecord>, StoreError>;
    /// Finds a user by id.
    async fn user_by_id(&self, id: &UserId) -> Result<Option<User>, StoreError>;
    /// Users in creation order, at most `limit`.
    async fn list_users(&self, limit: u32) -> Result<Vec<User>, StoreError>;
    /// Applies `change` to the account and revokes every one of its sessions (refresh tokens
    /// and the access tokens issued with them), in one atomic operation. Refused, changing
    /// nothing, when it would leave no enabled administrator.
    async fn update_user(
        &self,
        id: &UserId,
        change: AccountChange,
        now: Timestamp,
    ) -> Result<AccountUpdate, StoreError>;
    /// Erases the account and everything it owns in one transaction: documents (metadata and
    /// ciphertext), proofs, share links, agents, sessions and refresh tokens, timeline events
    /// and recorded login failures of its username. Registry leaves stay (the roots need
    /// them) without the document id. Refused, erasing nothing, when it would leave no
    /// enabled administrator. Afterwards no stored byte holds the account's username or its
    /// documents' hashes (SQLite: deleted content is zeroed and the write-ahead log emptied).
    async fn erase_user(&self, id: &UserId, now: Timestamp) -> Result<Erasure, StoreError>;
}

/// A change an administrator makes to an account: what is `None` stays as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccountChange {
    /// The new role.
    pub role: Option<Role>,
    /// Disable (`true`) or enable (`false`).
    pub disabled: Option<bool>,
}

/// What [`UserStore::update_user`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountUpdate {
    /// Changed, sessions revoked: the account as it is now.
    Changed(User),
    /// No such account.
    NotFound,
    /// Refused: the account is the last enabled administrator.
    LastAdmin,
}

/// How much an erasure removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ErasedCounts {
    /// Documents (with their ciphertext).
    pub documents: u64,
    /// Proofs.
    pub proofs: u64,
    /// Share links.
    pub links: u64,
    /// Delegated agents.
    pub agents: u64,
    /// Login sessions.
    pub sessions: u64,
    /// Timeline events.
    pub timeline_events: u64,
}

/// What [`UserStore::erase_user`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Erasure {
    /// Erased: how much went.
    Erased(ErasedCounts),
    /// No such account.
    NotFound,
    /// Refused: the account is the last enabled administrator.
    LastAdmin,
}

/// A refresh token about to be stored.
#[derive(Debug, Clone)]
pub struct NewRefreshToken {
    /// SHA-256 of the token text.
    pub hash: String,
    /// The login session it belongs to.
    pub family_id: SessionId,
    /// The account.
    pub user_id: UserId,
    /// When it stops working.
    pub expires_at: Timestamp,
}

/// The token that replaces a spent one, in the spent one's session.
#[derive(Debug, Clone)]
pub struct NextRefreshToken {
    /// SHA-256 of the token text.
    pub hash: String,
    /// When it stops working.
    pub expires_at: Timestamp,
}

/// What presenting a refresh token did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotateOutcome {
    /// The token was live: it is now spent and the new one stored.
    Rotated {
        /// The account.
        user_id: UserId,
        /// The session, unchanged.
        family_id: SessionId,
    },
    /// The token was already spent: its whole family is now revoked.
    Reused {
        /// The revoked session.
        family_id: SessionId,
    },
    /// Unknown, expired, or of a revoked family.
    Invalid,
}

/// Login sessions, refresh-token rotation, revoked access tokens and login failures.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Starts a session (family) with its first refresh token.
    async fn start_session(&self, token: &NewRefreshToken, now: Timestamp) -> Result<(), StoreError>;
    /// Atomically spends `old_hash` and stores `next` in the same family (for the same
    /// user); a spent token revokes the family. Of concurrent calls with one token, exactly
    /// one rotates.
    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        next: &NextRefreshToken,
        now: Timestamp,
    ) -> Result<RotateOutcome, StoreError>;
    /// Revokes a session: its refresh tokens and its access tokens stop working.
    async fn revoke_session(&self, family_id: &SessionId, now: Timestamp) -> Result<(), StoreError>;
    /// Revokes one access token until it would have expired.
    async fn revoke_access_token(&self, jti: &TokenId, expires_at: Timestamp) -> Result<(), StoreError>;
    /// The account's current role when an access token may still be used (its user exists
    /// and is enabled, its session is not revoked and its `jti` is not revoked); `None`
    /// otherwise. One indexed read per authenticated request: the role in the token is
    /// never trusted.
    async fn access_token_role(
        &self,
        user_id: &UserId,
        family_id: &SessionId,
        jti: &TokenId,
    ) -> Result<Option<Role>, StoreError>;
    /// Records a failed login for `key` (username and client IP) at `at`.
    async fn record_login_failure(&self, key: &str, at: Timestamp) -> Result<(), StoreError>;
    /// Failures for `key` since `since`: how many, and the oldest one's time.
    async fn login_failures_since(
        &self,
        key: &str,
        since: Timestamp,
    ) -> Result<(u32, Option<Timestamp>), StoreError>;
    /// Forgets the failures of `key` (after a successful login).
    async fn clear_login_failures(&self, key: &str) -> Result<(), StoreError>;
    /// The session whose refresh token hashes to `token_hash`, read without spending the
    /// token: `Some` only while the token is unspent and unexpired, its session unrevoked and
    /// its account enabled, with the account's current role. Browser sessions are checked
    /// this way on every page request.
    async fn live_session_by_token(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<LiveSession>, StoreError>;
    /// The account's live sessions (unrevoked, with an unspent and unexpired refresh token),
    /// newest first, at most `limit`.
    async fn live_sessions(
        &self,
        user_id: &UserId,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<SessionSummary>, StoreError>;
    /// Revokes every session of the account (refresh and access tokens alike); how many
    /// sessions were unrevoked.
    async fn revoke_user_sessions(&self, user_id: &UserId, now: Timestamp) -> Result<u64, StoreError>;
    /// Replaces the account's password hash and revokes every one of its sessions but
    /// `keep`, in one atomic operation; `false` (nothing changed) when there is no such
    /// account.
    async fn set_password_hash(
        &self,
        user_id: &UserId,
        password_hash: &str,
        keep: &SessionId,
        now: Timestamp,
    ) -> Result<bool, StoreError>;
}

/// A session found by its refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSession {
    /// The account.
    pub user_id: UserId,
    /// The session.
    pub family_id: SessionId,
    /// The account's role now.
    pub role: Role,
}

/// One of an account's live sessions, as the account page lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSummary {
    /// The session.
    pub id: SessionId,
    /// When it started (the login).
    pub created_at: Timestamp,
}
