//! Why a proof-request operation failed.

use crate::error::FieldErrors;
use crate::issuance::proving::CredentialProvingError;
use crate::issuance::IssuanceError;
use crate::store::StoreError;
use crate::webhooks::WebhookError;
use crate::zk::ProofError;

/// Why a proof-request operation failed; the HTTP layer maps each case to one status.
#[derive(Debug, thiserror::Error)]
pub enum ProofRequestError {
    /// Bad input: field → reason (400).
    #[error(transparent)]
    Validation(#[from] FieldErrors),
    /// Well-formed input naming something that does not exist here (an unknown trusted
    /// issuer): field → reason (422).
    #[error("unknown reference")]
    Unknown(FieldErrors),
    /// The caller may not create requests (403).
    #[error("not allowed")]
    Forbidden,
    /// No such request, or not the caller's (404).
    #[error("not found")]
    NotFound,
    /// The request expired (410).
    #[error("the request expired")]
    Expired,
    /// The request was already completed or declined (409; 410 on the public description).
    #[error("the request was already answered")]
    AlreadyFinished,
    /// The same holder already answered this verifier's request with this scope (409).
    #[error("already answered for this scope")]
    AlreadyAnswered,
    /// The chosen credential comes from an issuer the request does not trust (422).
    #[error("the credential's issuer is not trusted by this request")]
    UntrustedIssuer,
    /// The proof made from the credential did not verify against the request (422), with
    /// the reason and the expectation it failed.
    #[error("the proof does not meet the request: {reason}")]
    NotVerified {
        /// The verification's reason word.
        reason: &'static str,
        /// The expectation that failed, when one is named.
        expectation: Option<&'static str>,
    },
    /// Proving from the credential failed or was refused (the codes of
    /// `POST /vault/credentials/{id}/proofs`).
    #[error(transparent)]
    Proving(#[from] CredentialProvingError),
    /// Proving a self-declared age failed or was refused (the codes of
    /// `POST /vault/documents/{id}/proofs`).
    #[error(transparent)]
    SelfDeclared(#[from] ProofError),
    /// The answer is of another kind than the request asks for (a credential for a
    /// self-declared age, or a birth date for a credential query): field → reason (400).
    #[error("the answer does not fit the request")]
    WrongAnswer(FieldErrors),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The webhook outbox failed (a sealed secret that cannot be opened).
    #[error("webhooks: {0}")]
    Webhooks(String),
    /// The CPU pool is saturated.
    #[error(transparent)]
    Busy(#[from] crate::cpu::CpuBusy),
}

impl From<WebhookError> for ProofRequestError {
    fn from(e: WebhookError) -> Self {
        match e {
            WebhookError::Invalid(fields) => ProofRequestError::Validation(fields),
            WebhookError::NoAccount => ProofRequestError::Forbidden,
            WebhookError::Store(e) => ProofRequestError::Store(e),
            other => ProofRequestError::Webhooks(other.to_string()),
        }
    }
}

impl From<IssuanceError> for ProofRequestError {
    fn from(e: IssuanceError) -> Self {
        match e {
            IssuanceError::NotFound => ProofRequestError::NotFound,
            IssuanceError::Validation(fields) => ProofRequestError::Validation(fields),
            IssuanceError::Store(store) => ProofRequestError::Store(store),
            other => ProofRequestError::Proving(CredentialProvingError::Issuance(other)),
        }
    }
}
