//! What each domain error means over HTTP. The shared parts mean the same everywhere: per-field
//! reasons are a 400 with `fields`, an unavailable store is a 503 "Storage temporarily
//! unavailable", a saturated CPU pool a 503 "Server busy", anything unexpected an opaque 500
//! whose log line carries the domain error and every source below it.

use axum::http::StatusCode;
use honestly_core::agents::{AgentAuthError, AgentError, AgentVerifyError, HashLookupError};
use honestly_core::auth::{AccountError, AuthError};
use honestly_core::cpu::CpuBusy;
use honestly_core::documents::DocumentError;
use honestly_core::export::ExportError;
use honestly_core::issuance::proving::CredentialProvingError;
use honestly_core::issuance::IssuanceError;
use honestly_core::links::LinkError;
use honestly_core::proof_requests::ProofRequestError;
use honestly_core::ratelimit::Decision;
use honestly_core::store::StoreError;
use honestly_core::webhooks::WebhookError;
use honestly_core::zk::credential_proofs::CredentialProofError;
use honestly_core::zk::service::KeyError;
use honestly_core::zk::ProofError;

use crate::error::ApiError;

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(_) => {
                ApiError::unavailable("Storage temporarily unavailable").with_cause(e)
            }
            StoreError::Conflict(_) => ApiError::conflict("Conflict").with_cause(e),
            StoreError::Internal(_) => ApiError::internal(e),
        }
    }
}

impl From<CpuBusy> for ApiError {
    fn from(e: CpuBusy) -> Self {
        // Busy is brief (a full queue drains in milliseconds): one second is enough.
        ApiError::unavailable("Server busy, retry shortly")
            .with_retry_after(std::time::Duration::from_secs(1))
            .with_cause(e)
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Validation(fields) => fields.into(),
            AuthError::RegistrationClosed => {
                ApiError::new(StatusCode::FORBIDDEN, "FORBIDDEN", "Registration is closed")
            }
            AuthError::UsernameTaken => ApiError::conflict("Username is already taken"),
            AuthError::InvalidCredentials => ApiError::unauthorized("Invalid username or password"),
            AuthError::LockedOut { retry_after } => ApiError::rate_limited(Decision {
                allowed: false,
                limit: honestly_core::auth::service::MAX_LOGIN_FAILURES,
                remaining: 0,
                retry_after,
            }),
            AuthError::InvalidToken => ApiError::unauthorized("Invalid or expired token"),
            AuthError::Busy(busy) => busy.into(),
            AuthError::Store(store) => store.into(),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Validation(fields) => fields.into(),
            AccountError::NotFound => ApiError::not_found(),
            AccountError::LastAdmin => {
                ApiError::conflict("The last administrator cannot be demoted, disabled or erased")
            }
            AccountError::WrongPassword => ApiError::unauthorized("Wrong password"),
            AccountError::LockedOut { retry_after } => ApiError::rate_limited(Decision {
                allowed: false,
                limit: honestly_core::auth::service::MAX_LOGIN_FAILURES,
                remaining: 0,
                retry_after,
            }),
            AccountError::Busy(busy) => busy.into(),
            AccountError::Store(store) => store.into(),
        }
    }
}

impl From<ProofError> for ApiError {
    fn from(e: ProofError) -> Self {
        match e {
            ProofError::Validation(fields) => fields.into(),
            ProofError::FalseStatement(_) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "STATEMENT_FALSE",
                "The statement is false: no proof exists for it",
            )
            .with_cause(e),
            ProofError::NotFound => ApiError::not_found(),
            ProofError::KeysLoading => {
                ApiError::unavailable("Zero-knowledge keys are still loading, retry shortly")
            }
            ProofError::Busy(busy) => busy.into(),
            ProofError::Store(store) => store.into(),
            other @ (ProofError::Keys(_)
            | ProofError::Prove(_)
            | ProofError::Document(_)
            | ProofError::Inconsistent(_)) => ApiError::internal(other),
        }
    }
}

impl From<LinkError> for ApiError {
    fn from(e: LinkError) -> Self {
        match e {
            LinkError::Validation(fields) => fields.into(),
            LinkError::NotFound => ApiError::not_found(),
            LinkError::Passphrase => ApiError::unauthorized("Passphrase required or wrong"),
            LinkError::TooManyAttempts(decision) => ApiError::rate_limited(decision),
            LinkError::Busy(busy) => busy.into(),
            LinkError::Store(store) => store.into(),
            other @ LinkError::Document(_) => ApiError::internal(other),
        }
    }
}

