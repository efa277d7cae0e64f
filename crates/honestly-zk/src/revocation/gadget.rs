//! The R1CS gadget: a private `credentialId` is not revoked in the tree with a given root.

use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use super::{RevocationPath, BOUND_BITS, REVOCATION_DEPTH};
use crate::{gadgets::enforce_range, poseidon::poseidon_gadget, Fr};

/// A revocation path as private witnesses: the leaf index's bits, the gap's bounds and the
/// siblings (leaf level first).
pub struct RevocationPathVar {
    index_bits: Vec<Boolean<Fr>>,
    low: FpVar<Fr>,
    high: FpVar<Fr>,
    siblings: Vec<FpVar<Fr>>,
}

impl RevocationPathVar {
    /// Allocates `path` as witnesses (20 boolean constraints for the index's bits).
    pub fn new_witness(cs: ConstraintSystemRef<Fr>, path: &RevocationPath) -> Result<Self, SynthesisError> {
        let index_bits = (0..REVOCATION_DEPTH)
            .map(|i| Boolean::new_witness(cs.clone(), || Ok((path.index >> i) & 1 == 1)))
            .collect::<Result<Vec<_>, _>>()?;
        let low = FpVar::new_witness(cs.clone(), || Ok(path.low))?;
        let high = FpVar::new_witness(cs.clone(), || Ok(path.high))?;
        let siblings = path
            .siblings
            .iter()
            .map(|s| FpVar::new_witness(cs.clone(), || Ok(*s)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { index_bits, low, high, siblings })
    }
}

/// Enforces that `id` is not revoked in the revocation tree with root `root`: with
/// `x = id + 1`, `low < x < high`, and the gap's leaf `Poseidon(low, high)` at the path's
/// index hashes up to `root`.
///
/// Both comparisons are range checks: `x − low − 1` and `high − x − 1` each below
/// 2^[`BOUND_BITS`]. The bounds are fixed by the leaf hash to values of the issuer's tree
/// (below 2^129), so the checks hold only when `x` is an integer strictly between them; this
/// also gives `id < 2^128` without a separate decomposition. Every leaf at depth 20 is a gap
/// (an empty leaf is 0, which no pair hashes to), so any index the prover picks is an honest
/// gap, and the revoked ids are exactly the ids in no gap.
///
/// Cost: 20 (index bits) + 2 × (129 + 1) + 240 (leaf) + 20 × (240 + 1) + 1 = 5 341 constraints.
pub fn enforce_not_revoked(
    id: &FpVar<Fr>,
    root: &FpVar<Fr>,
    path: &RevocationPathVar,
) -> Result<(), SynthesisError> {
    let one = FpVar::Constant(Fr::from(1u64));
    let x = id + &one;
    enforce_range(&(&x - &path.low - &one), BOUND_BITS)?;
    enforce_range(&(&path.high - &x - &one), BOUND_BITS)?;
    let mut cur = poseidon_gadget(&[path.low.clone(), path.high.clone()])?;
    for (sibling, bit) in path.siblings.iter().zip(&path.index_bits) {
        let b = FpVar::from(bit.clone());
        // left = cur + b·(sibling − cur); right = cur + sibling − left (one constraint).
        let left = &cur + &b * (sibling - &cur);
        let right = &cur + sibling - &left;
        cur = poseidon_gadget(&[left, right])?;
    }
    cur.enforce_equal(root)
}

#[cfg(test)]
mod tests {
    use ark_ff::UniformRand;
    use ark_relations::gr1cs::ConstraintSystem;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    use super::*;
    use crate::revocation::{credential_id_to_fr, RevocationTree};

    /// Builds the gadget over a witness id and path and a public root: (satisfied, constraints).
    fn satisfied_with_count(id: Fr, root: Fr, path: &RevocationPath) -> (bool, usize) {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let root = FpVar::new_input(cs.clone(), || Ok(root)).unwrap();
        let id = FpVar::new_witness(cs.clone(), || Ok(id)).unwrap();
        let path = RevocationPathVar::new_witness(cs.clone(), path).unwrap();
        enforce_not_revoked(&id, &root, &path).unwrap();
        (cs.is_satisfied().unwrap(), cs.num_constraints())
    }

    fn satisfied(id: Fr, root: Fr, path: &RevocationPath) -> bool {
        satisfied_with_count(id, root, path).0
    }

