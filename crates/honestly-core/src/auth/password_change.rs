//! Changing one's password: the current password proves it is the account's owner (a wrong
//! one counts as a failed login of the account from that client, so the lockout of
//! [`AuthService::login`] applies); the new one follows the registration rules. The change
//! ends every other session of the account in the same store operation.

use std::time::Duration;

use super::password::{self, Password};
use super::service::{AuthError, AuthService, LOCKOUT_WINDOW, MAX_LOGIN_FAILURES};
use super::username::Username;
use crate::audit::{Actor, AuditEvent, Outcome};
use crate::clock::Timestamp;
use crate::error::FieldErrors;
use crate::ids::{SessionId, UserId};

impl AuthService {
    /// Replaces the password of `user_id` when `current` is right; every session but `keep`
    /// ends. A wrong `current` is a field error on `current_password`, counted towards the
    /// lockout; a weak `new` one on `new_password`.
    pub async fn change_password(
        &self,
        user_id: &UserId,
        keep: &SessionId,
        current: &str,
        new: &str,
        client: &str,
    ) -> Result<(), AuthError> {
        let actor = Actor::User(user_id.clone());
        let user = self.store.user_by_id(user_id).await?.ok_or(AuthError::InvalidToken)?;
        let canonical = user.username.to_ascii_lowercase();
        let record = self.store.user_by_username(&canonical).await?.ok_or(AuthError::InvalidToken)?;
        let key = format!("{canonical}|{client}");
        let now = Timestamp::now();
        let (failures, oldest) = self.store.login_failures_since(&key, now.minus(LOCKOUT_WINDOW)).await?;
        if failures >= MAX_LOGIN_FAILURES {
            self.audit.record(
                AuditEvent::new(actor, "auth.password.change", Outcome::Denied)
                    .target(user_id.as_str())
                    .reason("too_many_failures"),
            );
            let until = oldest.unwrap_or(now).plus(LOCKOUT_WINDOW);
            return Err(AuthError::LockedOut { retry_after: until.since(now).max(Duration::from_secs(1)) });
        }
        let (secret, hash) = (current.to_string(), record.password_hash);
        let matches = current.chars().count() <= password::MAX_PASSWORD_CHARS
            && self.cpu.run(move || password::verify(&secret, &hash)).await?;
        if !matches {
            self.store.record_login_failure(&key, now).await?;
            self.audit.record(
                AuditEvent::new(actor, "auth.password.change", Outcome::Denied)
                    .target(user_id.as_str())
                    .reason("invalid_password"),
            );
            return Err(FieldErrors::one("current_password", "is not your current password").into());
        }
        let username = Username::parse(&user.username).map_err(|_| AuthError::InvalidToken)?;
        let raw = new.to_string();
        let parsed = self
            .cpu
            .run(move || {
                Password::parse(&raw, &username).map_err(|e| FieldErrors::one("new_password", e.to_string()))
            })
            .await??;
        let secret = parsed.expose().to_string();
        let new_hash = self.cpu.run(move || password::hash(&secret)).await?;
        if !self.store.set_password_hash(user_id, &new_hash, keep, now).await? {
            return Err(AuthError::InvalidToken);
        }
        self.audit.record(
            AuditEvent::new(actor, "auth.password.change", Outcome::Success)
                .target(user_id.as_str())
                .reason("other sessions ended"),
        );
        Ok(())
    }
}
