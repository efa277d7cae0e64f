//! Accounts and tokens: usernames and passwords as parsed types, argon2id hashing, HS256
//! access tokens, rotating refresh tokens with reuse detection, login lockout.

pub mod accounts;
pub mod browser;
pub mod jwt;
pub mod model;
pub mod password;
pub mod password_change;
pub mod refresh;
pub mod service;
pub mod username;

pub use accounts::{AccountError, AccountService};
pub use browser::BrowserSession;
pub use model::{Role, User};
pub use password::Password;
pub use service::{AuthError, AuthService, LoginOutcome, Session, TokenPair};
pub use username::Username;
