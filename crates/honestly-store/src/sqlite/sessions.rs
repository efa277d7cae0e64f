//! Sessions, refresh-token rotation, revoked access tokens and login failures in SQLite.
//! Rotation runs in one immediate transaction on the single writer connection, so of
//! concurrent presentations of one token exactly one finds it unspent. Every time here is
//! stored as Unix seconds.

use std::time::Duration;

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

use super::columns::{text, unix, unix_opt};
use super::SqliteStore;
use honestly_core::auth::Role;
use honestly_core::clock::Timestamp;
use honestly_core::ids::{SessionId, TokenId, UserId};
use honestly_core::store::{
    LiveSession, NewRefreshToken, NextRefreshToken, RotateOutcome, SessionStore, SessionSummary, StoreError,
};

/// How long expired refresh tokens and old login failures are kept before housekeeping
/// forgets them.
const KEPT_FOR: Duration = Duration::from_secs(86_400);

/// What rotation reads about the presented token and its session.
struct Presented {
    family_id: SessionId,
    user_id: UserId,
    expires_at: Timestamp,
    used_at: Option<Timestamp>,
    revoked_at: Option<Timestamp>,
}

#[async_trait]
impl SessionStore for SqliteStore {
    async fn start_session(&self, token: &NewRefreshToken, now: Timestamp) -> Result<(), StoreError> {
        let token = token.clone();
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO sessions (id, user_id, created_at) VALUES (?1, ?2, ?3)",
                params![token.family_id.as_str(), token.user_id.as_str(), now.unix()],
            )?;
            tx.execute(
                "INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES (?1, ?2, ?3)",
                params![token.hash, token.family_id.as_str(), token.expires_at.unix()],
            )?;
            // Housekeeping, bounded by the index: forget tokens long expired.
            tx.execute("DELETE FROM refresh_tokens WHERE expires_at < ?1", [now.minus(KEPT_FOR).unix()])?;
            Ok(())
        })
        .await
    }

    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        next: &NextRefreshToken,
        now: Timestamp,
    ) -> Result<RotateOutcome, StoreError> {
        let old_hash = old_hash.to_string();
        let next = next.clone();
        self.write(move |tx| {
            let found = tx
                .query_row(
                    "SELECT s.id, s.user_id, t.expires_at, t.used_at, s.revoked_at
                     FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
                     WHERE t.token_hash = ?1",
                    [&old_hash],
                    |r| {
                        Ok(Presented {
                            family_id: text(r, 0)?,
                            user_id: text(r, 1)?,
                            expires_at: unix(r, 2)?,
                            used_at: unix_opt(r, 3)?,
                            revoked_at: unix_opt(r, 4)?,
                        })
                    },
                )
                .optional()?;
            let Some(found) = found else {
                return Ok(RotateOutcome::Invalid);
            };
            if found.revoked_at.is_some() {
                return Ok(RotateOutcome::Invalid);
            }
            if found.used_at.is_some() {
                tx.execute(
                    "UPDATE sessions SET revoked_at = ?1 WHERE id = ?2",
                    params![now.unix(), found.family_id.as_str()],
                )?;
                return Ok(RotateOutcome::Reused { family_id: found.family_id });
            }
            if found.expires_at <= now {
                return Ok(RotateOutcome::Invalid);
            }
            let disabled: bool =
                tx.query_row("SELECT disabled FROM users WHERE id = ?1", [found.user_id.as_str()], |r| {
                    r.get::<_, i64>(0).map(|d| d != 0)
                })?;
            if disabled {
                return Ok(RotateOutcome::Invalid);
            }
            let spent = tx.execute(
                "UPDATE refresh_tokens SET used_at = ?1 WHERE token_hash = ?2 AND used_at IS NULL",
                params![now.unix(), old_hash],
            )?;
            if spent != 1 {
                return Ok(RotateOutcome::Invalid);
            }
            tx.execute(
                "INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES (?1, ?2, ?3)",
                params![next.hash, found.family_id.as_str(), next.expires_at.unix()],
            )?;
            Ok(RotateOutcome::Rotated { user_id: found.user_id, family_id: found.family_id })
        })
        .await
    }

    async fn revoke_session(&self, family_id: &SessionId, now: Timestamp) -> Result<(), StoreError> {
        let family_id = family_id.clone();
        self.write(move |tx| {
            tx.execute(
                "UPDATE sessions SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
                params![now.unix(), family_id.as_str()],
            )?;
            Ok(())
        })
        .await
    }

    async fn revoke_access_token(&self, jti: &TokenId, expires_at: Timestamp) -> Result<(), StoreError> {
        let jti = jti.clone();
        let now = Timestamp::now();
        self.write(move |tx| {
            tx.execute(
                "INSERT OR IGNORE INTO revoked_access_tokens (jti, expires_at) VALUES (?1, ?2)",
                params![jti.as_str(), expires_at.unix()],
            )?;
            tx.execute("DELETE FROM revoked_access_tokens WHERE expires_at < ?1", [now.unix()])?;
            Ok(())
        })
        .await
    }

    async fn access_token_role(
        &self,
        user_id: &UserId,
        family_id: &SessionId,
        jti: &TokenId,
    ) -> Result<Option<Role>, StoreError> {
        let (user_id, family_id, jti) = (user_id.clone(), family_id.clone(), jti.clone());
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT u.role FROM users u JOIN sessions s ON s.user_id = u.id
                     WHERE u.id = ?1 AND u.disabled = 0 AND s.id = ?2 AND s.revoked_at IS NULL
                       AND NOT EXISTS (SELECT 1 FROM revoked_access_tokens r WHERE r.jti = ?3)",
                    params![user_id.as_str(), family_id.as_str(), jti.as_str()],
                    |r| text(r, 0),
                )
                .optional()?)
        })
        .await
    }

    async fn record_login_failure(&self, key: &str, at: Timestamp) -> Result<(), StoreError> {
        let key = key.to_string();
        self.write(move |tx| {
            tx.execute("INSERT INTO login_failures (key, at) VALUES (?1, ?2)", params![key, at.unix()])?;
            // Failures older than a day no longer matter to any window.
            tx.execute("DELETE FROM login_failures WHERE at < ?1", [at.minus(KEPT_FOR).unix()])?;
            Ok(())
        })
        .await
    }

    async fn login_failures_since(
        &self,
        key: &str,
        since: Timestamp,
    ) -> Result<(u32, Option<Timestamp>), StoreError> {
        let key = key.to_string();
        self.read(move |conn| {
            Ok(conn.query_row(
                "SELECT COUNT(*), MIN(at) FROM login_failures WHERE key = ?1 AND at >= ?2",
                params![key, since.unix()],
                |r| Ok((r.get::<_, u32>(0)?, unix_opt(r, 1)?)),
            )?)
        })
        .await
    }

    async fn clear_login_failures(&self, key: &str) -> Result<(), StoreError> {
        let key = key.to_string();
        self.write(move |tx| {
            tx.execute("DELETE FROM login_failures WHERE key = ?1", [key])?;
            Ok(())
        })
        .await
    }

    async fn live_session_by_token(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<LiveSession>, StoreError> {
        let token_hash = token_hash.to_string();
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT s.user_id, s.id, u.role
                     FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
                       JOIN users u ON u.id = s.user_id
                     WHERE t.token_hash = ?1 AND t.used_at IS NULL AND t.expires_at > ?2
                       AND s.revoked_at IS NULL AND u.disabled = 0",
                    params![token_hash, now.unix()],
                    |r| Ok(LiveSession { user_id: text(r, 0)?, family_id: text(r, 1)?, role: text(r, 2)? }),
                )
                .optional()?)
        })
        .await
    }

    async fn live_sessions(
        &self,
        user_id: &UserId,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<SessionSummary>, StoreError> {
        let user_id = user_id.clone();
        self.read(move |conn| {
            let mut statement = conn.prepare(
                "SELECT s.id, s.created_at FROM sessions s
                 WHERE s.user_id = ?1 AND s.revoked_at IS NULL
                   AND EXISTS (SELECT 1 FROM refresh_tokens t
                               WHERE t.session_id = s.id AND t.used_at IS NULL AND t.expires_at > ?2)
                 ORDER BY s.created_at DESC, s.id LIMIT ?3",
            )?;
            let rows = statement.query_map(params![user_id.as_str(), now.unix(), limit], |r| {
                Ok(SessionSummary { id: text(r, 0)?, created_at: unix(r, 1)? })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn revoke_user_sessions(&self, user_id: &UserId, now: Timestamp) -> Result<u64, StoreError> {
        let user_id = user_id.clone();
        self.write(move |tx| {
            let n = tx.execute(
                "UPDATE sessions SET revoked_at = ?1 WHERE user_id = ?2 AND revoked_at IS NULL",
                params![now.unix(), user_id.as_str()],
            )?;
            Ok(n as u64)
        })
        .await
    }

    async fn set_password_hash(
        &self,
        user_id: &UserId,
        password_hash: &str,
        keep: &SessionId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let (user_id, hash, keep) = (user_id.clone(), password_hash.to_string(), keep.clone());
        self.write(move |tx| {
            let changed = tx.execute(
                "UPDATE users SET password_hash = ?1 WHERE id = ?2",
                params![hash, user_id.as_str()],
            )?;
            if changed == 0 {
                return Ok(false);
            }
            tx.execute(
                "UPDATE sessions SET revoked_at = ?1 WHERE user_id = ?2 AND id <> ?3 AND revoked_at IS NULL",
                params![now.unix(), user_id.as_str(), keep.as_str()],
            )?;
            Ok(true)
        })
        .await
    }
}
