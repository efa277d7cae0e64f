//! What a verifier expects of a valid `credential_query` proof: an issuer it trusts, the
//! predicates it asked for, its own scope and nonce, a reference date near today and a fresh
//! revocation state of the proof's issuer whose root is the proof's.

use super::calendar_days::days_between;
use crate::{
    babyjub::Point,
    circuits::{
        credential_query::QueryPublic,
        predicates::{NATIONALITY_IN, NATIONALITY_NOT_IN},
    },
    eddsa::PublicKey,
    revocation::{SignedState, StaleState, DEFAULT_MAX_AGE_SECS},
    Fr,
};

/// Default tolerance between a proof's `referenceDate` and the verifier's today, in days.
pub const DEFAULT_REFERENCE_DATE_TOLERANCE_DAYS: u64 = 1;

/// Why a valid `credential_query` proof does not meet the verifier's expectations. Each
/// failure names what failed ([`CredentialFailure::expectation`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialFailure {
    /// The proof's issuer key is none of the trusted ones.
    #[error("the proof's issuer is not one of the trusted issuers")]
    UntrustedIssuer,
    /// The proof's `minAge` is below the asked one.
    #[error("the proof shows min age {proved}, {asked} was asked")]
    MinAgeTooLow {
        /// `minAge` in the proof.
        proved: u64,
        /// The asked `min_age`.
        asked: u64,
    },
    /// `not_expired` was asked and the proof's `notExpired` is 0.
    #[error("the proof does not show that the document is not expired")]
    ExpiryNotProved,
    /// `nationality_in` was asked and the proof's mode is not "in", or its list has a
    /// country outside the asked list.
    #[error("the proof does not show a nationality within the asked list")]
    NationalityInNotProved,
    /// `nationality_not_in` was asked and the proof's mode is not "not in", or its list lacks
    /// an asked country.
    #[error("the proof does not show a nationality outside every asked country")]
    NationalityNotInNotProved,
    /// The disclosure of the nationality was asked and the proof does not disclose it.
    #[error("the proof does not disclose the nationality")]
    NationalityNotDisclosed,
    /// The proof's `scope` is not the asked one.
    #[error("the proof is for another scope")]
    ScopeMismatch,
    /// The proof's `nonce` is not the asked one.
    #[error("the proof is for another nonce")]
    NonceMismatch,
    /// The proof's `referenceDate` is not a real day, or lies more than the tolerance away
    /// from the verifier's today.
    #[error("the proof's reference date {reference_date} is not within {tolerance_days} day(s) of {today}")]
    ReferenceDateOutOfRange {
        /// `referenceDate` in the proof (YYYYMMDD).
        reference_date: u64,
        /// The verifier's today (YYYYMMDD).
        today: u64,
        /// The accepted distance in days.
        tolerance_days: u64,
    },
    /// No revocation state was given: a credential proof is never accepted without one.
    #[error("no revocation state of the proof's issuer is available")]
    RevocationStateMissing,
    /// The state's signature does not verify under the proof's issuer key.
    #[error("the revocation state is not signed by the proof's issuer")]
    RevocationStateInvalid,
    /// The state's root is not the proof's `revocationRoot`: the proof was made against
    /// another state (for example before the issuer revoked a credential).
    #[error("the proof was made against another revocation state than the issuer's current one")]
    RevocationStateMismatch,
    /// The state is older than the accepted maximum age, or dated in the future.
    #[error("{0}")]
    RevocationStateStale(StaleState),
}

impl CredentialFailure {
    /// The name of the expectation that failed: `trusted_issuers`, `min_age`, `not_expired`,
    /// `nationality_in`, `nationality_not_in`, `disclose`, `scope`, `nonce`,
    /// `reference_date` or `revocation_state`.
    pub fn expectation(&self) -> &'static str {
        match self {
            Self::UntrustedIssuer => "trusted_issuers",
            Self::MinAgeTooLow { .. } => "min_age",
            Self::ExpiryNotProved => "not_expired",
            Self::NationalityInNotProved => "nationality_in",
            Self::NationalityNotInNotProved => "nationality_not_in",
            Self::NationalityNotDisclosed => "disclose",
            Self::ScopeMismatch => "scope",
            Self::NonceMismatch => "nonce",
            Self::ReferenceDateOutOfRange { .. } => "reference_date",
            Self::RevocationStateMissing
            | Self::RevocationStateInvalid
            | Self::RevocationStateMismatch
            | Self::RevocationStateStale(_) => "revocation_state",
        }
    }
}

/// What a verifier asks of a `credential_query` proof. [`Default`] asks only what is always
/// checked: a reference date within [`DEFAULT_REFERENCE_DATE_TOLERANCE_DAYS`] of today and a
/// revocation state (which must be given) at most [`DEFAULT_MAX_AGE_SECS`] old.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialExpectations {
    /// The issuer keys `(x, y)` the verifier trusts; `None` accepts any issuer (the verifier
    /// then has to judge the proof's issuer key itself). `Some` of an empty list trusts no one.
    pub trusted_issuers: Option<Vec<(Fr, Fr)>>,
    /// The proof's `minAge` must be at least this.
    pub min_age: Option<u64>,
    /// The proof must show `notExpired = 1`.
    pub not_expired: bool,
    /// The proof must show the nationality in a list within this one (ISO 3166-1 numeric).
    pub nationality_in: Option<Vec<u64>>,
    /// The proof must show the nationality outside a list holding all of these.
    pub nationality_not_in: Option<Vec<u64>>,
    /// The proof must disclose the nationality.
    pub disclose_nationality: bool,
    /// The proof's `scope` must be this.
    pub scope: Option<Fr>,
    /// The proof's `nonce` must be this.
    pub nonce: Option<Fr>,
    /// The most days the proof's `referenceDate` may lie from today.
    pub reference_date_tolerance_days: u64,
    /// The issuer's signed revocation state the proof must have been made against.
    pub revocation: Option<SignedState>,
    /// The oldest revocation state accepted, in seconds.
    pub max_revocation_age_seconds: u64,
}