    fn sample_tree(rng: &mut StdRng) -> (RevocationTree, Vec<u128>) {
        let revoked: Vec<u128> = (0..6).map(|_| rng.gen::<u128>() >> 1).collect();
        (RevocationTree::from_ids(revoked.iter().copied()).unwrap(), revoked)
    }

    #[test]
    fn gadget_constraint_count() {
        let tree = RevocationTree::new();
        let (ok, count) = satisfied_with_count(Fr::from(7u64), tree.root(), &tree.path(7));
        assert!(ok);
        // 20 index bits + two 129-bit ranges + the leaf + 20 levels × (Poseidon(2) 240 + 1
        // selection) + 1 root equality.
        assert_eq!(count, 20 + 2 * 130 + 240 + 20 * 241 + 1);
        assert_eq!(count, 5_341);
    }

    #[test]
    fn honest_non_membership_paths_satisfy() {
        let mut rng = StdRng::seed_from_u64(3);
        let (tree, revoked) = sample_tree(&mut rng);
        let mut ids: Vec<u128> = (0..3).map(|_| rng.gen()).collect();
        // Neighbours of revoked ids and the extreme ids.
        ids.extend([revoked[0] ^ 1, revoked[1] + 1, revoked[2] - 1, 0, u128::MAX]);
        for id in ids {
            let path = tree.non_membership(id).unwrap();
            assert!(satisfied(credential_id_to_fr(id), tree.root(), &path), "id {id}");
        }
        // The empty tree too.
        let empty = RevocationTree::new();
        assert!(satisfied(Fr::from(42u64), empty.root(), &empty.path(42)));
    }

    #[test]
    fn a_revoked_id_cannot_satisfy_with_any_path() {
        let mut rng = StdRng::seed_from_u64(4);
        let (tree, mut revoked) = sample_tree(&mut rng);
        let root = tree.root();
        revoked.sort();
        for &id in &revoked[..3] {
            let x = credential_id_to_fr(id);
            let next = credential_id_to_fr(id + 1);
            // The gap that ends at it, and the gap that starts after it.
            assert!(!satisfied(x, root, &tree.path(id)));
            let after = tree.non_membership(id + 1).unwrap();
            assert!(satisfied(next, root, &after));
            assert!(!satisfied(x, root, &after));
            // The gap widened over the id (its leaf no longer hashes to the tree's).
            let mut widened = after.clone();
            widened.low -= Fr::from(1u64);
            assert!(!satisfied(x, root, &widened));
            // Random siblings, and honest siblings with one level replaced or the index moved.
            let mut random = after.clone();
            random.siblings = std::array::from_fn(|_| Fr::rand(&mut rng));
            assert!(!satisfied(next, root, &random));
            for level in [0, 9, 19] {
                let mut tweaked = after.clone();
                tweaked.siblings[level] = Fr::rand(&mut rng);
                assert!(!satisfied(next, root, &tweaked));
                let mut moved = after.clone();
                moved.index ^= 1 << level;
                assert!(!satisfied(next, root, &moved));
            }
            // The empty tree's gap (over every id) proves nothing against the real root.
            assert!(!satisfied(x, root, &RevocationTree::new().path(id)));
        }
    }

    #[test]
    fn ids_outside_128_bits_never_satisfy() {
        // The empty tree's only gap is (0, 2^128 + 1): its honest path, with ids 2^128 and
        // r − 1 (whose bound wraps to 0).
        let empty = RevocationTree::new();
        let big = credential_id_to_fr(u128::MAX) + Fr::from(1u64);
        assert!(!satisfied(big, empty.root(), &empty.path(0)));
        assert!(!satisfied(-Fr::from(1u64), empty.root(), &empty.path(u128::MAX)));
        assert!(satisfied(credential_id_to_fr(u128::MAX), empty.root(), &empty.path(u128::MAX)));
    }

    #[test]
    fn a_wrong_root_is_refused() {
        let tree = RevocationTree::from_ids([5u128, 9]).unwrap();
        let path = tree.non_membership(6).unwrap();
        assert!(satisfied(Fr::from(6u64), tree.root(), &path));
        assert!(!satisfied(Fr::from(6u64), tree.root() + Fr::from(1u64), &path));
        assert!(!satisfied(Fr::from(6u64), RevocationTree::new().root(), &path));
    }
}
