//! `age_proof`: "the holder's birth timestamp, committed to together with this document, lies
//! at least `minAge` years (of 31556952 s) before `referenceTs`".

use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

use super::{check_count, small};
use crate::{error::ParseError, gadgets::enforce_range, poseidon::poseidon_gadget, Fr};

/// Length of the year used by the circuit (365.2425 days).
pub const SECONDS_PER_YEAR: u64 = 31_556_952;

/// Public signals of `age_proof`, in the circuit's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgePublic {
    /// `minAge` (< 2^8).
    pub min_age: u64,
    /// `referenceTs`, Unix seconds (< 2^64).
    pub reference_ts: u64,
    /// `documentHash = field(sha256(document))`.
    pub document_hash: Fr,
    /// `Poseidon(birthTs, salt, documentHash)`.
    pub commitment: Fr,
    /// `Poseidon(salt, documentHash, epoch)`.
    pub nullifier: Fr,
}

impl AgePublic {
    /// The public signals `[minAge, referenceTs, documentHash, commitment, nullifier]`.
    pub fn to_signals(&self) -> Vec<Fr> {
        vec![
            Fr::from(self.min_age),
            Fr::from(self.reference_ts),
            self.document_hash,
            self.commitment,
            self.nullifier,
        ]
    }

    /// Reads the signals back; refuses a wrong count or out-of-range `minAge`/`referenceTs`.
    pub fn from_signals(signals: &[Fr]) -> Result<Self, ParseError> {
        check_count(signals, 5)?;
        Ok(Self {
            min_age: small(&signals[0], 8, "minAge")?,
            reference_ts: small(&signals[1], 64, "referenceTs")?,
            document_hash: signals[2],
            commitment: signals[3],
            nullifier: signals[4],
        })
    }
}

/// The `age_proof` circuit with its full assignment (zeros for key generation).
#[derive(Debug, Clone)]
pub struct AgeCircuit {
    /// Public signals.
    pub public: [Fr; 5],
    /// Private `birthTs`.
    pub birth_ts: Fr,
    /// Private `salt`.
    pub salt: Fr,
    /// Private `epoch`.
    pub epoch: Fr,
}

impl AgeCircuit {
    /// An assignment of zeros: only the shape matters for key generation.
    pub fn blank() -> Self {
        Self {
            public: [Fr::from(0u64); 5],
            birth_ts: Fr::from(0u64),
            salt: Fr::from(0u64),
            epoch: Fr::from(0u64),
        }
    }
}

impl ConstraintSynthesizer<Fr> for AgeCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        // Public inputs first, in the contract's order.
        let [min_age, reference_ts, document_hash, commitment, nullifier] =
            self.public.map(|v| FpVar::new_input(cs.clone(), || Ok(v)));
        let (min_age, reference_ts, document_hash, commitment, nullifier) =
            (min_age?, reference_ts?, document_hash?, commitment?, nullifier?);
        let birth_ts = FpVar::new_witness(cs.clone(), || Ok(self.birth_ts))?;
        let salt = FpVar::new_witness(cs.clone(), || Ok(self.salt))?;
        let epoch = FpVar::new_witness(cs.clone(), || Ok(self.epoch))?;

        // Range checks on every comparison input (and on epoch).
        enforce_range(&birth_ts, 64)?;
        enforce_range(&reference_ts, 64)?;
        enforce_range(&epoch, 64)?;
        enforce_range(&min_age, 8)?;

        // birthTs < referenceTs  ⇔  referenceTs − birthTs − 1 ∈ [0, 2^64).
        let gap = &reference_ts - &birth_ts;
        enforce_range(&(&gap - Fr::from(1u64)), 64)?;
        // referenceTs − birthTs ≥ minAge · year  ⇔  gap − minAge·year ∈ [0, 2^64)
        // (gap < 2^64 and minAge·year < 2^33, so a negative difference wraps to ≥ r − 2^33).
        enforce_range(&(&gap - &min_age * Fr::from(SECONDS_PER_YEAR)), 64)?;

        poseidon_gadget(&[birth_ts, salt.clone(), document_hash.clone()])?.enforce_equal(&commitment)?;
        poseidon_gadget(&[salt, document_hash, epoch])?.enforce_equal(&nullifier)?;
        Ok(())
    }
}
