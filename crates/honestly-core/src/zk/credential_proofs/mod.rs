//! Proofs from a credential: `credential_query` proven over a holder's stored credential.
//!
//! - [`CredentialQuery`] is the verifier's question as the API takes it (`query`), validated
//!   field by field and turned into the circuit's public parameters.
//! - [`scope_field`] and [`nonce_field`] map the `scope` and `nonce` texts to field elements
//!   (the mapping verifiers use too, `docs/zk.md`); [`holder_commitment`] is the `holder`
//!   claim of a holder secret.
//! - [`prove_credential_query`] refuses a credential that cannot answer (typed, with a stable
//!   reason) before any proving, then proves on the CPU pool.

mod binding;
mod error;
mod prove;
mod query;
#[cfg(test)]
mod tests;

pub use binding::{holder_commitment, nonce_field, random_nonce, scope_field, MAX_BINDING_BYTES};
pub use error::CredentialProofError;
pub use prove::{prove_credential_query, unmet_predicate, CredentialProof};
pub use query::{CountryInput, CredentialQuery, NationalityRule, Predicates, MAX_MIN_AGE, MAX_NATIONALITIES};
