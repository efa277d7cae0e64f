//! The built-in circuits and their public-signal layouts (the contract of `docs/zk.md`,
//! "Circuits"): `age_proof`, `authenticity_proof` and `credential_query` with its predicate
//! gadgets.

mod age;
mod authenticity;
pub mod credential_query;
mod fingerprint;
pub mod predicates;

pub use age::{AgeCircuit, AgePublic, SECONDS_PER_YEAR};
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
    /// `credential_query`: public [`credential_query::QUERY_PUBLIC_SIGNALS`].
    CredentialQuery,
}

impl CircuitId {
    /// Every built-in circuit.
    pub const ALL: [CircuitId; 3] = [CircuitId::Age, CircuitId::Authenticity, CircuitId::CredentialQuery];

    /// The circuit's name (`age_proof`, `authenticity_proof`, `credential_query`): key
    /// directory and proof type.
    pub fn name(self) -> &'static str {
        match self {
            CircuitId::Age => "age_proof",
            CircuitId::Authenticity => "authenticity_proof",
            CircuitId::CredentialQuery => "credential_query",
        }
    }

    /// The circuit's position in [`CircuitId::ALL`] (tables indexed by circuit use it).
    pub fn index(self) -> usize {
        match self {
            CircuitId::Age => 0,
            CircuitId::Authenticity => 1,
            CircuitId::CredentialQuery => 2,
        }
    }

    /// The number of public signals.
    pub fn n_public(self) -> usize {
        match self {
            CircuitId::Age => 5,
            CircuitId::Authenticity => 4,
            CircuitId::CredentialQuery => credential_query::QUERY_N_PUBLIC,
        }
    }

    /// Parses a circuit name; accepts the short forms `age` and `authenticity` too.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "age_proof" | "age" => Some(CircuitId::Age),
            "authenticity_proof" | "authenticity" => Some(CircuitId::Authenticity),
            "credential_query" => Some(CircuitId::CredentialQuery),
            _ => None,
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
