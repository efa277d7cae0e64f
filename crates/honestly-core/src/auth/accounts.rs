//! Managing accounts: an administrator (or the CLI) changes a role, disables, enables or
//! erases an account; a user erases their own with their password. Every change ends the
//! account's sessions at once (the store revokes them in the same operation, and access
//! tokens are checked against the store on every request). The last enabled administrator
//! cannot be demoted, disabled or erased. Every decision is audited; an erasure leaves only a
//! tombstone (a hash of the account id) and counts, never the username or any content.

use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::model::{Role, User};
use super::password;
use super::service::{Session, LOCKOUT_WINDOW, MAX_LOGIN_FAILURES};
use super::username::Username;
use crate::audit::{Actor, AuditEvent, AuditLog, Outcome};
use crate::clock::Timestamp;
use crate::cpu::{CpuBusy, CpuPool};
use crate::error::FieldErrors;
use crate::ids::UserId;
use crate::store::{AccountChange, AccountUpdate, ErasedCounts, Erasure, Store, StoreError};

/// Domain tag of erasure tombstones.
const TOMBSTONE_DOMAIN: &[u8] = b"honestly.tombstone.v1\0";

/// Why an account operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Input broke the rules; reasons per field.
    #[error(transparent)]
    Validation(#[from] FieldErrors),
    /// No such account.
    #[error("no such account")]
    NotFound,
    /// The change would leave no enabled administrator.
    #[error("the last administrator cannot be demoted, disabled or erased")]
    LastAdmin,
    /// The password given to confirm an erasure is wrong.
    #[error("wrong password")]
    WrongPassword,
    /// Too many wrong passwords for this account from this client.
    #[error("locked out")]
    LockedOut {
        /// Time until the window has passed.
        retry_after: Duration,
    },
    /// The CPU pool is saturated.
    #[error(transparent)]
    Busy(#[from] CpuBusy),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The tombstone an erasure leaves in the audit trail: `tomb_` and the hex SHA-256 of the
/// account id under a domain tag. Whoever holds the id can find the erasure; the trail
/// alone names nobody.
pub fn tombstone(id: &UserId) -> String {
    let mut hasher = Sha256::new();
    hasher.update(TOMBSTONE_DOMAIN);
    hasher.update(id.as_str().as_bytes());
    format!("tomb_{}", hex::encode(hasher.finalize()))
}

/// Account management.
pub struct AccountService {
    store: Arc<dyn Store>,
    audit: AuditLog,
    cpu: CpuPool,
}

impl AccountService {
    /// The service over `store`, auditing to `audit`.
    pub fn new(store: Arc<dyn Store>, cpu: CpuPool, audit: AuditLog) -> Self {
        Self { store, audit, cpu }
    }

    /// The account named `username` (any case).
    pub async fn find(&self, username: &str) -> Result<User, AccountError> {
        let Ok(name) = Username::parse(username) else { return Err(AccountError::NotFound) };
        let record = self.store.user_by_username(&name.canonical()).await?;
        record.map(|r| r.user).ok_or(AccountError::NotFound)
    }

    /// Changes the role and/or the disabled state of `id` on behalf of `actor`, ending the
    /// account's sessions. An empty change is a 400.
    pub async fn change(
        &self,
        actor: Actor,
        id: &UserId,
        change: AccountChange,
    ) -> Result<User, AccountError> {
        if change.role.is_none() && change.disabled.is_none() {
            return Err(FieldErrors::one("role", "give a role, disabled, or both").into());
        }
        let outcome = self.store.update_user(id, change, Timestamp::now()).await?;
        let action = match change.disabled {
            Some(true) => "user.disable",
            Some(false) => "user.enable",
            None => "user.set_role",
        };
        let event = AuditEvent::new(actor, action, Outcome::Success).target(id.as_str());
        match outcome {
            AccountUpdate::Changed(user) => {
                let mut reason = format!("role {}", user.role.as_str());
                if user.disabled {
                    reason.push_str(", disabled");
                }
                self.audit.record(event.reason(format!("{reason}; sessions revoked")));
                Ok(user)
            }
            AccountUpdate::NotFound => {
                self.audit.record(AuditEvent { outcome: Outcome::Denied, ..event }.reason("not_found"));
                Err(AccountError::NotFound)
            }
            AccountUpdate::LastAdmin => {
                self.audit.record(AuditEvent { outcome: Outcome::Denied, ..event }.reason("last_admin"));
                Err(AccountError::LastAdmin)
            }
        }
    }

    /// Erases `id` and everything it owns, on behalf of `actor` (an administrator or the CLI).
    pub async fn erase(&self, actor: Actor, id: &UserId) -> Result<ErasedCounts, AccountError> {
        let outcome = self.store.erase_user(id, Timestamp::now()).await?;
        let event = AuditEvent::new(actor, "account.erase", Outcome::Success).target(tombstone(id));
        match outcome {
            Erasure::Erased(counts) => {
                self.audit.record(event.reason(describe(&counts)));
                Ok(counts)
            }
            Erasure::NotFound => {
                self.audit.record(AuditEvent { outcome: Outcome::Denied, ..event }.reason("not_found"));
                Err(AccountError::NotFound)
            }
            Erasure::LastAdmin => {
                self.audit.record(AuditEvent { outcome: Outcome::Denied, ..event }.reason("last_admin"));
                Err(AccountError::LastAdmin)
            }
        }
    }

    /// Erases the caller's own account once `password` proves it is them. A wrong password
    /// changes nothing and counts as a failed login of the account from `client` (so a
    /// stolen access token cannot be used to guess the password faster than the login can).
    pub async fn erase_own(
        &self,
        session: &Session,
        password: &str,
        client: &str,
    ) -> Result<ErasedCounts, AccountError> {
        let actor = Actor::User(session.user_id.clone());
        let user = self.store.user_by_id(&session.user_id).await?.ok_or(AccountError::NotFound)?;
        let canonical = user.username.to_ascii_lowercase();
        let record = self.store.user_by_username(&canonical).await?.ok_or(AccountError::NotFound)?;
        let key = format!("{canonical}|{client}");
        let now = Timestamp::now();
        let (failures, oldest) = self.store.login_failures_since(&key, now.minus(LOCKOUT_WINDOW)).await?;
        if failures >= MAX_LOGIN_FAILURES {
            self.audit.record(
                AuditEvent::new(actor, "account.erase", Outcome::Denied)
                    .target(tombstone(&user.id))
                    .reason("too_many_failures"),
            );
            let until = oldest.unwrap_or(now).plus(LOCKOUT_WINDOW);
            return Err(AccountError::LockedOut {
                retry_after: until.since(now).max(Duration::from_secs(1)),
            });
        }
        // No password is longer than the rules allow: a longer one is wrong without hashing.
        let (secret, hash) = (password.to_string(), record.password_hash);
        let matches = password.chars().count() <= password::MAX_PASSWORD_CHARS
            && self.cpu.run(move || password::verify(&secret, &hash)).await?;
        if !matches {
            self.store.record_login_failure(&key, now).await?;
            self.audit.record(
                AuditEvent::new(actor, "account.erase", Outcome::Denied)
                    .target(tombstone(&user.id))
                    .reason("invalid_password"),
            );
            return Err(AccountError::WrongPassword);
        }
        self.erase(actor, &user.id).await
    }

    /// The accounts, in creation order (at most [`super::service::MAX_LISTED_USERS`]).
    pub async fn list(&self) -> Result<Vec<User>, AccountError> {
        Ok(self.store.list_users(super::service::MAX_LISTED_USERS).await?)
    }
}

/// `3 documents, 2 proofs, …` for the audit reason.
fn describe(c: &ErasedCounts) -> String {
    format!(
        "{} documents, {} proofs, {} links, {} agents, {} sessions, {} timeline events",
        c.documents, c.proofs, c.links, c.agents, c.sessions, c.timeline_events
    )
}

/// Parses a role word for the API and the CLI (`admin`, `verifier`, `user`).
pub fn parse_role(raw: &str) -> Result<Role, FieldErrors> {
    Role::parse(raw)
        .ok_or_else(|| FieldErrors::one("role", format!("must be one of {}", Role::NAMES.join(", "))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tombstones_are_stable_hashes_that_do_not_show_the_id() {
        let id = UserId::generate();
        let t = tombstone(&id);
        assert_eq!(t, tombstone(&id));
        assert!(t.starts_with("tomb_") && t.len() == 5 + 64, "{t}");
        assert!(!t.contains(id.as_str()));
        assert_ne!(t, tombstone(&UserId::generate()));
    }
}
