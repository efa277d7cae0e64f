//! Managing accounts: an administrator (or the CLI) changes a role, disables or enables an
//! account. Every change ends the account's sessions at once (the store revokes them in the
//! same operation, and access tokens are checked against the store on every request). The
//! last enabled administrator cannot be demoted or disabled. Every decision is audited.

use std::sync::Arc;

use super::model::{Role, User};
use super::username::Username;
use crate::audit::{Actor, AuditEvent, AuditLog, Outcome};
use crate::clock::Timestamp;
use crate::cpu::CpuPool;
use crate::error::FieldErrors;
use crate::ids::UserId;
use crate::store::{AccountChange, AccountUpdate, Store, StoreError};

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
    #[error("the last administrator cannot be demoted or disabled")]
    LastAdmin,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Account management.
pub struct AccountService {
    store: Arc<dyn Store>,
    audit: AuditLog,
}

impl AccountService {
    /// The service over `store`, auditing to `audit`.
    pub fn new(store: Arc<dyn Store>, _cpu: CpuPool, audit: AuditLog) -> Self {
        Self { store, audit }
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

    /// The accounts, in creation order (at most [`super::service::MAX_LISTED_USERS`]).
    pub async fn list(&self) -> Result<Vec<User>, AccountError> {
        Ok(self.store.list_users(super::service::MAX_LISTED_USERS).await?)
    }
}

/// Parses a role word for the API and the CLI (`admin`, `verifier`, `user`).
pub fn parse_role(raw: &str) -> Result<Role, FieldErrors> {
    Role::parse(raw)
        .ok_or_else(|| FieldErrors::one("role", format!("must be one of {}", Role::NAMES.join(", "))))
}
