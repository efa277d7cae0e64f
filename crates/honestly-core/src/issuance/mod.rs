//! Issuance: issuers hosted on this server (their sealed signing keys and members), holders'
//! requests that an issuer attest a document, the credentials issued and held, and the
//! revocations that end them. The credential format itself is in [`crate::credentials`].

pub mod directory;
pub mod error;
pub mod held;
pub mod holder;
pub mod keys;
pub mod members;
pub mod model;
pub mod proving;
pub mod requests;
pub mod revocation;
pub mod service;

pub use error::IssuanceError;
pub use model::{
    CredentialRequestRecord, Decision, DecisionOutcome, HeldCredential, IssuedCredential, IssuerRecord,
    RequestStatus, RevokeOutcome, SealedItem, SealedKind,
};
pub use service::IssuanceService;
