//! Sessions, refresh-token rotation, revoked access tokens and login failures in SQLite.
//! Rotation runs in one immediate transaction on the single writer connection, so of
//! concurrent presentations of one token exactly one finds it unspent.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

use super::SqliteStore;
use honestly_core::store::{NewRefreshToken, RotateOutcome, SessionStore, StoreError};

#[async_trait]
impl SessionStore for SqliteStore {
    async fn start_session(&self, token: &NewRefreshToken, now: i64) -> Result<(), StoreError> {
        let token = token.clone();
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO sessions (id, user_id, created_at) VALUES (?1, ?2, ?3)",
                params![token.family_id, token.user_id, now],
            )?;
            tx.execute(
                "INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES (?1, ?2, ?3)",
                params![token.hash, token.family_id, token.expires_at],
            )?;
            // Housekeeping, bounded by the index: forget tokens long expired.
            tx.execute("DELETE FROM refresh_tokens WHERE expires_at < ?1", [now - 86_400])?;
            Ok(())
        })
        .await
    }

    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        new: &NewRefreshToken,
        now: i64,
    ) -> Result<RotateOutcome, StoreError> {
        let old_hash = old_hash.to_string();
        let new = new.clone();
        self.write(move |tx| {
            let found: Option<(String, String, i64, Option<i64>, Option<i64>)> = tx
                .query_row(
                    "SELECT s.id, s.user_id, t.expires_at, t.used_at, s.revoked_at
                     FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
                     WHERE t.token_hash = ?1",
                    [&old_hash],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()?;
            let Some((family_id, user_id, expires_at, used_at, revoked_at)) = found else {
                return Ok(RotateOutcome::Invalid);
            };
            if revoked_at.is_some() {
                return Ok(RotateOutcome::Invalid);
            }
            if used_at.is_some() {
                tx.execute("UPDATE sessions SET revoked_at = ?1 WHERE id = ?2", params![now, family_id])?;
                return Ok(RotateOutcome::Reused { family_id });
            }
            if expires_at <= now {
                return Ok(RotateOutcome::Invalid);
            }
            let disabled: bool =
                tx.query_row("SELECT disabled FROM users WHERE id = ?1", [&user_id], |r| {
                    r.get::<_, i64>(0).map(|d| d != 0)
                })?;
            if disabled {
                return Ok(RotateOutcome::Invalid);
            }
            let spent = tx.execute(
                "UPDATE refresh_tokens SET used_at = ?1 WHERE token_hash = ?2 AND used_at IS NULL",
                params![now, old_hash],
            )?;
            if spent != 1 {
                return Ok(RotateOutcome::Invalid);
            }
            tx.execute(
                "INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES (?1, ?2, ?3)",
                params![new.hash, family_id, new.expires_at],
            )?;
            Ok(RotateOutcome::Rotated { user_id, family_id })
        })
        .await
    }

    async fn revoke_session(&self, family_id: &str, now: i64) -> Result<(), StoreError> {
        let family_id = family_id.to_string();
        self.write(move |tx| {
            tx.execute(
                "UPDATE sessions SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
                params![now, family_id],
            )?;
            Ok(())
        })
        .await
    }

    async fn revoke_access_token(&self, jti: &str, expires_at: i64) -> Result<(), StoreError> {
        let jti = jti.to_string();
        let now = honestly_core::clock::now_utc().unix_timestamp();
        self.write(move |tx| {
            tx.execute(
                "INSERT OR IGNORE INTO revoked_access_tokens (jti, expires_at) VALUES (?1, ?2)",
                params![jti, expires_at],
            )?;
            tx.execute("DELETE FROM revoked_access_tokens WHERE expires_at < ?1", [now])?;
            Ok(())
        })
        .await
    }

    async fn access_token_active(
        &self,
        user_id: &str,
        family_id: &str,
        jti: &str,
    ) -> Result<bool, StoreError> {
        let (user_id, family_id, jti) = (user_id.to_string(), family_id.to_string(), jti.to_string());
        self.read(move |conn| {
            let active: Option<i64> = conn
                .query_row(
                    "SELECT 1 FROM users u JOIN sessions s ON s.user_id = u.id
                     WHERE u.id = ?1 AND u.disabled = 0 AND s.id = ?2 AND s.revoked_at IS NULL
                       AND NOT EXISTS (SELECT 1 FROM revoked_access_tokens r WHERE r.jti = ?3)",
                    params![user_id, family_id, jti],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(active.is_some())
        })
        .await
    }

    async fn record_login_failure(&self, key: &str, at: i64) -> Result<(), StoreError> {
        let key = key.to_string();
        self.write(move |tx| {
            tx.execute("INSERT INTO login_failures (key, at) VALUES (?1, ?2)", params![key, at])?;
            // Failures older than a day no longer matter to any window.
            tx.execute("DELETE FROM login_failures WHERE at < ?1", [at - 86_400])?;
            Ok(())
        })
        .await
    }

    async fn login_failures_since(&self, key: &str, since: i64) -> Result<(u32, Option<i64>), StoreError> {
        let key = key.to_string();
        self.read(move |conn| {
            Ok(conn.query_row(
                "SELECT COUNT(*), MIN(at) FROM login_failures WHERE key = ?1 AND at >= ?2",
                params![key, since],
                |r| Ok((r.get::<_, i64>(0)? as u32, r.get(1)?)),
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
}
