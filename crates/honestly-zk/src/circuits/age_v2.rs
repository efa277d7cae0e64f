//! `age_proof_v2`: "the holder's birth date, committed to together with this document, lies at
//! least `minAge` calendar years before `referenceDate`", with dates as `YYYYMMDD` integers.
//!
//! The same statement as `age_proof`, in the date encoding of `credential_query`: someone born
//! on `birthDate` is at least `minAge` years old on `referenceDate` exactly when
//! `birthDate + minAge·10000 ≤ referenceDate` (exact calendar arithmetic; every birth date from
//! 1000-01-01 on works). The birth date is only what the holder typed: the proof is
//! self-declared, not attested by anyone.

use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

use super::predicates::{enforce_date, enforce_leq, DATE_BITS, MIN_AGE_BITS, SUM_BITS};
use super::{check_count, small};
use crate::{error::ParseError, gadgets::enforce_range, poseidon::poseidon_gadget, Fr};

/// The earliest birth date the circuit accepts: 1000-01-01.
pub const MIN_BIRTH_DATE: u64 = 10_000_101;

/// Public signals of `age_proof_v2`, in the circuit's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgeV2Public {
    /// `minAge` (< 2^8).
    pub min_age: u64,
    /// `referenceDate`, `YYYYMMDD` (< 2^27).
    pub reference_date: u64,
    /// `documentHash = field(sha256(document))`.
    pub document_hash: Fr,
    /// `Poseidon(birthDate, salt, documentHash)`.
    pub commitment: Fr,
    /// `Poseidon(salt, documentHash, epoch)`.
    pub nullifier: Fr,
}

impl AgeV2Public {
    /// The public signals `[minAge, referenceDate, documentHash, commitment, nullifier]`.
    pub fn to_signals(&self) -> Vec<Fr> {
        vec![
            Fr::from(self.min_age),
            Fr::from(self.reference_date),
            self.document_hash,
            self.commitment,
            self.nullifier,
        ]
    }

    /// Reads the signals back; refuses a wrong count or out-of-range `minAge`/`referenceDate`.
    pub fn from_signals(signals: &[Fr]) -> Result<Self, ParseError> {
        check_count(signals, 5)?;
        Ok(Self {
            min_age: small(&signals[0], MIN_AGE_BITS as u32, "minAge")?,
            reference_date: small(&signals[1], DATE_BITS as u32, "referenceDate")?,
            document_hash: signals[2],
            commitment: signals[3],
            nullifier: signals[4],
        })
    }
}

/// The `age_proof_v2` circuit with its full assignment (zeros for key generation).
#[derive(Debug, Clone)]
pub struct AgeV2Circuit {
    /// Public signals.
    pub public: [Fr; 5],
    /// Private `birthDate` (`YYYYMMDD`).
    pub birth_date: Fr,
    /// Private `salt`.
    pub salt: Fr,
    /// Private `epoch`.
    pub epoch: Fr,
}

impl AgeV2Circuit {
    /// An assignment of zeros: only the shape matters for key generation.
    pub fn blank() -> Self {
        Self {
            public: [Fr::from(0u64); 5],
            birth_date: Fr::from(0u64),
            salt: Fr::from(0u64),
            epoch: Fr::from(0u64),
        }
    }
}

impl ConstraintSynthesizer<Fr> for AgeV2Circuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        // Public inputs first, in the contract's order.
        let [min_age, reference_date, document_hash, commitment, nullifier] =
            self.public.map(|v| FpVar::new_input(cs.clone(), || Ok(v)));
        let (min_age, reference_date, document_hash, commitment, nullifier) =
            (min_age?, reference_date?, document_hash?, commitment?, nullifier?);
        let birth_date = FpVar::new_witness(cs.clone(), || Ok(self.birth_date))?;
        let salt = FpVar::new_witness(cs.clone(), || Ok(self.salt))?;
        let epoch = FpVar::new_witness(cs.clone(), || Ok(self.epoch))?;

        // Range checks on every comparison input (and on epoch).
        enforce_date(&birth_date)?;
        enforce_date(&reference_date)?;
        enforce_range(&min_age, MIN_AGE_BITS)?;
        enforce_range(&epoch, 64)?;

        // 1000-01-01 ≤ birthDate (both below 2^27).
        enforce_leq(&FpVar::Constant(Fr::from(MIN_BIRTH_DATE)), &birth_date, DATE_BITS)?;
        // birthDate + minAge·10000 ≤ referenceDate, always (minAge 0 still proves that the
        // birth date is not after the reference date). The sum is below
        // 2^27 + 255·10000 < 2^28, so a negative difference wraps to ≥ r − 2^28 and fails.
        let threshold = &birth_date + &min_age * Fr::from(10_000u64);
        enforce_leq(&threshold, &reference_date, SUM_BITS)?;

        poseidon_gadget(&[birth_date, salt.clone(), document_hash.clone()])?.enforce_equal(&commitment)?;
        poseidon_gadget(&[salt, document_hash, epoch])?.enforce_equal(&nullifier)?;
        Ok(())
    }
}
