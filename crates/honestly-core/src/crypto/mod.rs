//! Cryptography: document encryption, the bundle-signing key, canonical JSON for signatures.

pub mod canonical;
pub mod signing;
pub mod vault;
