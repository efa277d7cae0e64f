//! Integration tests of the zero-knowledge engine: one test binary, keys generated once.

mod age_v2;
mod batch;
mod common;
mod credential;
mod credential_interop;
mod credential_soundness;
mod eddsa;
mod golden;
mod interop;
mod keys;
mod proofs;
mod snarkjs_json;
mod stale_keys;
