//! A circuit as the server knows it: what the API shows about it and its loaded verification
//! key.

use honestly_zk::PreparedKey;
use serde::Serialize;

/// What the API shows about a circuit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CircuitInfo {
    /// The proof type name.
    pub name: String,
    /// Number of public signals.
    pub n_public: usize,
    /// Their names, in order.
    pub public_signals: Vec<String>,
    /// SHA-256 (hex) of the served `verification_key.json`.
    pub vk_sha256: String,
    /// Registered by an operator rather than built in.
    pub external: bool,
    /// Index of the nullifier among the public signals, if any.
    pub nullifier_signal: Option<usize>,
}

/// A loaded circuit: its info, prepared key and the exact JSON bytes served.
pub struct LoadedCircuit {
    /// Info.
    pub info: CircuitInfo,
    /// The prepared verification key.
    pub key: PreparedKey,
    /// The `verification_key.json` bytes (hash = `info.vk_sha256`).
    pub vk_json: Vec<u8>,
}
