//! Why a credential proof was not made.

use honestly_zk::ProveError;

use crate::cpu::CpuBusy;
use crate::error::FieldErrors;
use crate::zk::service::KeyError;

/// Why [`super::prove_credential_query`] made no proof. The refusals about the credential and
/// the query come before any proving, each with a stable [`reason`](CredentialProofError::reason).
#[derive(Debug, thiserror::Error)]
pub enum CredentialProofError {
    /// Bad input (the query, scope or nonce), per field.
    #[error(transparent)]
    Validation(#[from] FieldErrors),
    /// The holder secret is not the one the credential's `holder` commits to.
    #[error("the credential belongs to another holder")]
    NotYours,
    /// The issuer's signature over the claims does not verify.
    #[error("the issuer's signature does not verify")]
    InvalidSignature,
    /// The revocation tree marks the credential's slot.
    #[error("the credential is revoked")]
    Revoked,
    /// `validUntil` is before the reference date.
    #[error("the credential expired")]
    CredentialExpired,
    /// `issuedAt` is after the reference date.
    #[error("the credential is not valid yet")]
    NotYetValid,
    /// The credential's claims do not meet the named predicate (`min_age`, `not_expired`,
    /// `nationality_in`, `nationality_not_in`).
    #[error("the credential does not satisfy {predicate}")]
    Unsatisfied {
        /// The predicate, as the query names it.
        predicate: &'static str,
    },
    /// The CPU pool is saturated.
    #[error(transparent)]
    Busy(#[from] CpuBusy),
    /// The zero-knowledge keys are still being loaded.
    #[error("zero-knowledge keys are still loading")]
    KeysLoading,
    /// The proving key could not be loaded.
    #[error("a proving key cannot be loaded")]
    Keys(#[source] KeyError),
    /// Proving failed for a statement the checks accepted (the circuit refusing what the
    /// native checks accepted is an internal disagreement, never the caller's fault).
    #[error("proving failed")]
    Prove(#[source] ProveError),
}

impl CredentialProofError {
    /// The stable snake_case reason of a refusal (`not_yours`, `invalid_signature`, `revoked`,
    /// `credential_expired`, `not_yet_valid`, `unsatisfied`, `busy`); `None` for invalid
    /// input and internal failures.
    pub fn reason(&self) -> Option<&'static str> {
        match self {
            Self::NotYours => Some("not_yours"),
            Self::InvalidSignature => Some("invalid_signature"),
            Self::Revoked => Some("revoked"),
            Self::CredentialExpired => Some("credential_expired"),
            Self::NotYetValid => Some("not_yet_valid"),
            Self::Unsatisfied { .. } => Some("unsatisfied"),
            Self::Busy(_) => Some("busy"),
            Self::Validation(_) | Self::KeysLoading | Self::Keys(_) | Self::Prove(_) => None,
        }
    }

    /// The predicate an [`Unsatisfied`](CredentialProofError::Unsatisfied) refusal names.
    pub fn predicate(&self) -> Option<&'static str> {
        match self {
            Self::Unsatisfied { predicate } => Some(predicate),
            _ => None,
        }
    }
}

impl From<KeyError> for CredentialProofError {
    fn from(e: KeyError) -> Self {
        match e {
            KeyError::Busy(busy) => Self::Busy(busy),
            other => Self::Keys(other),
        }
    }
}
