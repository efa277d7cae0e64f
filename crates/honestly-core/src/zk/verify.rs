//! Verifying a proof someone hands us: strict parsing, the prepared key, then the verifier's
//! expectations — each failure with a typed reason (`malformed`, `invalid_proof`,
//! `expectation_failed`, `stale_proof`, `unknown_circuit`; `nullifier_used` is decided by the
//! store when a verification consumes a nullifier).

use std::sync::Arc;

use honestly_zk::expect::{self, AgeExpectations, AuthenticityExpectations, ExpectationFailure};
use honestly_zk::snarkjs::{proof_from_value, public_signals_from_value};
use honestly_zk::{fr_from_decimal, fr_to_decimal, AgePublic, AuthenticityPublic, CircuitId, Fr};
use serde::{Deserialize, Serialize};

use super::service::ZkService;
use crate::registry::Registry;

/// Why a verification did not pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerifyReason {
    /// The proof does not verify under the circuit's key.
    InvalidProof,
    /// The proof or signals are not well-formed.
    Malformed,
    /// The nullifier was consumed before.
    NullifierUsed,
    /// A valid proof that does not meet the expectations.
    ExpectationFailed,
    /// A valid proof whose reference time is too old or in the future.
    StaleProof,
    /// No circuit of that name.
    UnknownCircuit,
}

impl VerifyReason {
    /// The reason's wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            VerifyReason::InvalidProof => "invalid_proof",
            VerifyReason::Malformed => "malformed",
            VerifyReason::NullifierUsed => "nullifier_used",
            VerifyReason::ExpectationFailed => "expectation_failed",
            VerifyReason::StaleProof => "stale_proof",
            VerifyReason::UnknownCircuit => "unknown_circuit",
        }
    }
}

/// What a verifier asks of a proof beyond validity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// The proof's `minAge` must be at least this (age proofs).
    pub min_age: Option<u64>,
    /// The proof must be about the document with this hex SHA-256.
    pub document_sha256: Option<String>,
    /// The proof's reference time must be at most this many seconds old (age proofs).
    pub max_proof_age_seconds: Option<u64>,
    /// The proof's registry root must be exactly this (authenticity proofs, decimal).
    pub registry_root: Option<String>,
}

/// The result of a verification.
#[derive(Debug, Clone)]
pub struct VerifyOutcome {
    /// Whether the proof is valid and meets the expectations.
    pub verified: bool,
    /// Why not.
    pub reason: Option<VerifyReason>,
    /// The parsed public signals (empty when malformed).
    pub signals: Vec<Fr>,
    /// The circuit's signal names.
    pub signal_names: Vec<String>,
    /// The nullifier signal, when the circuit has one.
    pub nullifier: Option<String>,
}

impl VerifyOutcome {
    fn fail(reason: VerifyReason) -> Self {
        Self {
            verified: false,
            reason: Some(reason),
            signals: Vec::new(),
            signal_names: Vec::new(),
            nullifier: None,
        }
    }

    /// `{name: decimal}` for each public signal.
    pub fn public_inputs(&self) -> serde_json::Map<String, serde_json::Value> {
        self.signal_names
            .iter()
            .zip(&self.signals)
            .map(|(n, v)| (n.clone(), serde_json::Value::String(fr_to_decimal(v))))
            .collect()
    }
}

fn sha256_bytes(hex_digest: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(hex_digest.trim()).ok()?;
    bytes.try_into().ok()
}

fn classify(failure: ExpectationFailure) -> VerifyReason {
    match failure {
        ExpectationFailure::ProofTooOld { .. } | ExpectationFailure::FromTheFuture { .. } => {
            VerifyReason::StaleProof
        }
        _ => VerifyReason::ExpectationFailed,
    }
}

/// Verifies `proof` + `public_signals` (snarkjs JSON values) as `proof_type`, then checks
/// `expected` at time `now`. CPU work runs on the service's bounded pool.
pub async fn verify(
    zk: &ZkService,
    registry: &Registry,
    proof_type: &str,
    proof: &serde_json::Value,
    public_signals: &serde_json::Value,
    expected: &Expected,
    now: u64,
) -> Result<VerifyOutcome, crate::cpu::CpuBusy> {
    let Some(circuit) = zk.circuit(proof_type) else {
        return Ok(VerifyOutcome::fail(VerifyReason::UnknownCircuit));
    };
    let (Ok(parsed_proof), Ok(signals)) =
        (proof_from_value(proof), public_signals_from_value(public_signals))
    else {
        return Ok(VerifyOutcome::fail(VerifyReason::Malformed));
    };
    if signals.len() != circuit.info.n_public {
        return Ok(VerifyOutcome::fail(VerifyReason::Malformed));
    }
    let digest = match expected.document_sha256.as_deref().map(sha256_bytes) {
        Some(None) => return Ok(VerifyOutcome::fail(VerifyReason::Malformed)),
        Some(Some(d)) => Some(d),
        None => None,
    };
    let asked_root = match expected.registry_root.as_deref().map(fr_from_decimal) {
        Some(Err(_)) => return Ok(VerifyOutcome::fail(VerifyReason::Malformed)),
        Some(Ok(r)) => Some(r),
        None => None,
    };
    let key_circuit = Arc::clone(&circuit);
    let checked = signals.clone();
    let valid = zk.cpu().run(move || key_circuit.key.verify(&parsed_proof, &checked)).await?;
    let mut outcome = VerifyOutcome {
        verified: false,
        reason: None,
        nullifier: circuit.info.nullifier_signal.and_then(|i| signals.get(i)).map(fr_to_decimal),
        signals,
        signal_names: circuit.info.public_signals.clone(),
    };
    match valid {
        Ok(true) => {}
        Ok(false) => {
            outcome.reason = Some(VerifyReason::InvalidProof);
            return Ok(outcome);
        }
        Err(_) => {
            outcome.reason = Some(VerifyReason::Malformed);
            return Ok(outcome);
        }
    }
    let checked = match CircuitId::from_name(&circuit.info.name).filter(|_| !circuit.info.external) {
        Some(CircuitId::Age) => match AgePublic::from_signals(&outcome.signals) {
            Ok(public) => {
                let exp = AgeExpectations {
                    min_age: expected.min_age,
                    document_sha256: digest,
                    max_proof_age_seconds: expected.max_proof_age_seconds,
                };
                expect::check_age(&public, &exp, now).map_err(classify)
            }
            Err(_) => Err(VerifyReason::Malformed),
        },
        Some(CircuitId::Authenticity) => match AuthenticityPublic::from_signals(&outcome.signals) {
            Ok(public) => {
                let known = registry.epoch_of_root(&public.root).await.is_some_and(|e| e == public.epoch);
                let exp = AuthenticityExpectations { document_sha256: digest, registry_root: asked_root };
                expect::check_authenticity(&public, &exp, |_| known).map_err(classify)
            }
            Err(_) => Err(VerifyReason::Malformed),
        },
        None => {
            if expected == &Expected::default() {
                Ok(())
            } else {
                Err(VerifyReason::ExpectationFailed)
            }
        }
    };
    match checked {
        Ok(()) => outcome.verified = true,
        Err(reason) => outcome.reason = Some(reason),
    }
    Ok(outcome)
}
