//! The R1CS gadget: a private `credentialId` is not revoked in the tree with a given root.

use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::SynthesisError;

use super::{CREDENTIAL_ID_BITS, REVOCATION_DEPTH};
use crate::{gadgets::enforce_range, poseidon::poseidon_gadget, Fr};

/// Enforces that the slot of `id` is empty (leaf 0) in the revocation tree with root `root`,
/// given the slot's `siblings` (leaf level first, private witnesses).
///
/// `id` is decomposed into exactly [`CREDENTIAL_ID_BITS`] booleans, which also enforces
/// `id < 2^128` and makes its low 64 bits (the slot) unique; those bits are the path's
/// directions, so the prover cannot choose another slot. Starting from the constant leaf 0,
/// each level puts the current node left (bit 0) or right (bit 1) of its sibling and hashes.
/// Returns the id's bits (little-endian) for callers that need them.
///
/// Cost: 64 × (240 + 1) + 128 + 1 + 1 = 15 554 constraints.
pub fn enforce_not_revoked(
    id: &FpVar<Fr>,
    root: &FpVar<Fr>,
    siblings: &[FpVar<Fr>; REVOCATION_DEPTH],
) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
    let bits = enforce_range(id, CREDENTIAL_ID_BITS)?;
    let mut cur = FpVar::Constant(Fr::from(0u64));
    for (sibling, bit) in siblings.iter().zip(&bits) {
        let b = FpVar::from(bit.clone());
        // left = cur + b·(sibling − cur); right = cur + sibling − left (one constraint).
        let left = &cur + &b * (sibling - &cur);
        let right = &cur + sibling - &left;
        cur = poseidon_gadget(&[left, right])?;
    }
    cur.enforce_equal(root)?;
    Ok(bits)
}

#[cfg(test)]
mod tests {
    use ark_ff::UniformRand;
    use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef};
    use rand::{rngs::StdRng, Rng, SeedableRng};

    use super::*;
    use crate::revocation::{credential_id_to_fr, RevocationTree};

    /// Builds the gadget over a witness id and siblings and a public root; whether satisfied.
    fn satisfied(id: Fr, root: Fr, siblings: &[Fr; REVOCATION_DEPTH]) -> (bool, ConstraintSystemRef<Fr>) {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let root = FpVar::new_input(cs.clone(), || Ok(root)).unwrap();
        let id = FpVar::new_witness(cs.clone(), || Ok(id)).unwrap();
        let siblings = siblings.map(|s| FpVar::new_witness(cs.clone(), || Ok(s)).unwrap());
        enforce_not_revoked(&id, &root, &siblings).unwrap();
        (cs.is_satisfied().unwrap(), cs)
    }

    fn sample_tree(rng: &mut StdRng) -> (RevocationTree, Vec<u128>) {
        let revoked: Vec<u128> = (0..6).map(|_| rng.gen()).collect();
        (RevocationTree::from_ids(revoked.iter().copied()).unwrap(), revoked)
    }

    #[test]
    fn gadget_constraint_count() {
        let tree = RevocationTree::new();
        let (ok, cs) = satisfied(Fr::from(7u64), tree.root(), &tree.path(7).siblings);
        assert!(ok);
        // 64 levels × (Poseidon(2) 240 + 1 selection) + 128 bits + 1 sum + 1 root equality.
        assert_eq!(cs.num_constraints(), 64 * 241 + 128 + 1 + 1);
        assert_eq!(cs.num_constraints(), 15_554);
    }

    #[test]
    fn honest_non_membership_paths_satisfy() {
        let mut rng = StdRng::seed_from_u64(3);
        let (tree, revoked) = sample_tree(&mut rng);
        let mut ids: Vec<u128> = (0..3).map(|_| rng.gen()).collect();
        // Neighbours of revoked slots and the extreme ids.
        ids.extend([revoked[0] ^ 1, revoked[1] ^ (1 << 63), 0, u128::MAX]);
        for id in ids {
            let path = tree.non_membership(id).unwrap();
            assert!(satisfied(credential_id_to_fr(id), tree.root(), &path.siblings).0, "id {id}");
        }
        // The empty tree too.
        let empty = RevocationTree::new();
        assert!(satisfied(Fr::from(42u64), empty.root(), &empty.path(42).siblings).0);
    }

    #[test]
    fn a_revoked_id_cannot_satisfy_with_any_siblings() {
        let mut rng = StdRng::seed_from_u64(4);
        let (tree, revoked) = sample_tree(&mut rng);
        let root = tree.root();
        for &id in &revoked[..3] {
            let x = credential_id_to_fr(id);
            // The honest siblings (its membership path).
            let honest = tree.path(id);
            assert!(honest.verify_membership(&root, id));
            assert!(!satisfied(x, root, &honest.siblings).0);
            // Siblings of a neighbouring empty slot (a real non-membership path of another id).
            let other = id ^ 1;
            let forged = tree.non_membership(other).unwrap();
            assert!(satisfied(credential_id_to_fr(other), root, &forged.siblings).0);
            assert!(!satisfied(x, root, &forged.siblings).0);
            // Random siblings, and honest siblings with one level replaced.
            let random: [Fr; REVOCATION_DEPTH] = std::array::from_fn(|_| Fr::rand(&mut rng));
            assert!(!satisfied(x, root, &random).0);
            for level in [0, 31, 63] {
                let mut tweaked = honest.siblings;
                tweaked[level] = Fr::rand(&mut rng);
                assert!(!satisfied(x, root, &tweaked).0);
            }
            // The empty tree's path proves nothing against the real root.
            assert!(!satisfied(x, root, &RevocationTree::new().path(id).siblings).0);
        }
    }

    #[test]
    fn the_id_cannot_be_rewritten_to_reach_another_slot() {
        let mut rng = StdRng::seed_from_u64(5);
        let (tree, revoked) = sample_tree(&mut rng);
        let id = revoked[0];
        let root = tree.root();
        // Another slot's honest path, used with the same field element written as
        // `other_low + 2^64 · high'`: high' would have to exceed 2^64, which the 128-bit
        // decomposition refuses; the gadget derives the slot from the id itself.
        let other = id ^ 2;
        let path = tree.non_membership(other).unwrap();
        assert!(!satisfied(credential_id_to_fr(id), root, &path.siblings).0);
        // Ids of 128 bits or more never satisfy, even on an empty tree with honest siblings.
        let empty = RevocationTree::new();
        let big = credential_id_to_fr(u128::MAX) + Fr::from(1u64);
        assert!(!satisfied(big, empty.root(), &empty.path(0).siblings).0);
        assert!(!satisfied(-Fr::from(1u64), empty.root(), &empty.path(u128::MAX).siblings).0);
    }

    #[test]
    fn a_wrong_root_is_refused() {
        let tree = RevocationTree::from_ids([5u128, 9]).unwrap();
        let path = tree.non_membership(6).unwrap();
        assert!(satisfied(Fr::from(6u64), tree.root(), &path.siblings).0);
        assert!(!satisfied(Fr::from(6u64), tree.root() + Fr::from(1u64), &path.siblings).0);
        assert!(!satisfied(Fr::from(6u64), RevocationTree::new().root(), &path.siblings).0);
    }
}