impl Default for CredentialExpectations {
    fn default() -> Self {
        Self {
            trusted_issuers: None,
            min_age: None,
            not_expired: false,
            nationality_in: None,
            nationality_not_in: None,
            disclose_nationality: false,
            scope: None,
            nonce: None,
            reference_date_tolerance_days: DEFAULT_REFERENCE_DATE_TOLERANCE_DAYS,
            revocation: None,
            max_revocation_age_seconds: DEFAULT_MAX_AGE_SECS,
        }
    }
}

/// Checks a valid `credential_query` proof's public signals against `exp`, with the verifier's
/// calendar day `today` (YYYYMMDD, UTC) and clock `now_unix` (Unix seconds). The first failing
/// expectation is returned, in this order: issuer, revocation state, reference date, scope,
/// nonce, `min_age`, `not_expired`, nationality lists, disclosure.
pub fn check_credential_query(
    public: &QueryPublic,
    exp: &CredentialExpectations,
    today: u64,
    now_unix: u64,
) -> Result<(), CredentialFailure> {
    if let Some(trusted) = &exp.trusted_issuers {
        if !trusted.contains(&public.issuer) {
            return Err(CredentialFailure::UntrustedIssuer);
        }
    }
    check_revocation_state(public, exp.revocation.as_ref(), exp.max_revocation_age_seconds, now_unix)?;
    check_reference_date(public.reference_date, today, exp.reference_date_tolerance_days)?;
    if exp.scope.is_some_and(|scope| scope != public.scope) {
        return Err(CredentialFailure::ScopeMismatch);
    }
    if exp.nonce.is_some_and(|nonce| nonce != public.nonce) {
        return Err(CredentialFailure::NonceMismatch);
    }
    check_predicates(public, exp)
}

/// The revocation state's checks: given, signed under the proof's issuer key, the proof's
/// root, and fresh at `now_unix` (at most `max_age` seconds old, at most 300 s ahead).
pub fn check_revocation_state(
    public: &QueryPublic,
    state: Option<&SignedState>,
    max_age: u64,
    now_unix: u64,
) -> Result<(), CredentialFailure> {
    let state = state.ok_or(CredentialFailure::RevocationStateMissing)?;
    let issuer = Point::new(public.issuer.0, public.issuer.1)
        .and_then(PublicKey::from_point)
        .map_err(|_| CredentialFailure::RevocationStateInvalid)?;
    if !state.verify(&issuer) {
        return Err(CredentialFailure::RevocationStateInvalid);
    }
    if state.state.root != public.revocation_root {
        return Err(CredentialFailure::RevocationStateMismatch);
    }
    state.state.check_fresh(now_unix, max_age).map_err(CredentialFailure::RevocationStateStale)
}

/// Whether `reference_date` is a real day at most `tolerance_days` calendar days from `today`.
pub fn check_reference_date(
    reference_date: u64,
    today: u64,
    tolerance_days: u64,
) -> Result<(), CredentialFailure> {
    match days_between(reference_date, today) {
        Some(days) if days <= tolerance_days => Ok(()),
        _ => Err(CredentialFailure::ReferenceDateOutOfRange { reference_date, today, tolerance_days }),
    }
}

/// The predicates: a proof may show more than asked (a higher `minAge`, a shorter "in" list, a
/// longer "not in" list), never less.
fn check_predicates(public: &QueryPublic, exp: &CredentialExpectations) -> Result<(), CredentialFailure> {
    if let Some(asked) = exp.min_age {
        if public.min_age < asked {
            return Err(CredentialFailure::MinAgeTooLow { proved: public.min_age, asked });
        }
    }
    if exp.not_expired && !public.not_expired {
        return Err(CredentialFailure::ExpiryNotProved);
    }
    // Unused slots of the proof's list are 0, which is no country.
    let proved = || public.nationality_list.iter().copied().filter(|code| *code != 0);
    if let Some(asked) = &exp.nationality_in {
        // An "in" proof with an empty list cannot be valid; refuse it all the same.
        let within = proved().next().is_some() && proved().all(|code| asked.contains(&code));
        if public.nationality_mode != NATIONALITY_IN || !within {
            return Err(CredentialFailure::NationalityInNotProved);
        }
    }
    if let Some(asked) = &exp.nationality_not_in {
        let covers = asked.iter().filter(|code| **code != 0).all(|code| proved().any(|p| p == *code));
        if public.nationality_mode != NATIONALITY_NOT_IN || !covers {
            return Err(CredentialFailure::NationalityNotInNotProved);
        }
    }
    if exp.disclose_nationality && !public.disclose_nationality {
        return Err(CredentialFailure::NationalityNotDisclosed);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
