//! Typed errors of the engine.

use thiserror::Error;

/// Why a snarkjs JSON document (proof, public signals, verification key) was refused.
///
/// Every variant means "malformed input": the caller answers `malformed`, never a 500.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    /// The bytes are not JSON at all.
    #[error("not valid JSON: {0}")]
    Json(String),
    /// A value has the wrong JSON type or array length.
    #[error("wrong shape at {path}: {expected}")]
    Shape {
        /// Where in the document (e.g. `pi_b[1]`).
        path: String,
        /// What was expected there.
        expected: &'static str,
    },
    /// A required field is missing.
    #[error("missing field `{0}`")]
    Missing(&'static str),
    /// `protocol` or `curve` is not `groth16` / `bn128`.
    #[error("unsupported {field}: {value:?}")]
    Unsupported {
        /// `protocol` or `curve`.
        field: &'static str,
        /// The value found.
        value: String,
    },
    /// A number is not a canonical decimal string.
    #[error("not a canonical decimal number at {0}")]
    NotDecimal(String),
    /// A number is not below the field modulus.
    #[error("number at {0} is not below the field modulus")]
    OutOfField(String),
    /// A point is not on the curve.
    #[error("point at {0} is not on the curve")]
    NotOnCurve(String),
    /// A point is on the curve but not in the prime-order subgroup.
    #[error("point at {0} is not in the prime-order subgroup")]
    NotInSubgroup(String),
    /// The number of public signals does not match the key.
    #[error("expected {expected} public signals, got {got}")]
    PublicCount {
        /// What the key needs.
        expected: usize,
        /// What was given.
        got: usize,
    },
    /// `nPublic`, `IC` or `vk_alphabeta_12` contradict each other.
    #[error("inconsistent verification key: {0}")]
    Inconsistent(&'static str),
    /// Binary (arkworks) key bytes did not deserialize.
    #[error("invalid key bytes: {0}")]
    KeyBytes(String),
}

/// Why a proof could not be produced.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProveError {
    /// The statement is false (e.g. the holder is younger than `min_age`); no proof exists.
    #[error("false statement: {0}")]
    FalseStatement(String),
    /// An input is outside its allowed range (e.g. a timestamp ≥ 2^64, `min_age` ≥ 256).
    #[error("input out of range: {0}")]
    OutOfRange(&'static str),
    /// The witness does not satisfy the circuit (names the first failing constraint).
    #[error("constraints not satisfied: {0}")]
    Unsatisfied(String),
    /// The proving key does not belong to this circuit.
    #[error("proving key does not match the circuit")]
    WrongKey,
    /// An arkworks synthesis error.
    #[error("synthesis failed: {0}")]
    Synthesis(String),
}

/// Any error of the engine.
#[derive(Debug, Error)]
pub enum ZkError {
    /// Malformed input.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// Proving failed.
    #[error(transparent)]
    Prove(#[from] ProveError),
    /// A key file could not be read or written.
    #[error("key file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}
