//! Verifying a proof someone hands us: strict parsing, the prepared key, then the verifier's
//! expectations — each failure with a typed reason (`malformed`, `invalid_proof`,
//! `expectation_failed`, `stale_proof`, `unknown_circuit`, and for `credential_query`
//! `untrusted_issuer` and `revocation_state`; `nullifier_used` is decided by the store when a
//! verification consumes a nullifier).

use honestly_zk::expect::{self, AgeExpectations, AuthenticityExpectations, ExpectationFailure};
use honestly_zk::{
    fr_from_decimal, fr_to_decimal, AgePublic, AgeV2Public, AuthenticityPublic, CircuitId, ParseError,
};

use super::circuit::CircuitInfo;
use super::credential_expected::read_credential_ask;
use super::credential_verify::{finish_credential_query, IssuerDirectory};
pub use super::expected::{Expected, EXPECTATIONS};
pub use super::outcome::{VerifyOutcome, VerifyReason};
use super::pairing::{check_all, sha256_bytes, OwnedInput, Prepared};
use super::service::ZkService;
pub use super::verify_input::VerifyInput;
use crate::error::FieldErrors;
use crate::registry::Registry;

/// The expectations a proof type can check: an `age_proof` or `age_proof_v2` its age
/// threshold, document and freshness; an `authenticity_proof` its document and registry root;
/// a `credential_query` proof [`CREDENTIAL_QUERY_EXPECTATIONS`]; an external circuit
/// none (its public signals have no meaning Honestly knows).
pub fn checkable(circuit: &CircuitInfo) -> &'static [&'static str] {
    match CircuitId::from_name(&circuit.name).filter(|_| !circuit.external) {
        Some(CircuitId::Age | CircuitId::AgeV2) => &["min_age", "document_sha256", "max_proof_age_seconds"],
        Some(CircuitId::Authenticity) => &["document_sha256", "registry_root"],
        Some(CircuitId::CredentialQuery) => CREDENTIAL_QUERY_EXPECTATIONS,
        None => &[],
    }
}

/// The expectations a `credential_query` proof can check (what [`checkable`] answers for
/// it). `min_age` is the age proofs' member, read as the proof's `minAge`.
pub const CREDENTIAL_QUERY_EXPECTATIONS: &[&str] = &[
    "trusted_issuers",
    "min_age",
    "not_expired",
    "nationality_in",
    "nationality_not_in",
    "disclose",
    "scope",
    "nonce",
    "reference_date_tolerance_days",
    "revocation_state",
    "max_revocation_age_seconds",
];

/// Expectations that are checked with a default when not given (a reference date within one
/// day, the issuer's current revocation state at most an hour old), so they are never
/// reported `unchecked`.
pub const CHECKED_BY_DEFAULT: &[&str] =
    &["reference_date_tolerance_days", "revocation_state", "max_revocation_age_seconds"];

/// What a verification covers of the expectations a proof type can check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Given, and checked when the proof is valid.
    pub checked: Vec<&'static str>,
    /// Checkable but not given: a `verified: true` says nothing about them (an age proof
    /// verified without `min_age` may show any age).
    pub unchecked: Vec<&'static str>,
}

/// Splits the expectations for `circuit`. One rule everywhere: an expectation the proof type
/// cannot check is refused (not ignored), each named `{prefix}{name}` in the errors.
pub fn coverage(circuit: &CircuitInfo, expected: &Expected, prefix: &str) -> Result<Coverage, FieldErrors> {
    coverage_of(&circuit.name, checkable(circuit), expected, prefix)
}

