//! Why an issuance operation failed.

use crate::error::FieldErrors;
use crate::store::StoreError;

use super::revocation::RevocationCacheError;

/// Why an issuance operation failed; the HTTP layer maps each case to one status.
#[derive(Debug, thiserror::Error)]
pub enum IssuanceError {
    /// Bad input: field → reason (400).
    #[error(transparent)]
    Validation(#[from] FieldErrors),
    /// No such thing, or not the caller's (404).
    #[error("not found")]
    NotFound,
    /// The caller acts for no issuer (403).
    #[error("the account acts for no issuer")]
    NotMember,
    /// The request or credential is not in a state that allows this (409), in words.
    #[error("{0}")]
    Conflict(&'static str),
    /// A limit on how many the caller may have (409), in words.
    #[error("{0}")]
    TooMany(&'static str),
    /// A credential that cannot be accepted (422): its signature, holder or document, in
    /// words and with the field.
    #[error("{reason}")]
    Unacceptable {
        /// The field at fault.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Anything else (keys that do not open, a revocation tree that does not build).
    #[error("issuance failed")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<RevocationCacheError> for IssuanceError {
    fn from(e: RevocationCacheError) -> Self {
        match e {
            RevocationCacheError::Store(store) => IssuanceError::Store(store),
            other => IssuanceError::Internal(Box::new(other)),
        }
    }
}
