//! Browser sessions: the web app signs in through [`AuthService::login`] like the API (same
//! throttling, lockout and audit events) and keeps the login's refresh token in a cookie. The
//! token is never spent by the browser: every page request reads its session from the store
//! (unspent, unexpired, unrevoked, account enabled, current role), so every replica on the
//! store agrees and a revocation anywhere takes effect at once.

use super::model::Role;
use super::refresh;
use super::service::{AuthError, AuthService};
use crate::audit::{Actor, AuditEvent, Outcome};
use crate::clock::Timestamp;
use crate::ids::{SessionId, UserId};
use crate::store::SessionSummary;

/// Most sessions the account page lists.
pub const MAX_LISTED_SESSIONS: u32 = 50;

/// A signed-in browser, as the store says now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserSession {
    /// The account.
    pub user_id: UserId,
    /// The account's current role.
    pub role: Role,
    /// The login session the cookie belongs to.
    pub session_id: SessionId,
}

impl AuthService {
    /// The live session of a browser's session token; `None` when the token is malformed,
    /// unknown, spent, expired or revoked, or its account is disabled.
    pub async fn browser_session(&self, token: &str) -> Result<Option<BrowserSession>, AuthError> {
        if !refresh::looks_valid(token) {
            return Ok(None);
        }
        let live = self.store.live_session_by_token(&refresh::hash(token), Timestamp::now()).await?;
        Ok(live.map(|l| BrowserSession { user_id: l.user_id, role: l.role, session_id: l.family_id }))
    }

    /// Ends one session of `user_id` (sign out, or "end" on the account page). A session
    /// that is not the account's live session changes nothing; the answer says whether one
    /// ended.
    pub async fn end_session(&self, user_id: &UserId, session_id: &SessionId) -> Result<bool, AuthError> {
        let now = Timestamp::now();
        let own = self.store.live_sessions(user_id, now, MAX_LISTED_SESSIONS).await?;
        if !own.iter().any(|s| &s.id == session_id) {
            return Ok(false);
        }
        self.store.revoke_session(session_id, now).await?;
        self.audit.record(
            AuditEvent::new(Actor::User(user_id.clone()), "auth.logout", Outcome::Success)
                .target(session_id.as_str()),
        );
        Ok(true)
    }

    /// Ends every session of `user_id`: browser sessions and API tokens alike.
    pub async fn end_all_sessions(&self, user_id: &UserId) -> Result<u64, AuthError> {
        let ended = self.store.revoke_user_sessions(user_id, Timestamp::now()).await?;
        self.audit.record(
            AuditEvent::new(Actor::User(user_id.clone()), "auth.logout.everywhere", Outcome::Success)
                .target(user_id.as_str())
                .reason(format!("{ended} sessions ended")),
        );
        Ok(ended)
    }

    /// The account's live sessions, newest first (at most [`MAX_LISTED_SESSIONS`]).
    pub async fn live_sessions(&self, user_id: &UserId) -> Result<Vec<SessionSummary>, AuthError> {
        Ok(self.store.live_sessions(user_id, Timestamp::now(), MAX_LISTED_SESSIONS).await?)
    }
}
