//! Who acts for which issuer: the accounts with role `issuer` and the issuer each one acts
//! for. Membership ends when the account's role changes away from `issuer` (an
//! administrator's role change), so removing a member is that role change.

use super::error::IssuanceError;
use super::service::IssuanceService;
use crate::auth::service::MAX_LISTED_USERS;
use crate::auth::{Role, User};
use crate::ids::IssuerId;

/// One account acting for an issuer.
#[derive(Debug, Clone)]
pub struct Membership {
    /// The member's account.
    pub user: User,
    /// The issuer it acts for.
    pub issuer_id: IssuerId,
}

impl IssuanceService {
    /// Every membership among the first [`MAX_LISTED_USERS`] accounts (the bound of the
    /// account list), in account creation order.
    pub async fn memberships(&self) -> Result<Vec<Membership>, IssuanceError> {
        let users = self.store.list_users(MAX_LISTED_USERS).await?;
        let mut memberships = Vec::new();
        for user in users.into_iter().filter(|u| u.role == Role::Issuer) {
            if let Some(issuer_id) = self.store.issuer_of_member(&user.id).await? {
                memberships.push(Membership { user, issuer_id });
            }
        }
        Ok(memberships)
    }

    /// The members of `issuer_id`, in account creation order.
    pub async fn members(&self, issuer_id: &IssuerId) -> Result<Vec<User>, IssuanceError> {
        let all = self.memberships().await?;
        Ok(all.into_iter().filter(|m| &m.issuer_id == issuer_id).map(|m| m.user).collect())
    }
}
