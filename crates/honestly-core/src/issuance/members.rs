//! Who acts for which issuer: the accounts with role `issuer` and the issuer each one acts
//! for. Membership ends when the account's role changes away from `issuer` (an
//! administrator's role change), so removing a member is that role change.

use std::collections::HashMap;

use super::error::IssuanceError;
use super::service::IssuanceService;
use crate::auth::service::MAX_LISTED_USERS;
use crate::auth::{Role, User};
use crate::ids::{IssuerId, UserId};

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
        let mut issuer_of: HashMap<UserId, IssuerId> =
            self.store.issuer_memberships(MAX_LISTED_USERS).await?.into_iter().collect();
        Ok(users
            .into_iter()
            .filter(|u| u.role == Role::Issuer)
            .filter_map(|user| issuer_of.remove(&user.id).map(|issuer_id| Membership { user, issuer_id }))
            .collect())
    }

    /// The members of `issuer_id`, in account creation order.
    pub async fn members(&self, issuer_id: &IssuerId) -> Result<Vec<User>, IssuanceError> {
        let all = self.memberships().await?;
        Ok(all.into_iter().filter(|m| &m.issuer_id == issuer_id).map(|m| m.user).collect())
    }
}
