//! Revocation of credentials: an indexed (sorted-gap) Poseidon Merkle tree of revoked
//! `credentialId`s, non-membership paths, the signed revocation state and the R1CS gadget
//! that proves a private id is not revoked (design and threat model: `docs/credentials.md`).
//!
//! - The revoked ids, sorted, cut `[0, 2^128)` into gaps. With every id written as its
//!   [`bound`] `id + 1` and the sentinels [`LOW_SENTINEL`] = 0 and [`high_sentinel`] =
//!   2^128 + 1, gap `k` of `n` revoked ids `r_1 < … < r_n` is the open interval
//!   `(bound(r_k), bound(r_{k+1}))` (with `r_0`, `r_{n+1}` the sentinels); an id is not
//!   revoked exactly when its bound lies strictly inside one gap.
//! - The tree is 4-ary, [`REVOCATION_DEPTH`] = 10 levels, 4^10 = 2^20 leaves. Leaf `k` is
//!   [`gap_leaf`]`(low, high)` = `Poseidon(low, high)`; leaves after the last gap are `0`
//!   (empty); a node is `Poseidon(c0, c1, c2, c3)` of its four children, left to right;
//!   [`empty_roots`] are the empty-subtree roots.
//! - [`RevocationTree`] is built from the set of revoked ids: its root depends on the set only.
//! - [`RevocationPath`] is a gap, its leaf index and 3 siblings per level, with its strict
//!   JSON form.
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

pub use gadget::{enforce_not_revoked, RevocationPathVar};
pub use path::{LevelSiblings, RevocationPath, MAX_PATH_JSON_BYTES};
pub use signed::{SignedState, SignedStateJsonError, MAX_SIGNED_STATE_JSON_BYTES};
pub use state::{state_tag, RevocationState, StaleState, DEFAULT_MAX_AGE_SECS, MAX_FUTURE_SKEW_SECS};
pub use tree::RevocationTree;

/// Children of a node of the revocation tree.
pub const REVOCATION_ARITY: usize = 4;

/// Levels of the revocation tree: 4^10 = 2^20 leaves, one per gap between revoked ids.
pub const REVOCATION_DEPTH: usize = 10;

/// Bits of a leaf index (two per level).
pub const REVOCATION_INDEX_BITS: usize = 2 * REVOCATION_DEPTH;

/// Bits of a `credentialId` (random 128 bits).
pub const CREDENTIAL_ID_BITS: usize = 128;

/// Bits of a gap bound (`id + 1` ≤ 2^128, and the high sentinel 2^128 + 1).
pub const BOUND_BITS: usize = CREDENTIAL_ID_BITS + 1;

/// The most revoked ids one tree holds: `n` ids make `n + 1` gaps, one leaf each (this also
/// bounds memory and the work of rebuilding a tree).
pub const MAX_REVOKED: usize = (1 << REVOCATION_INDEX_BITS) - 1;

/// The lowest gap's lower bound (below every id's bound).
pub const LOW_SENTINEL: u64 = 0;

/// Why a revocation operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevocationError {
    /// The credential is revoked: no non-membership path exists.
    #[error("the credential is revoked")]
    Revoked,
    /// The tree holds [`MAX_REVOKED`] ids already.
    #[error("the revocation list is full ({MAX_REVOKED} ids)")]
    TooManyRevoked,
}

/// The bound of an id in the gaps: `id + 1` (so that id 0 lies above the low sentinel).
pub fn bound(id: u128) -> Fr {
    Fr::from(id) + Fr::from(1u64)
}

/// The highest gap's upper bound, 2^128 + 1 (above every id's bound).
pub fn high_sentinel() -> Fr {
    bound(u128::MAX) + Fr::from(1u64)
}

/// The leaf of the gap `(low, high)`: `Poseidon(low, high)`.
pub fn gap_leaf(low: Fr, high: Fr) -> Fr {
    poseidon_hash(&[low, high])
}

/// The roots of empty subtrees by height: `empty_roots()[0] = 0` (an empty leaf) and
/// `empty_roots()[h + 1] = Poseidon(Z, Z, Z, Z)` with `Z = empty_roots()[h]`.
pub fn empty_roots() -> &'static [Fr; REVOCATION_DEPTH + 1] {
    static Z: OnceLock<[Fr; REVOCATION_DEPTH + 1]> = OnceLock::new();
    Z.get_or_init(|| {
        let mut z = [Fr::from(0u64); REVOCATION_DEPTH + 1];
        for h in 1..=REVOCATION_DEPTH {
            z[h] = poseidon_hash(&[z[h - 1]; REVOCATION_ARITY]);
        }
        z
    })
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