/// [`coverage`] for a proof type named `proof_type` that can check `can`.
pub(crate) fn coverage_of(
    proof_type: &str,
    can: &[&'static str],
    expected: &Expected,
    prefix: &str,
) -> Result<Coverage, FieldErrors> {
    let given = expected.given();
    let mut refused = FieldErrors::new();
    // Malformed credential expectations first, so that "this proof type cannot check it"
    // replaces a value's reason for the same field.
    if let Err(malformed) = read_credential_ask(expected, prefix) {
        for (field, reason) in malformed.into_map() {
            refused.add(field, reason);
        }
    }
    for name in given.iter().filter(|name| !can.contains(name)) {
        let reason = if can.is_empty() {
            format!("{proof_type} proofs take no expectations: their public signals have no known meaning")
        } else {
            format!("{proof_type} proofs cannot be checked for {name}; they take {}", can.join(", "))
        };
        refused.add(format!("{prefix}{name}"), reason);
    }
    // An expectation that cannot mean anything is the verifier's mistake, not the proof's.
    if expected.document_sha256.as_deref().is_some_and(|d| sha256_bytes(d).is_none()) {
        refused.add(format!("{prefix}document_sha256"), "must be a SHA-256 in 64 hexadecimal characters");
    }
    if expected.registry_root.as_deref().is_some_and(|r| fr_from_decimal(r).is_err()) {
        refused.add(
            format!("{prefix}registry_root"),
            "must be a registry root: a decimal number below the field's modulus",
        );
    }
    refused.into_result()?;
    let unchecked = can
        .iter()
        .copied()
        .filter(|name| !given.contains(name) && !CHECKED_BY_DEFAULT.contains(name))
        .collect();
    Ok(Coverage { checked: given, unchecked })
}

fn classify(failure: ExpectationFailure) -> VerifyReason {
    match failure {
        ExpectationFailure::ProofTooOld { .. } | ExpectationFailure::FromTheFuture { .. } => {
            VerifyReason::StaleProof
        }
        // The built-in circuit refuses leaf 0, so no valid proof under its keys has one.
        ExpectationFailure::EmptyLeaf => VerifyReason::InvalidProof,
        _ => VerifyReason::ExpectationFailed,
    }
}

/// Turns the pairing check's answer into the outcome, checking the expectations of a valid
/// proof at time `now`.
async fn finish(
    prepared: Prepared,
    valid: Result<bool, ParseError>,
    expected: &Expected,
    registry: &Registry,
    issuers: &dyn IssuerDirectory,
    now: u64,
) -> VerifyOutcome {
    let Prepared { circuit, signals, digest, asked_root, .. } = prepared;
    let mut outcome = VerifyOutcome {
        verified: false,
        reason: None,
        nullifier: circuit.info.nullifier_signal.and_then(|i| signals.get(i)).map(fr_to_decimal),
        signals,
        signal_names: circuit.info.public_signals.clone(),
        failed_expectation: None,
        failure_detail: None,
        credential: None,
    };
    match valid {
        Ok(true) => {}
        Ok(false) => {
            outcome.reason = Some(VerifyReason::InvalidProof);
            return outcome;
        }
        Err(_) => {
            outcome.reason = Some(VerifyReason::Malformed);
            return outcome;
        }
    }
    // Callers refuse expectations the proof type cannot check before verifying
    // ([`coverage`]); should one get here anyway, it fails rather than being ignored.
    if coverage(&circuit.info, expected, "").is_err() {
        outcome.reason = Some(VerifyReason::ExpectationFailed);
        return outcome;
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
        Some(CircuitId::AgeV2) => match AgeV2Public::from_signals(&outcome.signals) {
            Ok(public) => {
                let exp = AgeExpectations {
                    min_age: expected.min_age,
                    document_sha256: digest,
                    max_proof_age_seconds: expected.max_proof_age_seconds,
                };
                expect::check_age_v2(&public, &exp, now).map_err(classify)
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
        Some(CircuitId::CredentialQuery) => {
            finish_credential_query(&mut outcome, expected, issuers, now).await
        }
        // External circuits take no expectations (refused above).
        None => Ok(()),
    };
    match checked {
        Ok(()) => outcome.verified = true,
        Err(reason) => outcome.reason = Some(reason),
    }
    outcome
}

/// Verifies `input` (snarkjs JSON values), then checks its expectations at time `now` (Unix
/// seconds). The parsing and the pairing check run on the service's bounded pool: at once
/// when it has a free place, else batched with other requests' proofs of the same key
/// ([`super::batcher`]); the answer is the same either way.
pub(crate) async fn verify(
    zk: &ZkService,
    registry: &Registry,
    issuers: &dyn IssuerDirectory,
    input: &VerifyInput<'_>,
    now: u64,
) -> Result<VerifyOutcome, crate::cpu::CpuBusy> {
    let expected = input.expected;
    let input = OwnedInput::new(zk.circuit(input.proof_type), input);
    // Proofs batch with proofs of the same prepared key (an unknown circuit answers at once).
    let key = input.batch_key();
    let checked = zk.pairings().run(key, input).await?;
    Ok(match checked {
        Ok((prepared, valid)) => finish(prepared, valid, expected, registry, issuers, now).await,
        Err(outcome) => outcome,
    })
}

/// Verifies many proofs at once: one batched pairing check per circuit (random linear
/// combination, see `honestly_zk::batch`), then each proof's expectations. Result `i` is what
/// [`verify`] would say about input `i`.
pub(crate) async fn verify_batch(
    zk: &ZkService,
    registry: &Registry,
    issuers: &dyn IssuerDirectory,
    inputs: &[VerifyInput<'_>],
    now: u64,
) -> Result<Vec<VerifyOutcome>, crate::cpu::CpuBusy> {
    let owned: Vec<OwnedInput> =
        inputs.iter().map(|input| OwnedInput::new(zk.circuit(input.proof_type), input)).collect();
    let (prepared, report) = zk.cpu().run(move || check_all(owned)).await?;
    let mut valid = report.results.into_iter();
    let mut outcomes = Vec::with_capacity(inputs.len());
    for (input, prepared) in inputs.iter().zip(prepared) {
        outcomes.push(match prepared {
            Ok(prepared) => {
                let valid = valid.next().unwrap_or(Ok(false));
                finish(prepared, valid, input.expected, registry, issuers, now).await
            }
            Err(outcome) => outcome,
        });
    }
    Ok(outcomes)
}
