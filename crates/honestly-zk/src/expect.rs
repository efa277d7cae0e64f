//! Expectation checks: a valid proof can still prove less than the verifier asked for.
//! `credential_query` proofs have their own in [`credential`].

pub mod calendar_days;
pub mod credential;

use ark_ff::Zero;

use crate::{
    circuits::{AgePublic, AgeV2Public, AuthenticityPublic},
    field::field_from_sha256,
    registry::{zero_hashes, REGISTRY_DEPTH},
    Fr,
};

/// How far in the future a `referenceTs` may lie (clock skew), in seconds.
pub const MAX_FUTURE_SKEW_SECONDS: u64 = 300;

/// Why a valid proof does not meet the verifier's expectations.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpectationFailure {
    /// The proof's `minAge` is below the asked threshold.
    #[error("proof shows min age {proved}, {asked} was asked")]
    MinAgeTooLow {
        /// `minAge` in the proof.
        proved: u64,
        /// The asked `min_age`.
        asked: u64,
    },
    /// `documentHash` is not `field(expected document_sha256)`.
    #[error("the proof is about another document")]
    DocumentMismatch,
    /// `referenceTs` is older than `max_proof_age_seconds`.
    #[error("proof is {age_seconds} s old, at most {max_seconds} s allowed")]
    ProofTooOld {
        /// Age of the proof.
        age_seconds: u64,
        /// The allowed maximum.
        max_seconds: u64,
    },
    /// `referenceTs` lies more than 300 s in the future.
    #[error("proof's reference time lies {ahead_seconds} s in the future")]
    FromTheFuture {
        /// How far ahead.
        ahead_seconds: u64,
    },
    /// `root` is not one of the registry's roots.
    #[error("unknown registry root")]
    UnknownRoot,
    /// `root` is not the asked `registry_root`.
    #[error("registry root differs from the asked one")]
    RootMismatch,
    /// `leaf` is 0, an empty slot of the registry: no document.
    #[error("the leaf is 0, an empty registry slot")]
    EmptyLeaf,
    /// `root` is the empty tree's root, which holds no document.
    #[error("the root is the empty registry's root")]
    EmptyRoot,
    /// `referenceDate` is not a day of the calendar (the circuit only bounds its size).
    #[error("the reference date {0} is not a calendar date")]
    NotADate(u64),
}

/// Seconds in a day.
const DAY_SECONDS: i64 = 86_400;

/// Unix seconds of midnight UTC starting the `YYYYMMDD` day `date`, or `None` when `date` is
/// not a day of the (proleptic Gregorian) calendar between years 1000 and 9999.
pub fn date_start_unix(date: u64) -> Option<i64> {
    let (year, month, day) = ((date / 10_000) as i64, ((date / 100) % 100) as i64, (date % 100) as i64);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1000..=9999).contains(&year) || !(1..=month_days).contains(&day) {
        return None;
    }
    // Days from 1970-01-01 (H. Hinnant's days_from_civil).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * DAY_SECONDS)
}

/// What a verifier asks of an `age_proof`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AgeExpectations {
    /// The proof's `minAge` must be at least this.
    pub min_age: Option<u64>,
    /// The proof must be about the document with this SHA-256.
    pub document_sha256: Option<[u8; 32]>,
    /// `referenceTs` must be at most this many seconds before `now`.
    pub max_proof_age_seconds: Option<u64>,
}

/// Checks an `age_proof`'s public signals against `exp` at time `now` (Unix seconds).
/// `referenceTs` more than 300 s after `now` always fails.
pub fn check_age(public: &AgePublic, exp: &AgeExpectations, now: u64) -> Result<(), ExpectationFailure> {
    if let Some(asked) = exp.min_age {
        if public.min_age < asked {
            return Err(ExpectationFailure::MinAgeTooLow { proved: public.min_age, asked });
        }
    }
    if let Some(digest) = exp.document_sha256 {
        if public.document_hash != field_from_sha256(&digest) {
            return Err(ExpectationFailure::DocumentMismatch);
        }
    }
    check_time(public.reference_ts, exp.max_proof_age_seconds, now)
}

