//! [`Verifier`]: the one way anything in Honestly verifies a proof — the public `/zkp/verify`,
//! share links, and signed agents. It owns what verification needs: the prepared keys, the
//! registry (authenticity roots) and the nullifier store.
//!
//! A check alone never touches nullifiers. Settling a submission also decides its nullifier:
//! a verified proof's nullifier is consumed atomically in the store (by default) or only looked
//! up, so a second verification of the same proof reports `nullifier_used` on every replica
//! and after restarts.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::credential_verify::{IssuerDirectory, NoIssuers};
use super::service::ZkService;
use super::verify::{
    coverage, verify, verify_batch, Coverage, Expected, VerifyInput, VerifyOutcome, VerifyReason,
};
use crate::clock::Timestamp;
use crate::cpu::CpuBusy;
use crate::error::FieldErrors;
use crate::registry::Registry;
use crate::store::{NullifierKey, Store, StoreError};

/// What settling a verified proof does with its nullifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NullifierUse {
    /// Consume it: the first verification passes, every later one is `nullifier_used`.
    Consume,
    /// Only look it up: a nullifier consumed before makes the proof `nullifier_used`.
    LookUp,
}

/// A proof submitted for verification, with what to do about its nullifier.
#[derive(Debug, Clone, Copy)]
pub struct Submission<'a> {
    /// The proof and the verifier's expectations.
    pub input: VerifyInput<'a>,
    /// Consume or only look up its nullifier.
    pub nullifier: NullifierUse,
}

/// Why a settlement could not be answered (a proof that does not verify is an outcome, not
/// an error).
#[derive(Debug, thiserror::Error)]
pub enum VerifierError {
    /// The CPU pool is saturated.
    #[error(transparent)]
    Busy(#[from] CpuBusy),
    /// The nullifier store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Verifies proofs.
pub struct Verifier {
    zk: Arc<ZkService>,
    registry: Arc<Registry>,
    nullifiers: Arc<dyn Store>,
    issuers: Arc<dyn IssuerDirectory>,
}

fn unix(now: Timestamp) -> u64 {
    u64::try_from(now.unix()).unwrap_or(0)
}

impl Verifier {
    /// A verifier over the keys, the registry and the store that keeps nullifiers.
    pub fn new(zk: Arc<ZkService>, registry: Arc<Registry>, nullifiers: Arc<dyn Store>) -> Self {
        Self { zk, registry, nullifiers, issuers: Arc::new(NoIssuers) }
    }

    /// This verifier, resolving issuers (ids in `trusted_issuers`, current revocation states)
    /// through `issuers`.
    pub fn with_issuers(mut self, issuers: Arc<dyn IssuerDirectory>) -> Self {
        self.issuers = issuers;
        self
    }

    /// Whether every verification key is loaded.
    pub fn is_ready(&self) -> bool {
        self.zk.is_ready()
    }

    /// SHA-256 of the verification key of `proof_type`, if the circuit is known.
    pub fn vk_sha256(&self, proof_type: &str) -> Option<String> {
        self.zk.circuit(proof_type).map(|c| c.info.vk_sha256.clone())
    }

    /// Which of the expectations a proof type can check `expected` covers; `Err` names each
    /// expectation the proof type cannot check (`{prefix}{name}`, e.g. `expected.min_age`),
    /// which callers answer with a 400 before verifying. An unknown proof type covers
    /// nothing (its verification answers `unknown_circuit`).
    pub fn coverage(
        &self,
        proof_type: &str,
        expected: &Expected,
        prefix: &str,
    ) -> Result<Coverage, FieldErrors> {
        match self.zk.circuit(proof_type) {
            Some(circuit) => coverage(&circuit.info, expected, prefix),
            None => Ok(Coverage::default()),
        }
    }

    /// Checks one proof against its expectations at `now`; its nullifier is not touched.
    pub async fn check(&self, input: VerifyInput<'_>, now: Timestamp) -> Result<VerifyOutcome, CpuBusy> {
        verify(&self.zk, &self.registry, self.issuers.as_ref(), &input, unix(now)).await
    }

    /// Checks one proof and settles its nullifier for `consumer` (an audit actor).
    pub async fn settle_one(
        &self,
        submission: Submission<'_>,
        consumer: &str,
        now: Timestamp,
    ) -> Result<VerifyOutcome, VerifierError> {
        let mut outcome = self.check(submission.input, now).await?;
        self.settle_nullifiers(&[submission], std::slice::from_mut(&mut outcome), consumer).await?;
        Ok(outcome)
    }

    /// Checks many proofs in one batched pairing check (random linear combination, see
    /// `honestly_zk::batch`) and settles their nullifiers in order, so a nullifier repeated
    /// within the batch counts once. Outcome `i` is what [`Verifier::settle_one`] would say
    /// about submission `i` after the ones before it.
    pub async fn settle_many(
        &self,
        submissions: &[Submission<'_>],
        consumer: &str,
        now: Timestamp,
    ) -> Result<Vec<VerifyOutcome>, VerifierError> {
        let inputs: Vec<VerifyInput<'_>> = submissions.iter().map(|s| s.input).collect();
        let mut outcomes =
            verify_batch(&self.zk, &self.registry, self.issuers.as_ref(), &inputs, unix(now)).await?;
        self.settle_nullifiers(submissions, &mut outcomes, consumer).await?;
        Ok(outcomes)
    }

    /// Consumes (or looks up) the nullifier of each verified outcome, in order; a nullifier
    /// consumed before turns its outcome into `nullifier_used`. The nullifiers only looked up
    /// are read in one store call, as they stood before the submissions, and one consumed by
    /// an earlier submission counts as used — the answers of handling them one by one.
    async fn settle_nullifiers(
        &self,
        submissions: &[Submission<'_>],
        outcomes: &mut [VerifyOutcome],
        consumer: &str,
    ) -> Result<(), StoreError> {
        let keys: Vec<Option<NullifierKey>> = submissions
            .iter()
            .zip(outcomes.iter())
            .map(|(submission, outcome)| {
                let nullifier = outcome.nullifier.clone().filter(|_| outcome.verified)?;
                Some(NullifierKey { proof_type: submission.input.proof_type.to_string(), nullifier })
            })
            .collect();
        let (looked_up, lookups): (Vec<usize>, Vec<NullifierKey>) = keys
            .iter()
            .enumerate()
            .filter(|(i, _)| submissions[*i].nullifier == NullifierUse::LookUp)
            .filter_map(|(i, key)| Some((i, key.clone()?)))
            .unzip();
        let found = if lookups.is_empty() {
            Vec::new()
        } else {
            self.nullifiers.nullifiers_consumed(&lookups).await?
        };
        let used_before: HashMap<usize, bool> = looked_up.into_iter().zip(found).collect();
        let mut consumed_here = HashSet::new();
        for (i, key) in keys.into_iter().enumerate() {
            let Some(key) = key else { continue };
            let fresh = match submissions[i].nullifier {
                NullifierUse::Consume => {
                    let fresh = self.nullifiers.consume_nullifier(&key, consumer).await?;
                    if fresh {
                        consumed_here.insert(key);
                    }
                    fresh
                }
                NullifierUse::LookUp => {
                    !used_before.get(&i).copied().unwrap_or(false) && !consumed_here.contains(&key)
                }
            };
            if !fresh {
                outcomes[i].verified = false;
                outcomes[i].reason = Some(VerifyReason::NullifierUsed);
            }
        }
        Ok(())
    }
}
