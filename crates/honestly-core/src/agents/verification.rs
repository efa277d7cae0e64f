//! Proof verification for agents: the two request forms (`proof` + `public_signals`, or the
//! original system's `proof_data` string) and batches, handed to the [`Verifier`], which
//! consumes a valid proof's nullifier (by default) so a second verification of the same proof
//! reports `nullifier_used` on every replica and after restarts.

use serde::Deserialize;
use serde_json::Value;

use crate::audit::Actor;
use crate::clock::Timestamp;
use crate::cpu::CpuBusy;
use crate::error::FieldErrors;
use crate::store::StoreError;
use crate::zk::{
    Expected, NullifierUse, Submission, Verifier, VerifierError, VerifyInput, VerifyOutcome, VerifyReason,
};

/// Largest batch.
pub const MAX_BATCH: usize = 100;

/// One proof as an agent sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofParams {
    /// A circuit name.
    pub proof_type: String,
    /// snarkjs proof JSON (with `public_signals`).
    #[serde(default)]
    pub proof: Option<Value>,
    /// snarkjs public signals (with `proof`).
    #[serde(default)]
    pub public_signals: Option<Value>,
    /// A JSON string holding `{proof, publicSignals}` (instead of the two above).
    #[serde(default)]
    pub proof_data: Option<String>,
    /// Checks beyond validity.
    #[serde(default)]
    pub expected: Option<Expected>,
    /// Whether a valid proof's nullifier is consumed (default true).
    #[serde(default = "consume_by_default")]
    pub consume_nullifier: bool,
}

fn consume_by_default() -> bool {
    true
}

/// Why an agent's verification could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum AgentVerifyError {
    /// The request is malformed: field → reason.
    #[error(transparent)]
    Validation(#[from] FieldErrors),
    /// The CPU pool is saturated.
    #[error(transparent)]
    Busy(#[from] CpuBusy),
    /// The nullifier store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<VerifierError> for AgentVerifyError {
    fn from(e: VerifierError) -> Self {
        match e {
            VerifierError::Busy(busy) => AgentVerifyError::Busy(busy),
            VerifierError::Store(store) => AgentVerifyError::Store(store),
        }
    }
}

impl ProofParams {
    /// The proof and signals to check: `Err` (a request error) when neither or both forms
    /// are given, `Ok(None)` when `proof_data` does not hold a proof (a `malformed` proof).
    fn resolve(&self) -> Result<Option<(Value, Value)>, &'static str> {
        match (&self.proof, &self.public_signals, &self.proof_data) {
            (Some(proof), Some(signals), None) => Ok(Some((proof.clone(), signals.clone()))),
            (None, None, Some(data)) => Ok(from_proof_data(data)),
            _ => Err("send either proof and public_signals, or proof_data"),
        }
    }

    fn nullifier_use(&self) -> NullifierUse {
        if self.consume_nullifier {
            NullifierUse::Consume
        } else {
            NullifierUse::LookUp
        }
    }
}

/// `{proof, publicSignals}` (or `public_signals`) from the `proof_data` string.
fn from_proof_data(data: &str) -> Option<(Value, Value)> {
    let Value::Object(mut members) = serde_json::from_str::<Value>(data).ok()? else {
        return None;
    };
    let proof = members.remove("proof")?;
    let signals = members.remove("publicSignals").or_else(|| members.remove("public_signals"))?;
    Some((proof, signals))
}

/// Verifies one proof for agent `consumer` at `now`.
pub async fn verify_for_agent(
    verifier: &Verifier,
    params: &ProofParams,
    consumer: &Actor,
    now: Timestamp,
) -> Result<VerifyOutcome, AgentVerifyError> {
    let resolved = params.resolve().map_err(|reason| FieldErrors::one("proof", reason))?;
    let Some((proof, public_signals)) = resolved else {
        return Ok(VerifyOutcome::fail(VerifyReason::Malformed));
    };
    let expected = params.expected.clone().unwrap_or_default();
    verifier.coverage(&params.proof_type, &expected, "expected.")?;
    let input = VerifyInput {
        proof_type: &params.proof_type,
        proof: &proof,
        public_signals: &public_signals,
        expected: &expected,
    };
    let submission = Submission { input, nullifier: params.nullifier_use() };
    Ok(verifier.settle_one(submission, &consumer.to_string(), now).await?)
}

/// Verifies 1–[`MAX_BATCH`] proofs in one batched check; outcome `i` belongs to `items[i]`.
/// Nullifiers are settled in order, so a nullifier repeated within the batch counts once.
pub async fn verify_many_for_agent(
    verifier: &Verifier,
    items: &[ProofParams],
    consumer: &Actor,
    now: Timestamp,
) -> Result<Vec<VerifyOutcome>, AgentVerifyError> {
    if items.is_empty() || items.len() > MAX_BATCH {
        return Err(FieldErrors::one("proofs", "1-100 proofs").into());
    }
    let mut resolved = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        resolved.push(item.resolve().map_err(|reason| FieldErrors::one(format!("proofs[{i}]"), reason))?);
    }
    let expected: Vec<Expected> = items.iter().map(|i| i.expected.clone().unwrap_or_default()).collect();
    let mut refused = FieldErrors::new();
    for (i, (item, expected)) in items.iter().zip(&expected).enumerate() {
        if let Err(fields) = verifier.coverage(&item.proof_type, expected, &format!("proofs[{i}].expected."))
        {
            for (field, reason) in fields.into_map() {
                refused.add(field, reason);
            }
        }
    }
    refused.into_result()?;
    let mut positions = Vec::new();
    let mut submissions = Vec::new();
    for (i, pair) in resolved.iter().enumerate() {
        if let Some((proof, public_signals)) = pair {
            positions.push(i);
            let input = VerifyInput {
                proof_type: &items[i].proof_type,
                proof,
                public_signals,
                expected: &expected[i],
            };
            submissions.push(Submission { input, nullifier: items[i].nullifier_use() });
        }
    }
    let settled = verifier.settle_many(&submissions, &consumer.to_string(), now).await?;
    let mut outcomes: Vec<VerifyOutcome> =
        (0..items.len()).map(|_| VerifyOutcome::fail(VerifyReason::Malformed)).collect();
    for (i, outcome) in positions.into_iter().zip(settled) {
        outcomes[i] = outcome;
    }
    Ok(outcomes)
}
