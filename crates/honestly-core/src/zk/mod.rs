//! Zero-knowledge services: the key lifecycle ([`service::ZkService`]), verification
//! ([`verifier::Verifier`], the only way anything verifies) and proofs about documents
//! ([`proofs::ProofService`]).

pub mod credential_proofs;
pub mod proofs;
pub mod service;
pub mod verifier;
pub mod verify;

pub use proofs::{ProofError, ProofRecord, ProofRequest, ProofService};
pub use service::{verification_key_path, CircuitInfo, ZkService};
pub use verifier::{NullifierUse, Submission, Verifier, VerifierError};
pub use verify::{checkable, Coverage, Expected, VerifyInput, VerifyOutcome, VerifyReason, EXPECTATIONS};
