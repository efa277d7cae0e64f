//! Revocation of credentials: a sparse Poseidon Merkle tree of revoked `credentialId`s,
//! non-membership paths, the signed revocation state and the R1CS gadget that proves a
//! private id is not revoked (the design and threat model are in `docs/credentials.md`).
//!
//! - Depth [`REVOCATION_DEPTH`] = 64; a credential's leaf is at [`slot`]`(id)` = the id's low
//!   64 bits; a leaf is `1` when revoked, `0` (empty) otherwise; a node is
//!   `Poseidon(left, right)`; [`empty_roots`] are the empty-subtree roots.
//! - [`RevocationTree`] keeps only revoked slots and the inner nodes over two or more of them.
//! - [`RevocationPath`] is a path (64 siblings) with its strict JSON form.
//! - [`RevocationState`] is the root with its signing time: the message an issuer signs and
//!   the freshness rule verifiers apply; [`SignedState`] is one with the issuer's signature.
//! - [`enforce_not_revoked`] is the circuit side.

mod gadget;
mod path;
mod signed;
mod state;
mod tree;

use std::sync::OnceLock;

use ark_ff::PrimeField;

use crate::{poseidon::poseidon_hash, Fr};

pub use gadget::enforce_not_revoked;
pub use path::{RevocationPath, MAX_PATH_JSON_BYTES};
pub use signed::{SignedState, SignedStateJsonError, MAX_SIGNED_STATE_JSON_BYTES};
pub use state::{state_tag, RevocationState, StaleState, DEFAULT_MAX_AGE_SECS, MAX_FUTURE_SKEW_SECS};
pub use tree::RevocationTree;

/// Depth of the revocation tree: 2^64 slots, one per value of an id's low 64 bits.
pub const REVOCATION_DEPTH: usize = 64;

/// Bits of a `credentialId` (random 128 bits); the gadget range-checks the id to this width.
pub const CREDENTIAL_ID_BITS: usize = 128;

/// The most revoked ids one tree holds (bounds memory and the work of rebuilding a tree).
pub const MAX_REVOKED: usize = 1 << 20;

/// Why a revocation operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevocationError {
    /// The credential's slot is marked revoked: no non-membership path exists.
    #[error("the credential is revoked")]
    Revoked,
    /// The tree holds [`MAX_REVOKED`] ids already.
    #[error("the revocation list is full ({MAX_REVOKED} ids)")]
    TooManyRevoked,
}

/// The slot (leaf index) of a credential: the low 64 bits of its id.
pub fn slot(id: u128) -> u64 {
    // Truncation is the definition of the slot.
    (id & u128::from(u64::MAX)) as u64
}

/// The roots of empty subtrees by height: `empty_roots()[0] = 0` (an empty leaf) and
/// `empty_roots()[h + 1] = Poseidon(empty_roots()[h], empty_roots()[h])`; index 64 is the
/// empty tree's root.
pub fn empty_roots() -> &'static [Fr; REVOCATION_DEPTH + 1] {
    static Z: OnceLock<[Fr; REVOCATION_DEPTH + 1]> = OnceLock::new();
    Z.get_or_init(|| {
        let mut z = [Fr::from(0u64); REVOCATION_DEPTH + 1];
        for h in 1..=REVOCATION_DEPTH {
            z[h] = poseidon_hash(&[z[h - 1], z[h - 1]]);
        }
        z
    })
}

/// The value of a revoked leaf.
pub fn revoked_leaf() -> Fr {
    Fr::from(1u64)
}

/// The `credentialId` a field element holds, when it is below 2^128 (the ids the circuit
/// accepts); `None` otherwise.
pub fn credential_id_from_fr(x: &Fr) -> Option<u128> {
    let limbs = x.into_bigint().0;
    if limbs[2..].iter().all(|l| *l == 0) {
        Some(u128::from(limbs[0]) | (u128::from(limbs[1]) << 64))
    } else {
        None
    }
}

/// A `credentialId` as a field element.
pub fn credential_id_to_fr(id: u128) -> Fr {
    Fr::from(id)
}
