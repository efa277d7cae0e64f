//! The R1CS gadget: a private `credentialId` is not revoked in the tree with a given root.

use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use super::{RevocationPath, BOUND_BITS, REVOCATION_ARITY, REVOCATION_INDEX_BITS};
use crate::{gadgets::enforce_range, poseidon::poseidon_gadget, Fr};

/// A revocation path as private witnesses: the leaf index's bits, the gap's bounds and the
/// three siblings of each level (leaf level first).
pub struct RevocationPathVar {
    index_bits: Vec<Boolean<Fr>>,
    low: FpVar<Fr>,
    high: FpVar<Fr>,
    siblings: Vec<[FpVar<Fr>; REVOCATION_ARITY - 1]>,
}

impl RevocationPathVar {
    /// Allocates `path` as witnesses (20 boolean constraints for the index's bits).
    pub fn new_witness(cs: ConstraintSystemRef<Fr>, path: &RevocationPath) -> Result<Self, SynthesisError> {
        let index_bits = (0..REVOCATION_INDEX_BITS)
            .map(|i| Boolean::new_witness(cs.clone(), || Ok((path.index >> i) & 1 == 1)))
            .collect::<Result<Vec<_>, _>>()?;
        let low = FpVar::new_witness(cs.clone(), || Ok(path.low))?;
        let high = FpVar::new_witness(cs.clone(), || Ok(path.high))?;
        let mut siblings = Vec::with_capacity(path.siblings.len());
        for level in &path.siblings {
            let [a, b, c] = level.map(|s| FpVar::new_witness(cs.clone(), || Ok(s)));
            siblings.push([a?, b?, c?]);
        }
        Ok(Self { index_bits, low, high, siblings })
    }
}

/// The four children of a level from the path node `cur`, its position's two bits `(b0, b1)`
/// (position `b0 + 2·b1`) and its three siblings `s` in order: 7 constraints.
///
/// With the one-hot `e3 = b0·b1`, `e1 = b0 − e3`, `e2 = b1 − e3`, `e0 = 1 − b0 − b1 + e3`:
/// `c0 = s0 + e0·(cur − s0)`, `c1 = s1 + e0·(s0 − s1) + e1·(cur − s1)`,
/// `c2 = s2 + (1 − b1)·(s1 − s2) + e2·(cur − s2)`, `c3 = s2 + e3·(cur − s2)`.
fn place(
    cur: &FpVar<Fr>,
    b0: &Boolean<Fr>,
    b1: &Boolean<Fr>,
    s: &[FpVar<Fr>; REVOCATION_ARITY - 1],
) -> Result<[FpVar<Fr>; REVOCATION_ARITY], SynthesisError> {
    let one = FpVar::Constant(Fr::from(1u64));
    let (b0, b1) = (FpVar::from(b0.clone()), FpVar::from(b1.clone()));
    let e3 = &b0 * &b1;
    let e1 = &b0 - &e3;
    let e2 = &b1 - &e3;
    let e0 = &one - &b0 - &b1 + &e3;
    let c0 = &s[0] + &e0 * (cur - &s[0]);
    let c1 = &s[1] + &e0 * (&s[0] - &s[1]) + &e1 * (cur - &s[1]);
    let c2 = &s[2] + (&one - &b1) * (&s[1] - &s[2]) + &e2 * (cur - &s[2]);
    let c3 = &s[2] + &e3 * (cur - &s[2]);
    Ok([c0, c1, c2, c3])
}

/// Enforces that `id` is not revoked in the revocation tree with root `root`: with
/// `x = id + 1`, `low < x < high`, and the gap's leaf `Poseidon(low, high)` at the path's
/// index hashes up to `root`.
///
/// Both comparisons are range checks: `x − low − 1` and `high − x − 1` each below
/// 2^[`BOUND_BITS`]. The bounds are fixed by the leaf hash to values of the issuer's tree
/// (below 2^129), so the checks hold only when `x` is an integer strictly between them; this
/// also gives `id < 2^128` without a separate decomposition. Every leaf at depth 10 is a gap
/// (an empty leaf is 0, which no pair hashes to), so any index the prover picks is an honest
/// gap, and the revoked ids are exactly the ids in no gap.
///
/// Cost: 20 (index bits) + 2 × (129 + 1) + 240 (leaf) + 10 × (297 for Poseidon(4) + 7 to
/// place the node) + 1 = 3 561 constraints.
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
    for (siblings, bits) in path.siblings.iter().zip(path.index_bits.chunks(2)) {
        cur = poseidon_gadget(&place(&cur, &bits[0], &bits[1], siblings)?)?;
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
        // 20 index bits + two 129-bit ranges + the leaf + 10 levels × (Poseidon(4) 297 + 7
        // placing) + 1 root equality.
        assert_eq!(count, 20 + 2 * 130 + 240 + 10 * 304 + 1);
        assert_eq!(count, 3_561);
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
            random.siblings = std::array::from_fn(|_| std::array::from_fn(|_| Fr::rand(&mut rng)));
            assert!(!satisfied(next, root, &random));
            for level in [0, 4, 9] {
                for j in 0..3 {
                    let mut tweaked = after.clone();
                    tweaked.siblings[level][j] = Fr::rand(&mut rng);
                    assert!(!satisfied(next, root, &tweaked));
                }
                for flip in [1, 2, 3] {
                    let mut moved = after.clone();
                    moved.index ^= flip << (2 * level);
                    assert!(!satisfied(next, root, &moved));
                }
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
    fn every_position_places_the_node_among_its_siblings() {
        use crate::revocation::path::children;
        let cs = ConstraintSystem::<Fr>::new_ref();
        let cur = Fr::from(100u64);
        let s = [Fr::from(1u64), Fr::from(2u64), Fr::from(3u64)];
        for position in 0..4usize {
            let bit = |k: usize| Boolean::new_witness(cs.clone(), || Ok((position >> k) & 1 == 1)).unwrap();
            let (b0, b1) = (bit(0), bit(1));
            let c = FpVar::new_witness(cs.clone(), || Ok(cur)).unwrap();
            let sv = s.map(|v| FpVar::new_witness(cs.clone(), || Ok(v)).unwrap());
            let placed = place(&c, &b0, &b1, &sv).unwrap().map(|v| v.value().unwrap());
            assert_eq!(placed, children(cur, position, &s), "position {position}");
        }
        assert!(cs.is_satisfied().unwrap());
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