/// Checks an `age_proof_v2`'s public signals against `exp` at time `now` (Unix seconds).
///
/// `referenceDate` is a whole UTC day, so freshness has a resolution of one day: the proof's
/// age is counted from the end of its reference day (a proof dated today is 0 s old, one dated
/// yesterday is as old as the seconds since today's midnight UTC), and a reference day that
/// starts more than 300 s after `now` always fails. A `referenceDate` that is no calendar day
/// fails ([`ExpectationFailure::NotADate`]).
pub fn check_age_v2(public: &AgeV2Public, exp: &AgeExpectations, now: u64) -> Result<(), ExpectationFailure> {
    if let Some(asked) = exp.min_age {
        if public.min_age < asked {
            return Err(ExpectationFailure::MinAgeTooLow { proved: public.min_age, asked });
        }
    }
    if let Some(digest) = exp.document_sha256 {
        if public.document_hash != field_from_sha256(&digest) {
            return Err(ExpectationFailure::DocumentMismatch);
        }
    }
    let start =
        date_start_unix(public.reference_date).ok_or(ExpectationFailure::NotADate(public.reference_date))?;
    let now = i64::try_from(now).unwrap_or(i64::MAX);
    if start > now.saturating_add(MAX_FUTURE_SKEW_SECONDS as i64) {
        return Err(ExpectationFailure::FromTheFuture { ahead_seconds: (start - now) as u64 });
    }
    if let Some(max_seconds) = exp.max_proof_age_seconds {
        let age_seconds = now.saturating_sub(start + DAY_SECONDS).max(0) as u64;
        if age_seconds > max_seconds {
            return Err(ExpectationFailure::ProofTooOld { age_seconds, max_seconds });
        }
    }
    Ok(())
}

/// Checks a proof's `referenceTs` against `now`: at most 300 s ahead and, when `max_age` is
/// given, at most `max_age` seconds old.
pub fn check_time(reference_ts: u64, max_age: Option<u64>, now: u64) -> Result<(), ExpectationFailure> {
    if reference_ts > now.saturating_add(MAX_FUTURE_SKEW_SECONDS) {
        return Err(ExpectationFailure::FromTheFuture { ahead_seconds: reference_ts - now });
    }
    if let Some(max_seconds) = max_age {
        let age_seconds = now.saturating_sub(reference_ts);
        if age_seconds > max_seconds {
            return Err(ExpectationFailure::ProofTooOld { age_seconds, max_seconds });
        }
    }
    Ok(())
}

/// What a verifier asks of an `authenticity_proof`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuthenticityExpectations {
    /// The proof must be about the document with this SHA-256.
    pub document_sha256: Option<[u8; 32]>,
    /// The proof's root must be exactly this one.
    pub registry_root: Option<Fr>,
}

