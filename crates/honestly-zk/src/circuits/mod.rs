//! The built-in circuits and their public-signal layouts (the contract of `docs/zk.md`,
//! "Circuits"): `age_proof`, `authenticity_proof`, `age_proof_v2` and `credential_query` with
//! its predicate gadgets.

mod age;
mod age_v2;
mod authenticity;
pub mod credential_query;
mod fingerprint;
pub mod predicates;

pub use age::{AgeCircuit, AgePublic, SECONDS_PER_YEAR};
pub use age_v2::{AgeV2Circuit, AgeV2Public, MIN_BIRTH_DATE};
pub use authenticity::{AuthenticityCircuit, AuthenticityPublic};
pub use fingerprint::{fingerprint, fingerprint_of};

use crate::error::ParseError;

/// The built-in circuits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CircuitId {
    /// `age_proof`: public `[minAge, referenceTs, documentHash, commitment, nullifier]`.
    Age,
    /// `authenticity_proof`: public `[root, leaf, epoch, nullifier]`.
    Authenticity,
    /// `age_proof_v2`: public `[minAge, referenceDate, documentHash, commitment, nullifier]`,
    /// dates `YYYYMMDD`.
    AgeV2,
    /// `credential_query`: public [`credential_query::QUERY_PUBLIC_SIGNALS`].
    CredentialQuery,
}

impl CircuitId {
    /// Every built-in circuit.
    pub const ALL: [CircuitId; 4] =
        [CircuitId::Age, CircuitId::Authenticity, CircuitId::AgeV2, CircuitId::CredentialQuery];

    /// The circuit's name (`age_proof`, `authenticity_proof`, `age_proof_v2`,
    /// `credential_query`): key directory and proof type.
    pub fn name(self) -> &'static str {
        match self {
            CircuitId::Age => "age_proof",
            CircuitId::Authenticity => "authenticity_proof",
            CircuitId::AgeV2 => "age_proof_v2",
            CircuitId::CredentialQuery => "credential_query",
        }
    }

    /// The number of public signals.
    pub fn n_public(self) -> usize {
        match self {
            CircuitId::Age => 5,
            CircuitId::Authenticity => 4,
            CircuitId::AgeV2 => 5,
            CircuitId::CredentialQuery => credential_query::QUERY_N_PUBLIC,
        }
    }

    /// Parses a circuit name; accepts the short forms `age` and `authenticity` too.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "age_proof" | "age" => Some(CircuitId::Age),
            "authenticity_proof" | "authenticity" => Some(CircuitId::Authenticity),
            "age_proof_v2" => Some(CircuitId::AgeV2),
            "credential_query" => Some(CircuitId::CredentialQuery),
            _ => None,
        }
    }

    /// The circuit's position in [`CircuitId::ALL`] (for tables indexed by circuit).
    pub fn index(self) -> usize {
        match self {
            CircuitId::Age => 0,
            CircuitId::Authenticity => 1,
            CircuitId::AgeV2 => 2,
            CircuitId::CredentialQuery => 3,
        }
    }
}

impl std::fmt::Display for CircuitId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

pub(crate) fn check_count(signals: &[crate::Fr], expected: usize) -> Result<(), ParseError> {
    if signals.len() == expected {
        Ok(())
    } else {
        Err(ParseError::PublicCount { expected, got: signals.len() })
    }
}

pub(crate) fn small(x: &crate::Fr, bits: u32, what: &'static str) -> Result<u64, ParseError> {
    match crate::field::fr_to_u64(x) {
        Some(v) if bits >= 64 || v < (1u64 << bits) => Ok(v),
        _ => Err(ParseError::Shape { path: what.to_string(), expected: "a value in the circuit's range" }),
    }
}
