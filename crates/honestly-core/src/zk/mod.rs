//! Zero-knowledge services: the key lifecycle and verification ([`service::ZkService`]) and
//! proofs about documents ([`proofs::ProofService`]).

pub mod proofs;
pub mod service;
pub mod verify;

pub use proofs::{ProofError, ProofRecord, ProofRequest, ProofService};
pub use service::{CircuitInfo, ZkService};
pub use verify::{verify_batch, Expected, VerifyInput, VerifyOutcome, VerifyReason};
