//! Proof verification for agents: the two request forms (`proof` + `public_signals`, or the
//! original system's `proof_data` string), batches, and nullifier consumption — a valid proof's
//! nullifier is consumed atomically in the store (by default), so a second verification of
//! the same proof reports `nullifier_used` on every replica and after restarts.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;
use serde_json::Value;

use crate::cpu::CpuBusy;
use crate::registry::Registry;
use crate::store::{NullifierKey, NullifierStore, StoreError};
use crate::zk::verify::{verify, verify_batch, Expected, VerifyInput, VerifyOutcome, VerifyReason};
use crate::zk::ZkService;

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
    #[error("validation failed")]
    Validation(BTreeMap<String, String>),
    /// The CPU pool is saturated.
    #[error("busy")]
    Busy,
    /// The nullifier store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<CpuBusy> for AgentVerifyError {
    fn from(_: CpuBusy) -> Self {
        AgentVerifyError::Busy
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

fn field_error(field: String, reason: &str) -> AgentVerifyError {
    AgentVerifyError::Validation(BTreeMap::from([(field, reason.to_string())]))
}

/// Verifies one proof for agent `consumer` at `now` (Unix seconds).
pub async fn verify_for_agent(
    zk: &ZkService,
    registry: &Registry,
    store: &dyn NullifierStore,
    params: &ProofParams,
    consumer: &str,
    now: u64,
) -> Result<VerifyOutcome, AgentVerifyError> {
    let resolved = params.resolve().map_err(|reason| field_error("proof".into(), reason))?;
    let Some((proof, signals)) = resolved else {
        return Ok(VerifyOutcome::fail(VerifyReason::Malformed));
    };
    let expected = params.expected.clone().unwrap_or_default();
    let mut outcome = verify(zk, registry, &params.proof_type, &proof, &signals, &expected, now).await?;
    apply_nullifiers(store, std::slice::from_ref(params), std::slice::from_mut(&mut outcome), consumer)
        .await?;
    Ok(outcome)
}

/// Verifies 1–[`MAX_BATCH`] proofs in one batched check; outcome `i` belongs to `items[i]`.
/// Nullifiers are consumed in order, so a nullifier repeated within the batch counts once.
pub async fn verify_many_for_agent(
    zk: &ZkService,
    registry: &Registry,
    store: &dyn NullifierStore,
    items: &[ProofParams],
    consumer: &str,
    now: u64,
) -> Result<Vec<VerifyOutcome>, AgentVerifyError> {
    if items.is_empty() || items.len() > MAX_BATCH {
        return Err(field_error("proofs".into(), "1-100 proofs"));
    }
    let mut resolved = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        resolved.push(item.resolve().map_err(|reason| field_error(format!("proofs[{i}]"), reason))?);
    }
    let expected: Vec<Expected> = items.iter().map(|i| i.expected.clone().unwrap_or_default()).collect();
    let mut positions = Vec::new();
    let mut inputs = Vec::new();
    for (i, pair) in resolved.iter().enumerate() {
        if let Some((proof, public_signals)) = pair {
            positions.push(i);
            inputs.push(VerifyInput {
                proof_type: &items[i].proof_type,
                proof,
                public_signals,
                expected: &expected[i],
            });
        }
    }
    let checked = verify_batch(zk, registry, &inputs, now).await?;
    let mut outcomes: Vec<VerifyOutcome> =
        (0..items.len()).map(|_| VerifyOutcome::fail(VerifyReason::Malformed)).collect();
    for (i, outcome) in positions.into_iter().zip(checked) {
        outcomes[i] = outcome;
    }
    apply_nullifiers(store, items, &mut outcomes, consumer).await?;
    Ok(outcomes)
}

/// Consumes (or, when an item says not to, looks up) the nullifier of each verified outcome,
/// in order; a nullifier consumed before turns its outcome into `nullifier_used`. The
/// nullifiers only looked up are read in one store call, as they stood before the items, and
/// one consumed by an earlier item counts as used — the answers of handling the items one by
/// one.
async fn apply_nullifiers(
    store: &dyn NullifierStore,
    items: &[ProofParams],
    outcomes: &mut [VerifyOutcome],
    consumer: &str,
) -> Result<(), StoreError> {
    let keys: Vec<Option<NullifierKey>> = items
        .iter()
        .zip(outcomes.iter())
        .map(|(item, outcome)| {
            let nullifier = outcome.nullifier.clone().filter(|_| outcome.verified)?;
            Some(NullifierKey { proof_type: item.proof_type.clone(), nullifier })
        })
        .collect();
    let (looked_up, lookups): (Vec<usize>, Vec<NullifierKey>) = keys
        .iter()
        .enumerate()
        .filter(|(i, _)| !items[*i].consume_nullifier)
        .filter_map(|(i, key)| Some((i, key.clone()?)))
        .unzip();
    let found = if lookups.is_empty() { Vec::new() } else { store.nullifiers_consumed(&lookups).await? };
    let used_before: HashMap<usize, bool> = looked_up.into_iter().zip(found).collect();
    let mut consumed_here = HashSet::new();
    for (i, key) in keys.into_iter().enumerate() {
        let Some(key) = key else { continue };
        let fresh = if items[i].consume_nullifier {
            let fresh = store.consume_nullifier(&key.proof_type, &key.nullifier, consumer).await?;
            if fresh {
                consumed_here.insert(key);
            }
            fresh
        } else {
            !used_before.get(&i).copied().unwrap_or(false) && !consumed_here.contains(&key)
        };
        if !fresh {
            mark_used(&mut outcomes[i]);
        }
    }
    Ok(())
}

fn mark_used(outcome: &mut VerifyOutcome) {
    outcome.verified = false;
    outcome.reason = Some(VerifyReason::NullifierUsed);
}
