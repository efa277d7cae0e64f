//! Zero-knowledge engine of Honestly: a pure library (no network, no async).
//!
//! Groth16 over BN254 with arkworks, circomlib-compatible Poseidon, the `age_proof`,
//! `age_proof_v2` and `authenticity_proof` circuits, batch verification and the snarkjs JSON formats, exactly as
//! `docs/zk.md` specifies them. The only file-system code is in [`keyfile`], a thin helper that
//! reads and writes the key files `honestly zk setup` produces.
//!
//! Typical server use:
//! 1. at start, [`keyfile::read_verification_key`] (or [`snarkjs::parse_verification_key`])
//!    and [`PreparedKey::new`] for every circuit and external key;
//! 2. on request, [`snarkjs::parse_proof`] + [`snarkjs::parse_public_signals`], then
//!    [`PreparedKey::verify`] (or [`batch::batch_verify`]) and the checks in [`expect`]
//!    ([`expect::credential::check_credential_query`] for `credential_query`);
//! 3. to prove, [`keyfile::read_proving_key`] once, then [`prover::prove_age`] /
//!    [`prover::prove_authenticity`].

pub mod babyjub;
pub mod batch;
pub mod circuits;
pub mod eddsa;
pub mod error;
pub mod expect;
pub mod field;
pub mod fixed_base;
pub mod gadgets;
pub mod groth;
mod groth_prove;
pub mod keyfile;
pub mod miller;
pub mod msm;
pub mod poseidon;
pub mod prover;
pub mod registry;
pub mod revocation;
pub mod shape;
pub mod snarkjs;
pub mod subgroup;

pub use ark_bn254::{Bn254, Fr};
pub use batch::{batch_verify, batch_verify_report, batch_verify_with_rng, BatchItem, BatchReport};
pub use circuits::{AgePublic, AgeV2Public, AuthenticityPublic, CircuitId};
pub use error::{ParseError, ProveError, ZkError};
pub use expect::credential::{check_credential_query, CredentialExpectations, CredentialFailure};
pub use expect::{
    check_age, check_authenticity, AgeExpectations, AuthenticityExpectations, ExpectationFailure,
};
pub use field::{field_from_sha256, fr_from_decimal, fr_to_decimal, sha256_field};
pub use groth::{key_id, PreparedKey, Proof, ProvingKey, VerifyingKey};
pub use poseidon::poseidon_hash;
pub use prover::{
    prove_age, prove_age_v2, prove_age_v2_with_rng, prove_age_with_rng, prove_authenticity,
    prove_authenticity_with_rng, random_salt, AgeClaim, AgeV2Claim, AuthenticityClaim,
};
pub use registry::{MerklePath, RegistryError, RegistryTree, REGISTRY_DEPTH};
