//! The verifier's side of `credential_query` proofs once the proof is valid: resolving the
//! trusted issuers and the issuer's revocation state through an [`IssuerDirectory`], the
//! checks of `honestly_zk::expect::credential`, and what the answer shows the verifier.
//!
//! Entry point: [`finish_credential_query`], which `finish` calls for `credential_query`
//! proofs in place of the age and authenticity checks.

use async_trait::async_trait;
use honestly_zk::circuits::credential_query::QueryPublic;
use honestly_zk::expect::credential::{check_credential_query, CredentialExpectations, CredentialFailure};
use honestly_zk::revocation::SignedState;
use honestly_zk::Fr;

use super::credential_expected::{read_credential_ask, CredentialAsk, IssuerRef};
use super::expected::Expected;
pub use super::outcome::CredentialFacts;
use super::outcome::{VerifyOutcome, VerifyReason};
use crate::clock::Timestamp;
use crate::credentials::{CalendarDate, Country};

/// Where issuers known to this server are looked up: their keys by id (for `trusted_issuers`
/// given as ids) and their current signed revocation state (for proofs checked without one).
#[async_trait]
pub trait IssuerDirectory: Send + Sync {
    /// The public key `(x, y)` of the issuer with this id (`iss_…`); `None` when there is no
    /// such issuer (any more).
    async fn issuer_key(&self, id: &str) -> Option<(Fr, Fr)>;

    /// The current signed revocation state of the issuer with key `(x, y)`; `None` when this
    /// server does not know the issuer or has no state for it.
    async fn current_revocation_state(&self, key: (Fr, Fr)) -> Option<SignedState>;
}

/// A directory that knows no issuer: ids resolve to nothing and a proof checks only against a
/// revocation state the verifier gave.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoIssuers;

#[async_trait]
impl IssuerDirectory for NoIssuers {
    async fn issuer_key(&self, _id: &str) -> Option<(Fr, Fr)> {
        None
    }

    async fn current_revocation_state(&self, _key: (Fr, Fr)) -> Option<SignedState> {
        None
    }
}

/// The reason a failed credential check answers: `untrusted_issuer`, `revocation_state`, or
/// `expectation_failed` for the predicates, scope, nonce and reference date.
pub fn reason_of(failure: &CredentialFailure) -> VerifyReason {
    match failure {
        CredentialFailure::UntrustedIssuer => VerifyReason::UntrustedIssuer,
        CredentialFailure::RevocationStateMissing
        | CredentialFailure::RevocationStateInvalid
        | CredentialFailure::RevocationStateMismatch
        | CredentialFailure::RevocationStateStale(_) => VerifyReason::RevocationState,
        _ => VerifyReason::ExpectationFailed,
    }
}

/// Checks a **valid** `credential_query` proof (its signals in `outcome.signals`) against
/// `expected` at `now` (Unix seconds; today is its UTC calendar day): the `credential_query`
/// arm of the verifier's `finish`.
///
/// It fills `outcome.credential` (issuer key, disclosed nationality, nullifier) and
/// `outcome.nullifier`, and on failure `outcome.failed_expectation` and
/// `outcome.failure_detail`. Issuer ids of `trusted_issuers` resolve through `issuers` (an
/// unknown id trusts nothing: `untrusted_issuer` unless another listed issuer matches); without
/// a `revocation_state` in `expected`, the issuer's current state comes from `issuers`, and
/// none at all fails `revocation_state`. Signals that do not read as `credential_query`'s are
/// `malformed`; expectations that do not read fail `expectation_failed` (callers refuse them
/// with a 400 before verifying, see `coverage`).
pub async fn finish_credential_query(
    outcome: &mut VerifyOutcome,
    expected: &Expected,
    issuers: &dyn IssuerDirectory,
    now: u64,
) -> Result<(), VerifyReason> {
    let public = QueryPublic::from_signals(&outcome.signals).map_err(|_| VerifyReason::Malformed)?;
    let facts = CredentialFacts::of(&public);
    outcome.nullifier = Some(facts.nullifier.clone());
    outcome.credential = Some(Box::new(facts));
    let ask = read_credential_ask(expected, "").map_err(|_| VerifyReason::ExpectationFailed)?;
    let expectations = resolve(ask, &public, issuers).await;
    check_credential_query(&public, &expectations, today_of(now), now).map_err(|failure| {
        outcome.failed_expectation = Some(failure.expectation());
        outcome.failure_detail = Some(failure.to_string().into());
        reason_of(&failure)
    })
}

/// The UTC calendar day of `now` as YYYYMMDD; 0 (no day, so no reference date matches) for a
/// clock outside the years 1000–9999.
pub fn today_of(now: u64) -> u64 {
    i64::try_from(now)
        .ok()
        .and_then(|secs| Timestamp::from_unix(secs).ok())
        .and_then(|at| CalendarDate::of_timestamp(at).ok())
        .map_or(0, |date| u64::from(date.yyyymmdd()))
}

/// Turns what the verifier asked into checkable expectations: issuer ids become keys, and a
/// missing revocation state becomes the issuer's current one when the directory has it.
pub async fn resolve(
    ask: CredentialAsk,
    public: &QueryPublic,
    issuers: &dyn IssuerDirectory,
) -> CredentialExpectations {
    let trusted_issuers = match ask.trusted_issuers {
        None => None,
        Some(listed) => {
            let mut keys = Vec::with_capacity(listed.len());
            for issuer in listed {
                match issuer {
                    IssuerRef::Key(key) => keys.push((key.point().x(), key.point().y())),
                    IssuerRef::Id(id) => keys.extend(issuers.issuer_key(&id).await),
                }
            }
            Some(keys)
        }
    };
    let revocation = match ask.revocation {
        Some(given) => Some(given),
        None => issuers.current_revocation_state(public.issuer).await,
    };
    let numeric = |list: Vec<Country>| list.into_iter().map(|c| u64::from(c.numeric())).collect();
    CredentialExpectations {
        trusted_issuers,
        min_age: ask.min_age,
        not_expired: ask.not_expired,
        nationality_in: ask.nationality_in.map(numeric),
        nationality_not_in: ask.nationality_not_in.map(numeric),
        disclose_nationality: ask.disclose_nationality,
        scope: ask.scope,
        nonce: ask.nonce,
        reference_date_tolerance_days: ask.reference_date_tolerance_days,
        revocation,
        max_revocation_age_seconds: ask.max_revocation_age_seconds,
    }
}

#[cfg(test)]
mod tests;
