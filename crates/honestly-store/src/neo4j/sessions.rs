//! Sessions, refresh-token rotation, revoked access tokens and login failures in Neo4j.
//! Rotation locks the presented `(:RefreshToken)` node first, so of concurrent presentations
//! of one token exactly one finds it unspent. Every time here is stored as Unix seconds.

use std::time::Duration;

use async_trait::async_trait;
use neo4rs::query;
use serde::Deserialize;

use super::{in_tx, Count, Neo4jStore};
use crate::stored::{text, unix, unix_opt};
use honestly_core::auth::Role;
use honestly_core::clock::Timestamp;
use honestly_core::ids::{SessionId, TokenId, UserId};
use honestly_core::store::{
    LiveSession, NewRefreshToken, NextRefreshToken, RotateOutcome, SessionStore, SessionSummary, StoreError,
};

/// How long expired refresh tokens and old login failures are kept before housekeeping
/// forgets them.
const KEPT_FOR: Duration = Duration::from_secs(86_400);

const START: &str = "MATCH (u:User {id: $user_id}) \
     CREATE (s:Session {id: $family_id, user_id: $user_id, created_at: $now})-[:OF_USER]->(u) \
     CREATE (:RefreshToken {hash: $hash, session_id: $family_id, expires_at: $expires_at})-[:IN_SESSION]->(s) \
     RETURN count(s) AS n";

const FORGET_EXPIRED_TOKENS: &str = "MATCH (t:RefreshToken) WHERE t.expires_at < $before DETACH DELETE t";

pub(super) const ROTATE_READ: &str = "MATCH (t:RefreshToken {hash: $hash}) \
     MATCH (s:Session {id: t.session_id}) \
     OPTIONAL MATCH (u:User {id: s.user_id}) \
     RETURN s.id AS family_id, s.user_id AS user_id, t.expires_at AS expires_at, \
       t.used_at AS used_at, s.revoked_at AS revoked_at, u.disabled AS disabled, u IS NOT NULL AS user_exists";

const ROTATE_WRITE: &str = "MATCH (t:RefreshToken {hash: $old_hash}) WHERE t.used_at IS NULL \
     SET t.used_at = $now \
     WITH t MATCH (s:Session {id: t.session_id}) \
     CREATE (:RefreshToken {hash: $new_hash, session_id: s.id, expires_at: $expires_at})-[:IN_SESSION]->(s) \
     RETURN count(s) AS n";

const REVOKE_SESSION: &str =
    "MATCH (s:Session {id: $family_id}) WHERE s.revoked_at IS NULL SET s.revoked_at = $now";

pub(super) const ACCESS_ACTIVE: &str = "MATCH (u:User {id: $user_id}) WHERE NOT coalesce(u.disabled, false) \
     MATCH (s:Session {id: $family_id}) WHERE s.user_id = u.id AND s.revoked_at IS NULL \
     OPTIONAL MATCH (r:RevokedAccessToken {jti: $jti}) \
     RETURN r IS NULL AS active, u.role AS role";

const LIVE_BY_TOKEN: &str = "MATCH (t:RefreshToken {hash: $hash}) \
     WHERE t.used_at IS NULL AND t.expires_at > $now \
     MATCH (s:Session {id: t.session_id}) WHERE s.revoked_at IS NULL \
     MATCH (u:User {id: s.user_id}) WHERE NOT coalesce(u.disabled, false) \
     RETURN s.user_id AS user_id, s.id AS family_id, u.role AS role";

const LIVE_OF_USER: &str = "MATCH (s:Session {user_id: $user_id}) WHERE s.revoked_at IS NULL \
     AND EXISTS { MATCH (t:RefreshToken {session_id: s.id}) WHERE t.used_at IS NULL AND t.expires_at > $now } \
     RETURN s.id AS id, s.created_at AS created_at ORDER BY s.created_at DESC, s.id LIMIT $limit";

const REVOKE_OF_USER: &str = "MATCH (s:Session {user_id: $user_id}) WHERE s.revoked_at IS NULL \
     SET s.revoked_at = $now RETURN count(s) AS n";

const SET_PASSWORD: &str = "MATCH (u:User {id: $user_id}) SET u.password_hash = $hash RETURN count(u) AS n";

const REVOKE_OTHERS: &str = "MATCH (s:Session {user_id: $user_id}) \
     WHERE s.revoked_at IS NULL AND s.id <> $keep SET s.revoked_at = $now";

#[derive(Deserialize)]
struct LiveRow {
    user_id: String,
    family_id: String,
    role: String,
}