impl From<ExportError> for ApiError {
    fn from(e: ExportError) -> Self {
        match e {
            ExportError::TooMany(decision) => ApiError::rate_limited(decision),
            ExportError::NotFound => ApiError::not_found(),
            ExportError::Busy(busy) => busy.into(),
            ExportError::Store(store) => store.into(),
            other @ (ExportError::Document(_) | ExportError::Archive(_) | ExportError::Abandoned) => {
                ApiError::internal(other)
            }
        }
    }
}

impl From<DocumentError> for ApiError {
    fn from(e: DocumentError) -> Self {
        match e {
            DocumentError::Validation(fields) => fields.into(),
            DocumentError::NotFound => ApiError::not_found(),
            DocumentError::Busy(busy) => busy.into(),
            DocumentError::Store(store) => store.into(),
            other @ DocumentError::Vault(_) => ApiError::internal(other),
        }
    }
}

impl From<HashLookupError> for ApiError {
    fn from(e: HashLookupError) -> Self {
        match e {
            HashLookupError::RateLimited(decision) => ApiError::rate_limited(decision),
            HashLookupError::Document(e) => e.into(),
        }
    }
}

impl From<AgentAuthError> for ApiError {
    fn from(e: AgentAuthError) -> Self {
        match e {
            AgentAuthError::Malformed(err) => {
                honestly_core::error::FieldErrors::one(err.field, err.reason).into()
            }
            AgentAuthError::InvalidSignature { .. } => {
                ApiError::new(StatusCode::UNAUTHORIZED, "INVALID_SIGNATURE", "Missing or invalid signature")
            }
            AgentAuthError::Stale { .. } => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "STALE_REQUEST",
                "Request timestamp is outside the accepted window",
            ),
            AgentAuthError::WrongAction { .. } => {
                honestly_core::error::FieldErrors::one("action", "does not match this route").into()
            }
            AgentAuthError::RateLimited { decision, .. } => ApiError::rate_limited(decision),
            AgentAuthError::Replayed { .. } => ApiError::new(
                StatusCode::CONFLICT,
                "REPLAYED_REQUEST",
                "This signed request was already used",
            ),
            AgentAuthError::Store(store) => store.into(),
            AgentAuthError::Replay(replay) => {
                ApiError::unavailable("Temporarily unavailable, retry shortly").with_cause(replay)
            }
        }
    }
}

impl From<AgentError> for ApiError {
    fn from(e: AgentError) -> Self {
        match e {
            AgentError::Validation(fields) => fields.into(),
            AgentError::NotFound => ApiError::not_found(),
            AgentError::TooMany => ApiError::conflict("Too many agents: delete one first"),
            AgentError::Store(store) => store.into(),
        }
    }
}

impl From<AgentVerifyError> for ApiError {
    fn from(e: AgentVerifyError) -> Self {
        match e {
            AgentVerifyError::Validation(fields) => fields.into(),
            AgentVerifyError::Busy(busy) => busy.into(),
            AgentVerifyError::Store(store) => store.into(),
        }
    }
}

impl From<KeyError> for ApiError {
    fn from(e: KeyError) -> Self {
        match e {
            KeyError::Invalid(message) => ApiError::validation(message),
            KeyError::Exists(name) => ApiError::conflict(format!("A circuit named {name} exists")),
            KeyError::Busy(busy) => busy.into(),
            other @ KeyError::Internal(_) => ApiError::internal(other),
        }
    }
}

impl From<WebhookError> for ApiError {
    fn from(e: WebhookError) -> Self {
        match e {
            WebhookError::Invalid(fields) => fields.into(),
            WebhookError::NoAccount => ApiError::not_found(),
            WebhookError::Store(store) => store.into(),
            WebhookError::Vault(_) => ApiError::internal(e),
        }
    }
}

