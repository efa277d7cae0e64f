//! Cryptography: document encryption, the bundle-signing key, canonical JSON for signatures.

pub mod canonical;
pub mod python_json;
pub mod signing;
pub mod vault;