#[derive(Deserialize)]
struct SummaryRow {
    id: String,
    created_at: i64,
}

#[derive(Deserialize)]
struct RotateRow {
    family_id: String,
    user_id: String,
    expires_at: i64,
    used_at: Option<i64>,
    revoked_at: Option<i64>,
    disabled: Option<bool>,
    user_exists: bool,
}

/// The presented token and its session, as rotation decides on them.
struct Presented {
    family_id: SessionId,
    user_id: UserId,
    expires_at: Timestamp,
    used_at: Option<Timestamp>,
    revoked_at: Option<Timestamp>,
    /// The user exists and is not disabled.
    user_enabled: bool,
}

impl TryFrom<RotateRow> for Presented {
    type Error = StoreError;

    fn try_from(r: RotateRow) -> Result<Self, StoreError> {
        Ok(Presented {
            family_id: text("Session.id", &r.family_id)?,
            user_id: text("Session.user_id", &r.user_id)?,
            expires_at: unix("RefreshToken.expires_at", r.expires_at)?,
            used_at: unix_opt("RefreshToken.used_at", r.used_at)?,
            revoked_at: unix_opt("Session.revoked_at", r.revoked_at)?,
            user_enabled: r.user_exists && !r.disabled.unwrap_or(false),
        })
    }
}

#[derive(Deserialize)]
struct FailuresRow {
    n: i64,
    oldest: Option<i64>,
}

