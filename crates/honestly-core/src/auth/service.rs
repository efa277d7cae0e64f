//! The account service: registration, login with lockout, token issue, refresh rotation with
//! reuse detection, logout, and authenticating access tokens.

use std::sync::Arc;
use std::time::Duration;

use secrecy::ExposeSecret;

use super::jwt::{self, AccessClaims, ACCESS_AUDIENCE, ISSUER};
use super::model::{Role, User, UserRecord};
use super::password::{self, Password};
use super::refresh;
use super::username::Username;
use crate::audit::{Actor, AuditEvent, AuditLog, Outcome};
use crate::clock::Timestamp;
use crate::config::Config;
use crate::cpu::{CpuBusy, CpuPool};
use crate::error::FieldErrors;
use crate::ids::{SessionId, TokenId, UserId};
use crate::store::{NewRefreshToken, NextRefreshToken, RotateOutcome, Store, StoreError};

/// Failed logins allowed per username and client IP within [`LOCKOUT_WINDOW`].
pub const MAX_LOGIN_FAILURES: u32 = 5;
/// The window failed logins are counted in, and how long a lockout lasts.
pub const LOCKOUT_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Most users `list_users` returns.
pub const MAX_LISTED_USERS: u32 = 1000;

/// Why an account operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Input broke the rules; reasons per field.
    #[error(transparent)]
    Validation(#[from] FieldErrors),
    /// `ALLOW_REGISTRATION` is off.
    #[error("registration is closed")]
    RegistrationClosed,
    /// The username exists (case-insensitively).
    #[error("username taken")]
    UsernameTaken,
    /// Unknown user, wrong password, or disabled account (indistinguishable to the caller).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many failures for this username from this client.
    #[error("locked out")]
    LockedOut {
        /// Time until the window has passed.
        retry_after: Duration,
    },
    /// A token that is malformed, expired, revoked, spent or foreign.
    #[error("invalid token")]
    InvalidToken,
    /// The CPU pool is saturated.
    #[error(transparent)]
    Busy(#[from] CpuBusy),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A freshly issued pair of tokens.
#[derive(Debug, Clone)]
pub struct TokenPair {
    /// The JWT access token.
    pub access_token: String,
    /// The opaque refresh token.
    pub refresh_token: String,
    /// Access-token lifetime in seconds.
    pub expires_in: u64,
}

/// What a successful login or refresh returns.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    /// The tokens.
    pub tokens: TokenPair,
    /// The account.
    pub user: User,
}

/// An authenticated access token.
#[derive(Debug, Clone)]
pub struct Session {
    /// The account id.
    pub user_id: UserId,
    /// The account's role, as the store says now (not as the token says).
    pub role: Role,
    /// The token's id.
    pub jti: TokenId,
    /// The login session.
    pub session_id: SessionId,
    /// When the token expires.
    pub expires_at: Timestamp,
}

/// The account service. Security-relevant decisions (registration, login success, failure
/// and lockout, refresh-token reuse, logout) are written to the audit trail; no event ever
/// holds a password, a token or the username typed at a failed login.
pub struct AuthService {
    pub(super) store: Arc<dyn Store>,
    pub(super) audit: AuditLog,
    pub(super) cpu: CpuPool,
    jwt_key: Vec<u8>,
    access_ttl: Duration,
    refresh_ttl: Duration,
    allow_registration: bool,
}

impl AuthService {
    /// The service over `store`, with keys and lifetimes from `config`, auditing to `audit`.
    pub fn new(config: &Config, store: Arc<dyn Store>, cpu: CpuPool, audit: AuditLog) -> Self {
        Self {
            store,
            audit,
            cpu,
            jwt_key: config.secrets.jwt_secret.expose_secret().as_bytes().to_vec(),
            access_ttl: config.jwt_access_expiry,
            refresh_ttl: config.jwt_refresh_expiry,
            allow_registration: config.allow_registration,
        }
    }

    fn parse_credentials(username: &str, password: &str) -> Result<(Username, Password), AuthError> {
        let mut fields = FieldErrors::new();
        let Ok(username) = Username::parse(username).map_err(|e| fields.add("username", e.to_string()))
        else {
            if let Err(e) = Password::check_form(password) {
                fields.add("password", e.to_string());
            }
            return Err(fields.into());
        };
        match Password::parse(password, &username) {
            Ok(password) => Ok((username, password)),
            Err(e) => Err(FieldErrors::one("password", e.to_string()).into()),
        }
    }

    /// Open registration (refused when `ALLOW_REGISTRATION` is off); new users get `user`.
    pub async fn register(&self, username: &str, password: &str) -> Result<User, AuthError> {
        if !self.allow_registration {
            return Err(AuthError::RegistrationClosed);
        }
        // The strength estimate is CPU work (milliseconds for long passwords): the pool runs it.
        let (raw_username, raw_password) = (username.to_string(), password.to_string());
        let (username, password) =
            self.cpu.run(move || Self::parse_credentials(&raw_username, &raw_password)).await??;
        let user = self.create_user(&username, &password, Role::User).await?;
        self.audit.record(
            AuditEvent::new(Actor::User(user.id.clone()), "auth.register", Outcome::Success)
                .target(user.id.as_str()),
        );
        Ok(user)
    }

    /// Creates an account with any role (the CLI's `user create`).
    pub async fn create_user(
        &self,
        username: &Username,
        password: &Password,
        role: Role,
    ) -> Result<User, AuthError> {
        if self.store.user_by_username(&username.canonical()).await?.is_some() {
            return Err(AuthError::UsernameTaken);
        }
        let secret = password.expose().to_string();
        let password_hash = self.cpu.run(move || password::hash(&secret)).await?;
        let user = User {
            id: UserId::generate(),
            username: username.as_str().to_string(),
            role,
            created_at: Timestamp::now(),
            disabled: false,
        };
        let record = UserRecord { user: user.clone(), password_hash };
        match self.store.create_user(&record, &username.canonical()).await {
            Ok(()) => Ok(user),
            Err(StoreError::Conflict(_)) => Err(AuthError::UsernameTaken),
            Err(e) => Err(e.into()),
        }
    }

    /// Users in creation order (at most [`MAX_LISTED_USERS`]).
    pub async fn list_users(&self) -> Result<Vec<User>, AuthError> {
        Ok(self.store.list_users(MAX_LISTED_USERS).await?)
    }

    /// Logs in. Unknown users cost a dummy verification so timing and answer match a wrong
    /// password; repeated failures for a username from one client lock that pair out.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client: &str,
    ) -> Result<LoginOutcome, AuthError> {
        if username.len() > 64 || password.chars().count() > password::MAX_PASSWORD_CHARS {
            self.audit.record(
                AuditEvent::new(Actor::Anonymous, "auth.login.failed", Outcome::Denied)
                    .reason("oversized_input"),
            );
            return Err(AuthError::InvalidCredentials);
        }
        let key = format!("{}|{client}", username.to_ascii_lowercase());
        let now = Timestamp::now();
        let (failures, oldest) = self.store.login_failures_since(&key, now.minus(LOCKOUT_WINDOW)).await?;
        if failures >= MAX_LOGIN_FAILURES {
            self.audit.record(
                AuditEvent::new(Actor::Anonymous, "auth.login.locked", Outcome::Denied)
                    .reason("too_many_failures"),
            );
            let until = oldest.unwrap_or(now).plus(LOCKOUT_WINDOW);
            return Err(AuthError::LockedOut { retry_after: until.since(now).max(Duration::from_secs(1)) });
        }
        let record = match Username::parse(username) {
            Ok(name) => self.store.user_by_username(&name.canonical()).await?,
            Err(_) => None,
        };
        let hash =
            record.as_ref().map_or_else(|| password::dummy_hash().to_string(), |r| r.password_hash.clone());
        let secret = password.to_string();
        let matches = self.cpu.run(move || password::verify(&secret, &hash)).await?;
        let user = match record {
            Some(r) if matches && !r.user.disabled => r.user,
            other => {
                // The target is the account only when it exists; the typed username is never
                // recorded (it may be a mistyped password).
                let mut event = AuditEvent::new(Actor::Anonymous, "auth.login.failed", Outcome::Denied);
                event = match other {
                    Some(r) if matches && r.user.disabled => {
                        event.target(r.user.id.as_str()).reason("account_disabled")
                    }
                    Some(r) => event.target(r.user.id.as_str()).reason("invalid_credentials"),
                    None => event.reason("invalid_credentials"),
                };
                self.audit.record(event);
                self.store.record_login_failure(&key, now).await?;
                return Err(AuthError::InvalidCredentials);
            }
        };
        self.store.clear_login_failures(&key).await?;
        let family_id = SessionId::generate();
        let (refresh_token, hash) = refresh::generate();
        let token = NewRefreshToken {
            hash,
            family_id: family_id.clone(),
            user_id: user.id.clone(),
            expires_at: now.plus(self.refresh_ttl),
        };
        self.store.start_session(&token, now).await?;
        self.audit.record(
            AuditEvent::new(Actor::User(user.id.clone()), "auth.login.succeeded", Outcome::Success)
                .target(family_id.as_str()),
        );
        let tokens = self.issue(&user, &family_id, refresh_token, now);
        Ok(LoginOutcome { tokens, user })
    }

    fn issue(&self, user: &User, family_id: &SessionId, refresh_token: String, now: Timestamp) -> TokenPair {
        let claims = AccessClaims {
            sub: user.id.clone(),
            role: user.role,
            jti: TokenId::generate(),
            sid: family_id.clone(),
            iat: now.unix(),
            exp: now.plus(self.access_ttl).unix(),
            typ: "access".into(),
            iss: ISSUER.into(),
            aud: ACCESS_AUDIENCE.into(),
        };
        TokenPair {
            access_token: jwt::encode(&claims, &self.jwt_key),
            refresh_token,
            expires_in: self.access_ttl.as_secs(),
        }
    }

    /// Spends a refresh token and issues a new pair in the same session. A token already
    /// spent revokes the whole session (both holders are logged out).
    pub async fn refresh(&self, refresh_token: &str) -> Result<LoginOutcome, AuthError> {
        if !refresh::looks_valid(refresh_token) {
            return Err(AuthError::InvalidToken);
        }
        let now = Timestamp::now();
        let (new_token, new_hash) = refresh::generate();
        let next = NextRefreshToken { hash: new_hash, expires_at: now.plus(self.refresh_ttl) };
        match self.store.rotate_refresh_token(&refresh::hash(refresh_token), &next, now).await? {
            RotateOutcome::Rotated { user_id, family_id } => {
                let user = self.store.user_by_id(&user_id).await?.ok_or(AuthError::InvalidToken)?;
                let tokens = self.issue(&user, &family_id, new_token, now);
                Ok(LoginOutcome { tokens, user })
            }
            RotateOutcome::Reused { family_id } => {
                tracing::warn!(session_id = %family_id, "refresh token reuse detected: session revoked");
                self.audit.record(
                    AuditEvent::new(Actor::Anonymous, "auth.refresh.reuse", Outcome::Denied)
                        .target(family_id.as_str())
                        .reason("spent_token_presented_session_revoked"),
                );
                Err(AuthError::InvalidToken)
            }
            RotateOutcome::Invalid => Err(AuthError::InvalidToken),
        }
    }

    /// Checks an access token: signature, claims, expiry, revocation, account state.
    pub async fn authenticate(&self, access_token: &str) -> Result<Session, AuthError> {
        let now = Timestamp::now();
        let claims = jwt::decode_access(access_token, &self.jwt_key, now.unix())
            .map_err(|_| AuthError::InvalidToken)?;
        let expires_at = Timestamp::from_unix(claims.exp).map_err(|_| AuthError::InvalidToken)?;
        // The role and the account's state come from the store, never from the token: a
        // demoted or disabled account loses its powers at once.
        let Some(role) = self.store.access_token_role(&claims.sub, &claims.sid, &claims.jti).await? else {
            return Err(AuthError::InvalidToken);
        };
        Ok(Session { user_id: claims.sub, role, jti: claims.jti, session_id: claims.sid, expires_at })
    }

    /// Ends a session: the access token's `jti` and the whole refresh family are revoked.
    pub async fn logout(&self, session: &Session) -> Result<(), AuthError> {
        self.store.revoke_access_token(&session.jti, session.expires_at).await?;
        self.store.revoke_session(&session.session_id, Timestamp::now()).await?;
        self.audit.record(
            AuditEvent::new(Actor::User(session.user_id.clone()), "auth.logout", Outcome::Success)
                .target(session.session_id.as_str()),
        );
        Ok(())
    }

    /// The account behind a session.
    pub async fn user(&self, session: &Session) -> Result<User, AuthError> {
        self.store.user_by_id(&session.user_id).await?.ok_or(AuthError::InvalidToken)
    }
}
