//! The pairing stage of a verification: a proof parsed against its circuit's prepared key and
//! its pairing check, alone or in a batch with other requests' proofs (the batcher of single
//! verifications). What the proof must show beyond validity is checked afterwards, per request
//! (`super::verify`).

use std::sync::Arc;

use honestly_zk::batch::{batch_verify_report, BatchItem, BatchReport};
use honestly_zk::snarkjs::{proof_from_value, public_signals_from_value};
use honestly_zk::{fr_from_decimal, Fr, ParseError, Proof};
use rayon::prelude::*;

use super::batcher::{BatchRun, BatchSettings, MicroBatcher};
use super::circuit::LoadedCircuit;
use super::expected::Expected;
use super::outcome::{VerifyOutcome, VerifyReason};
use super::verify_input::VerifyInput;
use crate::cpu::CpuPool;

/// The 32 bytes of a hex SHA-256 digest, if it is one.
pub(super) fn sha256_bytes(hex_digest: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(hex_digest.trim()).ok()?;
    bytes.try_into().ok()
}

/// A proof that parsed and is ready for the pairing check.
pub(crate) struct Prepared {
    pub(super) circuit: Arc<LoadedCircuit>,
    pub(super) proof: Proof,
    pub(super) signals: Vec<Fr>,
    pub(super) digest: Option<[u8; 32]>,
    pub(super) asked_root: Option<Fr>,
}

/// A proof to check, owned so that parsing (curve and subgroup checks of three points, about
/// a tenth of a pairing check) runs on the CPU pool with the pairing check, not on the async
/// runtime.
pub(crate) struct OwnedInput {
    circuit: Option<Arc<LoadedCircuit>>,
    proof: serde_json::Value,
    public_signals: serde_json::Value,
    expected: Expected,
}

impl OwnedInput {
    /// `input` with its circuit as loaded (`None`: unknown here).
    pub(super) fn new(circuit: Option<Arc<LoadedCircuit>>, input: &VerifyInput<'_>) -> Self {
        Self {
            circuit,
            proof: input.proof.clone(),
            public_signals: input.public_signals.clone(),
            expected: input.expected.clone(),
        }
    }

    /// What groups it with other proofs under the same loaded key in a batch (the key's
    /// address; 0 for an unknown circuit).
    pub(super) fn batch_key(&self) -> usize {
        self.circuit.as_ref().map_or(0, |circuit| Arc::as_ptr(circuit) as usize)
    }
}

/// Parses the input; an outcome right away when it cannot be checked at all.
pub(super) fn prepare(input: OwnedInput) -> Result<Prepared, VerifyOutcome> {
    let circuit = input.circuit.ok_or(VerifyOutcome::fail(VerifyReason::UnknownCircuit))?;
    let malformed = || VerifyOutcome::fail(VerifyReason::Malformed);
    let proof = proof_from_value(&input.proof).map_err(|_| malformed())?;
    let signals = public_signals_from_value(&input.public_signals).map_err(|_| malformed())?;
    if signals.len() != circuit.info.n_public {
        return Err(malformed());
    }
    let digest = match input.expected.document_sha256.as_deref().map(sha256_bytes) {
        Some(None) => return Err(malformed()),
        Some(Some(d)) => Some(d),
        None => None,
    };
    let asked_root = match input.expected.registry_root.as_deref().map(fr_from_decimal) {
        Some(Err(_)) => return Err(malformed()),
        Some(Ok(r)) => Some(r),
        None => None,
    };
    Ok(Prepared { circuit, proof, signals, digest, asked_root })
}

/// What the pairing stage says about one input: the parsed proof and its pairing check, or
/// an outcome right away when it could not be checked at all.
pub(crate) type Checked = Result<(Prepared, Result<bool, ParseError>), VerifyOutcome>;

/// The batcher of single verifications: only the parsing and the pairing check go through it;
/// expectations and nullifiers stay with each request.
pub(crate) type PairingBatcher = MicroBatcher<OwnedInput, Checked>;

/// Parses `input` and runs its pairing check on its own.
fn check_one(input: OwnedInput) -> Checked {
    let prepared = prepare(input)?;
    let valid = prepared.circuit.key.verify(&prepared.proof, &prepared.signals);
    Ok((prepared, valid))
}

/// Parses `inputs` in parallel across the cores, then checks those that parsed in one batch
/// (a random linear combination per key with fresh OS randomness, and a one-by-one pass for a
/// key whose combined check failed).
pub(super) fn check_all(inputs: Vec<OwnedInput>) -> (Vec<Result<Prepared, VerifyOutcome>>, BatchReport) {
    let prepared: Vec<Result<Prepared, VerifyOutcome>> = inputs.into_par_iter().map(prepare).collect();
    let items: Vec<BatchItem<'_>> = prepared
        .iter()
        .filter_map(|p| p.as_ref().ok())
        .map(|p| BatchItem { key: &p.circuit.key, proof: &p.proof, public: &p.signals })
        .collect();
    let report = batch_verify_report(&items);
    drop(items);
    (prepared, report)
}

/// [`check_all`], answer `i` for input `i`: what [`check_one`] says about it.
fn check_batch(inputs: Vec<OwnedInput>) -> BatchRun<Checked> {
    let (prepared, report) = check_all(inputs);
    let mut valid = report.results.into_iter();
    let outputs = prepared
        .into_iter()
        .map(|prepared| -> Checked {
            let prepared = prepared?;
            let valid = valid.next().unwrap_or(Ok(false));
            Ok((prepared, valid))
        })
        .collect();
    BatchRun { outputs, fallbacks: report.fallbacks as u64 }
}

/// The batcher of single verifications on `cpu`.
pub(crate) fn pairing_batcher(cpu: CpuPool, settings: BatchSettings) -> PairingBatcher {
    MicroBatcher::new(cpu, settings, check_one, check_batch)
}

#[cfg(test)]
mod batching_tests;
