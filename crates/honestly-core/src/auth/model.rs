//! Accounts as the services and the store see them.

use serde::{Deserialize, Serialize};

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Operates the deployment: metrics, circuits, users.
    Admin,
    /// Verifies proofs on behalf of an organisation.
    Verifier,
    /// Keeps documents and proofs.
    User,
}

impl Role {
    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Verifier => "verifier",
            Role::User => "user",
        }
    }

    /// Parses a stored or typed name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "admin" => Some(Role::Admin),
            "verifier" => Some(Role::Verifier),
            "user" => Some(Role::User),
            _ => None,
        }
    }
}

/// A user account without secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// `usr_…`.
    pub id: String,
    /// As chosen at registration.
    pub username: String,
    /// The account's role.
    pub role: Role,
    /// RFC 3339.
    pub created_at: String,
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
