//! Accounts as the services and the store see them.

use serde::Serialize;

use crate::clock::Timestamp;
use crate::ids::UserId;

crate::text_enum! {
    /// What an account may do.
    pub enum Role {
        /// Operates the deployment: metrics, circuits, users.
        Admin => "admin",
        /// Verifies proofs on behalf of an organisation.
        Verifier => "verifier",
        /// Keeps documents and proofs.
        User => "user",
        /// Reviews credential requests and signs credentials for one issuer.
        Issuer => "issuer",
    }
}
/// A user account without secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// The account's id.
    pub id: UserId,
    /// As chosen at registration.
    pub username: String,
    /// The account's role.
    pub role: Role,
    /// When it was created.
    pub created_at: Timestamp,
    /// Disabled accounts cannot log in or use tokens.
    #[serde(skip)]
    pub disabled: bool,
}

/// A user account with its password hash, as stored.
#[derive(Debug, Clone)]
pub struct UserRecord {
    /// The account.
    pub user: User,
    /// argon2id PHC string.
    pub password_hash: String,
}
