//! Zero-knowledge services: the key lifecycle ([`service::ZkService`]), verification
//! ([`verifier::Verifier`], the only way anything verifies) and proofs about documents
//! ([`proofs::ProofService`]). `credential_query` proofs have their expectations in
//! [`credential_expected`] and their checks in [`credential_verify`].

pub mod attestation;
pub mod batcher;
pub mod circuit;
pub mod credential_expected;
pub mod credential_proofs;
pub mod credential_verify;
pub mod expected;
pub mod outcome;
mod pairing;
pub mod proofs;
pub mod service;
pub mod verifier;
pub mod verify;
pub mod verify_input;

pub use attestation::{attestation, SELF_DECLARED};
pub use credential_verify::{finish_credential_query, CredentialFacts, IssuerDirectory, NoIssuers};
pub use proofs::{ProofError, ProofRecord, ProofRequest, ProofService};
pub use service::{verification_key_path, CircuitInfo, ZkService};
pub use verifier::{NullifierUse, Submission, Verifier, VerifierError};
pub use verify::{
    checkable, Coverage, Expected, VerifyInput, VerifyOutcome, VerifyReason, CHECKED_BY_DEFAULT,
    CREDENTIAL_QUERY_EXPECTATIONS, EXPECTATIONS,
};