impl From<IssuanceError> for ApiError {
    fn from(e: IssuanceError) -> Self {
        match e {
            IssuanceError::Validation(fields) => fields.into(),
            IssuanceError::NotFound => ApiError::not_found(),
            IssuanceError::NotMember => ApiError::forbidden(),
            IssuanceError::Conflict(words) | IssuanceError::TooMany(words) => ApiError::conflict(words),
            IssuanceError::Unacceptable { field, reason } => {
                let fields = honestly_core::error::FieldErrors::one(field, reason.clone());
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "CREDENTIAL_REFUSED", reason)
                    .with_fields(fields)
            }
            IssuanceError::Store(store) => store.into(),
            IssuanceError::Internal(_) => ApiError::internal(e),
        }
    }
}

impl From<CredentialProvingError> for ApiError {
    fn from(e: CredentialProvingError) -> Self {
        match e {
            CredentialProvingError::Issuance(e) => e.into(),
            CredentialProvingError::Proof(e) => e.into(),
        }
    }
}

impl From<CredentialProofError> for ApiError {
    fn from(e: CredentialProofError) -> Self {
        let refused = |code: &'static str, message: &'static str, e: &CredentialProofError| {
            let mut fields = honestly_core::error::FieldErrors::one("reason", e.reason().unwrap_or_default());
            if let Some(predicate) = e.predicate() {
                fields.add("predicate", predicate);
            }
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message).with_fields(fields)
        };
        match e {
            CredentialProofError::Validation(fields) => fields.into(),
            CredentialProofError::Revoked => {
                refused("CREDENTIAL_REVOKED", "The credential is revoked by its issuer", &e)
            }
            CredentialProofError::CredentialExpired => {
                refused("CREDENTIAL_EXPIRED", "The credential has expired", &e)
            }
            CredentialProofError::NotYetValid => {
                refused("CREDENTIAL_NOT_YET_VALID", "The credential is not valid yet", &e)
            }
            CredentialProofError::InvalidSignature => {
                refused("CREDENTIAL_REFUSED", "The issuer's signature does not verify", &e)
            }
            CredentialProofError::NotYours => {
                refused("CREDENTIAL_REFUSED", "The credential belongs to another holder", &e)
            }
            CredentialProofError::Unsatisfied { .. } => {
                refused("STATEMENT_FALSE", "The credential does not satisfy the query", &e)
            }
            CredentialProofError::Busy(busy) => busy.into(),
            CredentialProofError::KeysLoading => {
                ApiError::unavailable("Zero-knowledge keys are still loading, retry shortly")
            }
            CredentialProofError::Keys(_) | CredentialProofError::Prove(_) => ApiError::internal(e),
        }
    }
}

impl From<ProofRequestError> for ApiError {
    fn from(e: ProofRequestError) -> Self {
        match e {
            ProofRequestError::Validation(fields) => fields.into(),
            ProofRequestError::Unknown(fields) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "UNKNOWN_ISSUER", "No such issuer here")
                    .with_fields(fields)
            }
            ProofRequestError::Forbidden => ApiError::forbidden(),
            ProofRequestError::NotFound => ApiError::not_found(),
            ProofRequestError::Expired => {
                ApiError::new(StatusCode::GONE, "EXPIRED", "The request has expired")
            }
            ProofRequestError::AlreadyFinished => ApiError::conflict("The request was already answered"),
            ProofRequestError::AlreadyAnswered => ApiError::new(
                StatusCode::CONFLICT,
                "ALREADY_ANSWERED",
                "You already answered this verifier for the same purpose",
            ),
            ProofRequestError::UntrustedIssuer => {
                let fields = honestly_core::error::FieldErrors::one("reason", "untrusted_issuer");
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "CREDENTIAL_REFUSED",
                    "The request does not trust the credential's issuer",
                )
                .with_fields(fields)
            }
            ProofRequestError::NotVerified { reason, expectation } => {
                let mut fields = honestly_core::error::FieldErrors::one("reason", reason);
                if let Some(expectation) = expectation {
                    fields.add("predicate", expectation);
                }
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "STATEMENT_FALSE",
                    "The proof does not meet the request",
                )
                .with_fields(fields)
            }
            ProofRequestError::Proving(e) => e.into(),
            ProofRequestError::SelfDeclared(e) => e.into(),
            ProofRequestError::WrongAnswer(fields) => fields.into(),
            ProofRequestError::Store(store) => store.into(),
            ProofRequestError::Webhooks(cause) => ApiError::internal(cause),
            ProofRequestError::Busy(busy) => busy.into(),
        }
    }
}
