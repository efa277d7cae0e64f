//! Proof requests: a verifier asks, a holder answers. The verifier states what it needs (a
//! `credential_query` over credentials of issuers it trusts), the server makes a one-time token
//! and a link for the holder; the holder answers with one of their credentials (the server
//! proves with the request's nonce and scope and checks the proof as a verifier would) or
//! declines. Every way a request ends — completed, declined, expired — goes through
//! [`ProofRequestService::finish`].

pub mod error;
pub mod finish;
pub mod model;
pub mod respond;
pub mod service;
pub mod spec;
pub mod urls;
pub mod words;

pub use error::ProofRequestError;
pub use model::{
    Disclosed, Finish, FinishOutcome, IssuerRef, ProofRequestRecord, ProofRequestResult, ProofRequestSpec,
    ProofRequestStatus, RequestedProof,
};
pub use respond::Answer;
pub use service::{Created, ProofRequestDeps, ProofRequestService};
pub use spec::NewProofRequest;
