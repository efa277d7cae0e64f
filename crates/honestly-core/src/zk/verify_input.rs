//! One proof to verify, as a verifier sent it.

use super::expected::Expected;

/// One proof to verify: what a verifier sent.
#[derive(Debug, Clone, Copy)]
pub struct VerifyInput<'a> {
    /// The circuit name.
    pub proof_type: &'a str,
    /// snarkjs proof JSON.
    pub proof: &'a serde_json::Value,
    /// snarkjs public signals JSON.
    pub public_signals: &'a serde_json::Value,
    /// Checks beyond validity.
    pub expected: &'a Expected,
}
