//! The revocation state an issuer signs: its tree's root and the signing time, and the
//! freshness rule a verifier applies.

use std::sync::OnceLock;

use crate::{field::sha256_field, poseidon::poseidon_hash, Fr};

/// Default maximum age of a revocation state a verifier accepts (1 hour).
pub const DEFAULT_MAX_AGE_SECS: u64 = 3600;

/// How far in the future a state's time may lie (clock skew between issuer and verifier).
pub const MAX_FUTURE_SKEW_SECS: u64 = 300;

/// The domain tag of a state message: `field(sha256("honestly/revocation-state/v2"))`.
pub fn state_tag() -> Fr {
    static TAG: OnceLock<Fr> = OnceLock::new();
    *TAG.get_or_init(|| sha256_field(b"honestly/revocation-state/v2"))
}

/// An issuer's revocation state: the root of its revocation tree at `issued_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RevocationState {
    /// The revocation tree's root.
    pub root: Fr,
    /// When the issuer signed it (Unix seconds).
    pub issued_at: u64,
}

/// Why a revocation state is not acceptable now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StaleState {
    /// Older than the verifier's maximum age.
    #[error("the revocation state is {age} s old, more than the allowed {max_age} s")]
    TooOld {
        /// Its age in seconds.
        age: u64,
        /// The maximum accepted.
        max_age: u64,
    },
    /// Signed further in the future than clock skew explains.
    #[error("the revocation state is dated in the future")]
    InTheFuture,
}

impl RevocationState {
    /// The field element the issuer signs with its EdDSA-Poseidon key:
    /// `Poseidon(tag, root, issued_at)` with [`state_tag`] (so a state signature can never
    /// pass for a credential signature, which covers a 10-input `claimsHash`).
    pub fn message(&self) -> Fr {
        poseidon_hash(&[state_tag(), self.root, Fr::from(self.issued_at)])
    }

    /// Whether the state is fresh at `now` (Unix seconds): `issued_at` is at most
    /// `max_age` seconds ago and at most [`MAX_FUTURE_SKEW_SECS`] ahead.
    pub fn check_fresh(&self, now: u64, max_age: u64) -> Result<(), StaleState> {
        if self.issued_at > now.saturating_add(MAX_FUTURE_SKEW_SECS) {
            return Err(StaleState::InTheFuture);
        }
        let age = now.saturating_sub(self.issued_at);
        if age > max_age {
            return Err(StaleState::TooOld { age, max_age });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshness_edges() {
        let s = RevocationState { root: Fr::from(9u64), issued_at: 10_000 };
        assert_eq!(s.check_fresh(10_000, DEFAULT_MAX_AGE_SECS), Ok(()));
        assert_eq!(s.check_fresh(10_000 + 3600, DEFAULT_MAX_AGE_SECS), Ok(()));
        assert_eq!(
            s.check_fresh(10_000 + 3601, DEFAULT_MAX_AGE_SECS),
            Err(StaleState::TooOld { age: 3601, max_age: 3600 })
        );
        assert_eq!(s.check_fresh(10_000 - 300, 60), Ok(()));
        assert_eq!(s.check_fresh(10_000 - 301, 60), Err(StaleState::InTheFuture));
        assert!(s.check_fresh(u64::MAX, u64::MAX).is_ok());
        let late = RevocationState { issued_at: u64::MAX, ..s };
        assert_eq!(late.check_fresh(0, 0), Err(StaleState::InTheFuture));
    }

    #[test]
    fn message_binds_root_time_and_domain() {
        let s = RevocationState { root: Fr::from(9u64), issued_at: 10_000 };
        assert_eq!(s.message(), poseidon_hash(&[state_tag(), Fr::from(9u64), Fr::from(10_000u64)]));
        assert_ne!(s.message(), RevocationState { issued_at: 10_001, ..s }.message());
        assert_ne!(s.message(), RevocationState { root: Fr::from(8u64), ..s }.message());
        assert_ne!(state_tag(), Fr::from(0u64));
    }
}