/// Checks an `authenticity_proof`'s public signals; `is_known_root` answers whether a root
/// is one of the registry's roots (e.g. `|r| tree.epoch_of_root(r).is_some()` or a store
/// look-up).
///
/// Whatever is asked, leaf 0 (an empty slot: every tree that is not full has one) and the
/// empty tree's root (`roots()[0]`, no document at all) always fail.
pub fn check_authenticity(
    public: &AuthenticityPublic,
    exp: &AuthenticityExpectations,
    is_known_root: impl FnOnce(&Fr) -> bool,
) -> Result<(), ExpectationFailure> {
    if public.leaf.is_zero() {
        return Err(ExpectationFailure::EmptyLeaf);
    }
    if public.root == zero_hashes()[REGISTRY_DEPTH] {
        return Err(ExpectationFailure::EmptyRoot);
    }
    if let Some(digest) = exp.document_sha256 {
        if public.leaf != field_from_sha256(&digest) {
            return Err(ExpectationFailure::DocumentMismatch);
        }
    }
    if let Some(root) = exp.registry_root {
        if public.root != root {
            return Err(ExpectationFailure::RootMismatch);
        }
    }
    if !is_known_root(&public.root) {
        return Err(ExpectationFailure::UnknownRoot);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    fn public(min_age: u64, reference_ts: u64, doc: &[u8]) -> AgePublic {
        AgePublic {
            min_age,
            reference_ts,
            document_hash: crate::field::sha256_field(doc),
            commitment: Fr::from(1u64),
            nullifier: Fr::from(2u64),
        }
    }

    #[test]
    fn age_expectations() {
        let now = 1_700_000_000;
        let digest: [u8; 32] = Sha256::digest(b"doc").into();
        let p = public(18, now - 10, b"doc");
        let all = AgeExpectations {
            min_age: Some(18),
            document_sha256: Some(digest),
            max_proof_age_seconds: Some(60),
        };
        assert_eq!(check_age(&p, &all, now), Ok(()));
        let asked_21 = AgeExpectations { min_age: Some(21), ..all };
        assert_eq!(
            check_age(&p, &asked_21, now),
            Err(ExpectationFailure::MinAgeTooLow { proved: 18, asked: 21 })
        );
        let other: [u8; 32] = Sha256::digest(b"other").into();
        let other_doc = AgeExpectations { document_sha256: Some(other), ..all };
        assert_eq!(check_age(&p, &other_doc, now), Err(ExpectationFailure::DocumentMismatch));
        assert!(matches!(check_age(&p, &all, now + 100), Err(ExpectationFailure::ProofTooOld { .. })));
        let future = public(18, now + 301, b"doc");
        assert!(matches!(
            check_age(&future, &AgeExpectations::default(), now),
            Err(ExpectationFailure::FromTheFuture { ahead_seconds: 301 })
        ));
        let near_future = public(18, now + 300, b"doc");
        assert_eq!(check_age(&near_future, &AgeExpectations::default(), now), Ok(()));
    }

    #[test]
    fn date_starts() {
        assert_eq!(date_start_unix(19700101), Some(0));
        assert_eq!(date_start_unix(19691231), Some(-86_400));
        assert_eq!(date_start_unix(20250101), Some(1_735_689_600));
        assert_eq!(date_start_unix(20000229), Some(951_782_400));
        assert_eq!(date_start_unix(10000101), Some(-30_610_224_000));
        assert_eq!(date_start_unix(20260229), None);
        assert_eq!(date_start_unix(20261301), None);
        assert_eq!(date_start_unix(20260100), None);
        assert_eq!(date_start_unix(9991231), None);
    }

    #[test]
    fn age_v2_expectations() {
        // 2025-01-01T12:00:00Z.
        let now = 1_735_689_600 + 12 * 3600;
        let digest: [u8; 32] = Sha256::digest(b"doc").into();
        let p = |min_age, reference_date| AgeV2Public {
            min_age,
            reference_date,
            document_hash: crate::field::sha256_field(b"doc"),
            commitment: Fr::from(1u64),
            nullifier: Fr::from(2u64),
        };
        let all = AgeExpectations {
            min_age: Some(18),
            document_sha256: Some(digest),
            max_proof_age_seconds: Some(60),
        };
        // Dated today: 0 s old.
        assert_eq!(check_age_v2(&p(18, 20250101), &all, now), Ok(()));
        assert_eq!(
            check_age_v2(&p(17, 20250101), &all, now),
            Err(ExpectationFailure::MinAgeTooLow { proved: 17, asked: 18 })
        );
        let other: [u8; 32] = Sha256::digest(b"other").into();
        let other_doc = AgeExpectations { document_sha256: Some(other), ..all };
        assert_eq!(
            check_age_v2(&p(18, 20250101), &other_doc, now),
            Err(ExpectationFailure::DocumentMismatch)
        );
        // Dated yesterday: as old as the seconds since today's midnight.
        assert_eq!(
            check_age_v2(&p(18, 20241231), &all, now),
            Err(ExpectationFailure::ProofTooOld { age_seconds: 12 * 3600, max_seconds: 60 })
        );
        let a_day = AgeExpectations { max_proof_age_seconds: Some(12 * 3600), ..all };
        assert_eq!(check_age_v2(&p(18, 20241231), &a_day, now), Ok(()));
        // Tomorrow starts 12 h ahead: from the future; without freshness asked too.
        assert!(matches!(
            check_age_v2(&p(18, 20250102), &AgeExpectations::default(), now),
            Err(ExpectationFailure::FromTheFuture { ahead_seconds: 43_200 })
        ));
        // ... but within 300 s of midnight it is clock skew.
        assert_eq!(check_age_v2(&p(18, 20250102), &AgeExpectations::default(), 1_735_775_700), Ok(()));
        assert_eq!(
            check_age_v2(&p(18, 20250230), &AgeExpectations::default(), now),
            Err(ExpectationFailure::NotADate(20250230))
        );
    }

    #[test]
    fn authenticity_expectations() {
        let p = AuthenticityPublic {
            root: Fr::from(5u64),
            leaf: crate::field::sha256_field(b"doc"),
            epoch: 1,
            nullifier: Fr::from(9u64),
        };
        let none = AuthenticityExpectations::default();
        assert_eq!(check_authenticity(&p, &none, |_| true), Ok(()));
        assert_eq!(check_authenticity(&p, &none, |_| false), Err(ExpectationFailure::UnknownRoot));
        let asked = AuthenticityExpectations { registry_root: Some(Fr::from(6u64)), ..none };
        assert_eq!(check_authenticity(&p, &asked, |_| true), Err(ExpectationFailure::RootMismatch));
        let digest: [u8; 32] = Sha256::digest(b"x").into();
        let doc = AuthenticityExpectations { document_sha256: Some(digest), ..none };
        assert_eq!(check_authenticity(&p, &doc, |_| true), Err(ExpectationFailure::DocumentMismatch));
    }

    #[test]
    fn empty_leaf_and_empty_root_never_pass() {
        let empty_root = crate::RegistryTree::new().root();
        let p = AuthenticityPublic {
            root: Fr::from(5u64),
            leaf: Fr::zero(),
            epoch: 1,
            nullifier: Fr::from(9u64),
        };
        let none = AuthenticityExpectations::default();
        assert_eq!(check_authenticity(&p, &none, |_| true), Err(ExpectationFailure::EmptyLeaf));
        let at_empty =
            AuthenticityPublic { root: empty_root, leaf: crate::field::sha256_field(b"doc"), epoch: 0, ..p };
        assert_eq!(check_authenticity(&at_empty, &none, |_| true), Err(ExpectationFailure::EmptyRoot));
        // Even when the verifier asks for exactly that root.
        let asked = AuthenticityExpectations { registry_root: Some(empty_root), ..none };
        assert_eq!(check_authenticity(&at_empty, &asked, |_| true), Err(ExpectationFailure::EmptyRoot));
    }
}