#[async_trait]
impl SessionStore for Neo4jStore {
    async fn start_session(&self, token: &NewRefreshToken, now: Timestamp) -> Result<(), StoreError> {
        in_tx!(self, |tx| {
            let created: Option<Count> = tx
                .fetch_one(
                    query(START)
                        .param("user_id", token.user_id.as_str())
                        .param("family_id", token.family_id.as_str())
                        .param("hash", token.hash.as_str())
                        .param("expires_at", token.expires_at.unix())
                        .param("now", now.unix()),
                )
                .await?;
            if created.is_none_or(|c| c.n != 1) {
                return Err(StoreError::conflict(format!("no user {} for the session", token.user_id)));
            }
            // Housekeeping, bounded by the index: forget tokens long expired.
            tx.run(query(FORGET_EXPIRED_TOKENS).param("before", now.minus(KEPT_FOR).unix())).await?;
            Ok(())
        })
    }

    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        next: &NextRefreshToken,
        now: Timestamp,
    ) -> Result<RotateOutcome, StoreError> {
        in_tx!(self, |tx| {
            if !tx.lock("RefreshToken", "hash", old_hash).await? {
                return Ok(RotateOutcome::Invalid);
            }
            let Some(row) = tx.fetch_one::<RotateRow>(query(ROTATE_READ).param("hash", old_hash)).await?
            else {
                return Ok(RotateOutcome::Invalid);
            };
            let found = Presented::try_from(row)?;
            if found.revoked_at.is_some() {
                return Ok(RotateOutcome::Invalid);
            }
            if found.used_at.is_some() {
                tx.run(
                    query(REVOKE_SESSION)
                        .param("family_id", found.family_id.as_str())
                        .param("now", now.unix()),
                )
                .await?;
                return Ok(RotateOutcome::Reused { family_id: found.family_id });
            }
            if found.expires_at <= now || !found.user_enabled {
                return Ok(RotateOutcome::Invalid);
            }
            let spent: Option<Count> = tx
                .fetch_one(
                    query(ROTATE_WRITE)
                        .param("old_hash", old_hash)
                        .param("now", now.unix())
                        .param("new_hash", next.hash.as_str())
                        .param("expires_at", next.expires_at.unix()),
                )
                .await?;
            if spent.is_none_or(|c| c.n != 1) {
                return Ok(RotateOutcome::Invalid);
            }
            Ok(RotateOutcome::Rotated { user_id: found.user_id, family_id: found.family_id })
        })
    }

    async fn revoke_session(&self, family_id: &SessionId, now: Timestamp) -> Result<(), StoreError> {
        self.run(query(REVOKE_SESSION).param("family_id", family_id.as_str()).param("now", now.unix())).await
    }

    async fn revoke_access_token(&self, jti: &TokenId, expires_at: Timestamp) -> Result<(), StoreError> {
        let now = Timestamp::now();
        in_tx!(self, |tx| {
            tx.run(
                query("MERGE (r:RevokedAccessToken {jti: $jti}) ON CREATE SET r.expires_at = $expires_at")
                    .param("jti", jti.as_str())
                    .param("expires_at", expires_at.unix()),
            )
            .await?;
            tx.run(
                query("MATCH (r:RevokedAccessToken) WHERE r.expires_at < $now DELETE r")
                    .param("now", now.unix()),
            )
            .await
        })
    }

    async fn access_token_role(
        &self,
        user_id: &UserId,
        family_id: &SessionId,
        jti: &TokenId,
    ) -> Result<Option<Role>, StoreError> {
        #[derive(Deserialize)]
        struct Active {
            active: bool,
            role: String,
        }
        let row: Option<Active> = self
            .fetch_one(
                query(ACCESS_ACTIVE)
                    .param("user_id", user_id.as_str())
                    .param("family_id", family_id.as_str())
                    .param("jti", jti.as_str()),
            )
            .await?;
        // No row: no such enabled user with this live session.
        match row {
            Some(r) if r.active => Ok(Some(text("User.role", &r.role)?)),
            _ => Ok(None),
        }
    }

    async fn record_login_failure(&self, key: &str, at: Timestamp) -> Result<(), StoreError> {
        in_tx!(self, |tx| {
            tx.run(
                query("CREATE (:LoginFailure {key: $key, at: $at})").param("key", key).param("at", at.unix()),
            )
            .await?;
            // Failures older than a day no longer matter to any window.
            tx.run(
                query("MATCH (f:LoginFailure) WHERE f.at < $before DELETE f")
                    .param("before", at.minus(KEPT_FOR).unix()),
            )
            .await
        })
    }

    async fn login_failures_since(
        &self,
        key: &str,
        since: Timestamp,
    ) -> Result<(u32, Option<Timestamp>), StoreError> {
        let row: Option<FailuresRow> = self
            .fetch_one(
                query(
                    "MATCH (f:LoginFailure {key: $key}) WHERE f.at >= $since \
                     RETURN count(f) AS n, min(f.at) AS oldest",
                )
                .param("key", key)
                .param("since", since.unix()),
            )
            .await?;
        match row {
            Some(r) => Ok((u32::try_from(r.n).unwrap_or(u32::MAX), unix_opt("LoginFailure.at", r.oldest)?)),
            None => Ok((0, None)),
        }
    }

    async fn clear_login_failures(&self, key: &str) -> Result<(), StoreError> {
        self.run(
            query("MATCH (f:LoginFailure {key: $key}) WHERE f.at IS NOT NULL DELETE f").param("key", key),
        )
        .await
    }

    async fn live_session_by_token(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<LiveSession>, StoreError> {
        let row: Option<LiveRow> =
            self.fetch_one(query(LIVE_BY_TOKEN).param("hash", token_hash).param("now", now.unix())).await?;
        row.map(|r| {
            Ok(LiveSession {
                user_id: text("Session.user_id", &r.user_id)?,
                family_id: text("Session.id", &r.family_id)?,
                role: text("User.role", &r.role)?,
            })
        })
        .transpose()
    }

    async fn live_sessions(
        &self,
        user_id: &UserId,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<SessionSummary>, StoreError> {
        let rows: Vec<SummaryRow> = self
            .fetch(
                query(LIVE_OF_USER)
                    .param("user_id", user_id.as_str())
                    .param("now", now.unix())
                    .param("limit", i64::from(limit)),
            )
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(SessionSummary {
                    id: text("Session.id", &r.id)?,
                    created_at: unix("Session.created_at", r.created_at)?,
                })
            })
            .collect()
    }

    async fn revoke_user_sessions(&self, user_id: &UserId, now: Timestamp) -> Result<u64, StoreError> {
        let row: Option<Count> = in_tx!(self, |tx| {
            tx.fetch_one(query(REVOKE_OF_USER).param("user_id", user_id.as_str()).param("now", now.unix()))
                .await
        })?;
        Ok(row.map_or(0, |c| u64::try_from(c.n).unwrap_or(0)))
    }

    async fn set_password_hash(
        &self,
        user_id: &UserId,
        password_hash: &str,
        keep: &SessionId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        in_tx!(self, |tx| {
            let changed: Option<Count> = tx
                .fetch_one(
                    query(SET_PASSWORD).param("user_id", user_id.as_str()).param("hash", password_hash),
                )
                .await?;
            if changed.is_none_or(|c| c.n != 1) {
                return Ok(false);
            }
            tx.run(
                query(REVOKE_OTHERS)
                    .param("user_id", user_id.as_str())
                    .param("keep", keep.as_str())
                    .param("now", now.unix()),
            )
            .await?;
            Ok(true)
        })
    }
}
