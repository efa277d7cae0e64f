//! What a verification answers: [`VerifyOutcome`] with its [`VerifyReason`], and for a valid
//! `credential_query` proof the [`CredentialFacts`] it shows the verifier.

use honestly_zk::babyjub::PointJson;
use honestly_zk::circuits::credential_query::QueryPublic;
use honestly_zk::{fr_to_decimal, Fr};
use serde::Serialize;

use crate::credentials::Country;

crate::text_enum! {
    /// Why a verification did not pass.
    pub enum VerifyReason {
        /// The proof does not verify under the circuit's key.
        InvalidProof => "invalid_proof",
        /// The proof or signals are not well-formed.
        Malformed => "malformed",
        /// The nullifier was consumed before.
        NullifierUsed => "nullifier_used",
        /// A valid proof that does not meet the expectations.
        ExpectationFailed => "expectation_failed",
        /// A valid proof whose reference time is too old or in the future.
        StaleProof => "stale_proof",
        /// No circuit of that name.
        UnknownCircuit => "unknown_circuit",
        /// A valid credential proof from an issuer the verifier does not trust.
        UntrustedIssuer => "untrusted_issuer",
        /// A valid credential proof whose issuer's revocation state is missing, not signed by
        /// the issuer, of another root than the proof's (revoked since) or too old.
        RevocationState => "revocation_state",
    }
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
    /// The expectation a valid proof failed (`min_age`, `scope`, `reference_date`,
    /// `trusted_issuers`, `revocation_state`, …), when the check names one.
    pub failed_expectation: Option<&'static str>,
    /// Why, in words (for `revocation_state`: missing, not signed by the issuer, another root
    /// than the proof's, or too old). Boxed, like `credential`, to keep outcomes small.
    pub failure_detail: Option<Box<str>>,
    /// What a valid credential proof shows the verifier (issuer key, disclosed values).
    pub credential: Option<Box<CredentialFacts>>,
}

impl VerifyOutcome {
    /// A failed outcome with no signals.
    pub fn fail(reason: VerifyReason) -> Self {
        Self {
            verified: false,
            reason: Some(reason),
            signals: Vec::new(),
            signal_names: Vec::new(),
            nullifier: None,
            failed_expectation: None,
            failure_detail: None,
            credential: None,
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

/// What a valid `credential_query` proof shows a verifier, whether or not it met the
/// expectations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CredentialFacts {
    /// The issuer's public key `{x, y}` (decimal, circomlib coordinates).
    pub issuer: PointJson,
    /// The revocation root the proof was made against (decimal).
    pub revocation_root: String,
    /// The day the statement is about (YYYYMMDD).
    pub reference_date: u64,
    /// The disclosed nationality as an ISO 3166-1 alpha-3 code (the three-digit numeric code
    /// when it is no current ISO code); `None` when not disclosed or not stated.
    pub disclosed_nationality: Option<String>,
    /// The nullifier: the same for the same holder and scope (decimal).
    pub nullifier: String,
}

impl CredentialFacts {
    /// The facts of a proof's public signals.
    pub fn of(public: &QueryPublic) -> Self {
        let disclosed = public.disclose_nationality && public.disclosed_nationality != 0;
        Self {
            issuer: PointJson { x: fr_to_decimal(&public.issuer.0), y: fr_to_decimal(&public.issuer.1) },
            revocation_root: fr_to_decimal(&public.revocation_root),
            reference_date: public.reference_date,
            disclosed_nationality: disclosed.then(|| alpha3_or_numeric(public.disclosed_nationality)),
            nullifier: fr_to_decimal(&public.nullifier),
        }
    }
}

fn alpha3_or_numeric(code: u64) -> String {
    match Country::from_numeric(code).ok().and_then(Country::entry) {
        Some(entry) => entry.alpha3.to_owned(),
        None => format!("{code:03}"),
    }
}
