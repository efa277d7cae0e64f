//! The native revocation tree: the sorted revoked ids, the gaps between them as leaves, the
//! root and non-membership paths.

use std::collections::BTreeSet;

use super::{
    bound, empty_roots, gap_leaf, high_sentinel, RevocationError, RevocationPath, LOW_SENTINEL, MAX_REVOKED,
    REVOCATION_ARITY, REVOCATION_DEPTH,
};
use crate::{poseidon::poseidon_hash, Fr};

/// The revocation tree of one issuer.
///
/// Stored: the revoked ids in increasing order and, per height, the nodes over the occupied
/// leaves (leaf `k` is gap `k`; `n` ids make `n + 1` leaves); every other node is the root of
/// an empty subtree. Memory is O(number of revoked ids); building costs about `1.33 n` hashes.
#[derive(Debug, Clone)]
pub struct RevocationTree {
    /// Revoked ids, strictly increasing.
    ids: Vec<u128>,
    /// `levels[h]`: the nodes at height `h` whose subtree holds an occupied leaf, from the left;
    /// `levels[REVOCATION_DEPTH]` is `[root]`.
    levels: Vec<Vec<Fr>>,
    /// The most distinct ids this tree accepts (≤ [`MAX_REVOKED`]).
    limit: usize,
}

impl Default for RevocationTree {
    fn default() -> Self {
        Self::new()
    }
}

impl RevocationTree {
    /// An empty tree (nothing revoked: one gap over every id).
    pub fn new() -> Self {
        Self::with_limit(MAX_REVOKED)
    }

    /// An empty tree that accepts at most `limit` distinct ids (capped at [`MAX_REVOKED`]).
    pub fn with_limit(limit: usize) -> Self {
        Self::build(Vec::new(), limit.min(MAX_REVOKED))
    }

    /// Builds a tree from stored revoked ids (any order, duplicates allowed); refuses more
    /// than [`MAX_REVOKED`] distinct ids. The root depends on the set of ids only.
    pub fn from_ids(ids: impl IntoIterator<Item = u128>) -> Result<Self, RevocationError> {
        let set: BTreeSet<u128> = ids.into_iter().collect();
        if set.len() > MAX_REVOKED {
            return Err(RevocationError::TooManyRevoked);
        }
        Ok(Self::build(set.into_iter().collect(), MAX_REVOKED))
    }

    fn build(ids: Vec<u128>, limit: usize) -> Self {
        let mut tree = Self { ids, levels: vec![Vec::new(); REVOCATION_DEPTH + 1], limit };
        tree.rehash_from(0);
        tree
    }

    /// Number of revoked ids.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether nothing is revoked.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The revoked ids, in increasing order.
    pub fn revoked_ids(&self) -> impl Iterator<Item = u128> + '_ {
        self.ids.iter().copied()
    }

    /// Whether `id` is revoked — exactly the ids for which no non-membership path exists.
    pub fn is_revoked(&self, id: u128) -> bool {
        self.ids.binary_search(&id).is_ok()
    }

    /// Marks `id` revoked. Returns `Ok(true)` when the root changed, `Ok(false)` when the id
    /// was already revoked. Refuses a new id beyond the tree's limit ([`MAX_REVOKED`] unless
    /// [`RevocationTree::with_limit`] set a lower one); the tree is unchanged then.
    ///
    /// The gaps after the new id move one leaf to the right, so this rehashes every node from
    /// the new id's position on (at most about `1.33 n` hashes): to add many ids at once, use
    /// [`RevocationTree::from_ids`].
    pub fn revoke(&mut self, id: u128) -> Result<bool, RevocationError> {
        let position = match self.ids.binary_search(&id) {
            Ok(_) => return Ok(false),
            Err(position) => position,
        };
        if self.ids.len() >= self.limit {
            return Err(RevocationError::TooManyRevoked);
        }
        self.ids.insert(position, id);
        self.rehash_from(position);
        Ok(true)
    }

    /// The current root.
    pub fn root(&self) -> Fr {
        self.node(REVOCATION_DEPTH, 0)
    }

    /// The path of the gap at `id`: the gap holding `id` when it is not revoked, otherwise the
    /// gap that ends at `id` (which proves nothing about it).
    pub fn path(&self, id: u128) -> RevocationPath {
        let index = self.ids.partition_point(|r| *r < id);
        let (low, high) = self.gap(index);
        let mut siblings = [[Fr::from(0u64); REVOCATION_ARITY - 1]; REVOCATION_DEPTH];
        for (h, level) in siblings.iter_mut().enumerate() {
            let position = index >> (2 * h);
            let first = position - position % REVOCATION_ARITY;
            let others = (first..first + REVOCATION_ARITY).filter(|p| *p != position);
            for (sibling, p) in level.iter_mut().zip(others) {
                *sibling = self.node(h, p);
            }
        }
        // `index ≤ MAX_REVOKED < 2^32`.
        RevocationPath { index: index as u32, low, high, siblings }
    }

    /// A non-membership path for `id`, or [`RevocationError::Revoked`].
    pub fn non_membership(&self, id: u128) -> Result<RevocationPath, RevocationError> {
        if self.is_revoked(id) {
            return Err(RevocationError::Revoked);
        }
        Ok(self.path(id))
    }

    /// The bounds of gap `k` (`0 ≤ k ≤ n`).
    fn gap(&self, k: usize) -> (Fr, Fr) {
        let low = if k == 0 { Fr::from(LOW_SENTINEL) } else { bound(self.ids[k - 1]) };
        let high = match self.ids.get(k) {
            Some(id) => bound(*id),
            None => high_sentinel(),
        };
        (low, high)
    }

    /// Recomputes the leaves from gap `first` on and every node above them.
    fn rehash_from(&mut self, first: usize) {
        let gaps = self.ids.len() + 1;
        let leaves: Vec<Fr> = (first..gaps)
            .map(|k| {
                let (low, high) = self.gap(k);
                gap_leaf(low, high)
            })
            .collect();
        self.levels[0].truncate(first);
        self.levels[0].extend(leaves);
        for h in 1..=REVOCATION_DEPTH {
            let start = first >> (2 * h);
            let (below, above) = self.levels.split_at_mut(h);
            let below = &below[h - 1];
            let above = &mut above[0];
            let len = below.len().div_ceil(REVOCATION_ARITY);
            above.truncate(start);
            for i in start..len {
                let children: [Fr; REVOCATION_ARITY] = std::array::from_fn(|j| {
                    below.get(REVOCATION_ARITY * i + j).copied().unwrap_or(empty_roots()[h - 1])
                });
                above.push(poseidon_hash(&children));
            }
        }
    }

    /// The node at `(height, index)`: stored, or the root of an empty subtree.
    fn node(&self, height: usize, index: usize) -> Fr {
        self.levels[height].get(index).copied().unwrap_or(empty_roots()[height])
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use ark_ff::Field;
    use proptest::prelude::*;

    use super::*;
    use crate::field::fr_to_decimal;

    /// Reference root, computed independently of the stored levels: the gap leaves of the
    /// sorted set, then recursion over the four quarters of a subtree of `height`.
    fn reference(ids: &BTreeSet<u128>) -> Fr {
        let mut bounds = vec![Fr::from(LOW_SENTINEL)];
        bounds.extend(ids.iter().map(|id| Fr::from(*id) + Fr::from(1u64)));
        bounds.push(Fr::from(u128::MAX) + Fr::from(2u64));
        let leaves: Vec<Fr> = bounds.windows(2).map(|w| poseidon_hash(&[w[0], w[1]])).collect();
        fn root(leaves: &[Fr], height: usize) -> Fr {
            if leaves.is_empty() {
                return empty_roots()[height];
            }
            if height == 0 {
                return leaves[0];
            }
            let mut quarters = leaves.chunks(1usize << (2 * (height - 1)));
            let children: Vec<Fr> =
                (0..4).map(|_| root(quarters.next().unwrap_or(&[]), height - 1)).collect();
            poseidon_hash(&children)
        }
        root(&leaves, REVOCATION_DEPTH)
    }

    #[test]
    fn known_answers() {
        // Computed with circomlibjs' Poseidon: Z[h+1] = Poseidon(Z[h], Z[h], Z[h], Z[h]).
        let z = empty_roots();
        assert_eq!(fr_to_decimal(&z[1]), Z1);
        assert_eq!(high_sentinel(), Fr::from(2u64).pow([128]) + Fr::from(1u64));
        let empty = RevocationTree::new();
        assert_eq!(empty.root(), reference(&BTreeSet::new()));
        assert_eq!(fr_to_decimal(&empty.root()), EMPTY_ROOT);
        let one = RevocationTree::from_ids([5u128]).unwrap();
        assert_eq!(fr_to_decimal(&one.root()), ROOT_WITH_5);
    }

    /// The empty tree's root and the root with id 5 revoked, computed with circomlibjs'
    /// Poseidon over the layout of `docs/credentials.md` (gap leaves, empty leaves 0).
    const EMPTY_ROOT: &str = "1531952813251722824657236997264364570905237574699889191288754676541382046500";
    const ROOT_WITH_5: &str = "15661309905817790300756339044438898738407636769315790751069109372595236251753";
    /// `Poseidon(0, 0, 0, 0)`.
    const Z1: &str = "2351654555892372227640888372176282444150254868378439619268573230312091195718";

    #[test]
    fn revoke_is_idempotent_and_keeps_ids_sorted() {
        let mut t = RevocationTree::new();
        assert_eq!(t.revoke(5), Ok(true));
        let root = t.root();
        assert_eq!(t.revoke(5), Ok(false));
        assert_eq!((t.len(), t.root()), (1, root));
        // No two ids share anything: a neighbour is not revoked.
        assert!(!t.is_revoked((1u128 << 64) | 5) && !t.is_revoked(4) && !t.is_revoked(6));
        assert_eq!(t.revoke(2), Ok(true));
        assert_ne!(t.root(), root);
        assert_eq!(t.revoked_ids().collect::<Vec<_>>(), vec![2, 5]);
        assert_eq!(t.non_membership(5), Err(RevocationError::Revoked));
    }

    #[test]
    fn the_limit_is_enforced_and_leaves_the_tree_unchanged() {
        let mut t = RevocationTree::with_limit(2);
        t.revoke(1).unwrap();
        t.revoke(2).unwrap();
        let root = t.root();
        assert_eq!(t.revoke(3), Err(RevocationError::TooManyRevoked));
        assert_eq!(t.revoke(2), Ok(false));
        assert_eq!((t.len(), t.root()), (2, root));
        assert!(!t.is_revoked(3));
        assert_eq!(RevocationTree::with_limit(usize::MAX).limit, MAX_REVOKED);
    }

    #[test]
    fn extreme_ids_and_a_leaf_in_every_position() {
        // Ids 0 and 2^128 − 1 are revocable, and the gaps next to them still prove.
        let ids = [0u128, 1, u128::MAX - 1, u128::MAX];
        let tree = RevocationTree::from_ids(ids).unwrap();
        let set: BTreeSet<u128> = ids.into_iter().collect();
        assert_eq!(tree.root(), reference(&set));
        for id in [2u128, 1 << 100, u128::MAX - 2] {
            assert!(tree.non_membership(id).unwrap().verify_non_membership(&tree.root(), id));
        }
        for id in ids {
            assert!(!tree.path(id).verify_non_membership(&tree.root(), id));
        }
        // 70 ids: leaves in every quarter of several subtrees, and incremental == rebuilt.
        let mut grown = RevocationTree::new();
        let many: Vec<u128> = (0..70u128).map(|i| i * 1_000_003 % 977).collect();
        for id in &many {
            grown.revoke(*id).unwrap();
        }
        let set: BTreeSet<u128> = many.iter().copied().collect();
        assert_eq!(grown.root(), reference(&set));
        assert_eq!(RevocationTree::from_ids(many).unwrap().root(), grown.root());
    }

    fn arb_id() -> impl Strategy<Value = u128> {
        prop_oneof![
            // Clustered ids: neighbours, equal ids, both ends of the range.
            0u128..48,
            (0u128..48).prop_map(|low| u128::MAX - low),
            any::<u128>(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn membership_answers_match_the_set(
            inserted in prop::collection::vec(arb_id(), 0..12),
            probes in prop::collection::vec(arb_id(), 0..12),
        ) {
            let mut tree = RevocationTree::new();
            let mut set = BTreeSet::new();
            for id in &inserted {
                let changed = tree.revoke(*id).unwrap();
                prop_assert_eq!(changed, set.insert(*id));
                prop_assert_eq!(tree.root(), reference(&set));
            }
            prop_assert_eq!(tree.len(), set.len());
            let root = tree.root();
            for id in inserted.iter().chain(&probes) {
                let id = *id;
                let revoked = set.contains(&id);
                prop_assert_eq!(tree.is_revoked(id), revoked);
                prop_assert_eq!(tree.path(id).verify_non_membership(&root, id), !revoked);
                match tree.non_membership(id) {
                    Ok(p) => {
                        prop_assert!(!revoked);
                        prop_assert!(p.verify_non_membership(&root, id));
                        // The JSON form round-trips.
                        let json = serde_json::to_vec(&p.to_json()).unwrap();
                        prop_assert_eq!(&RevocationPath::from_json(&json).unwrap(), &p);
                    }
                    Err(e) => {
                        prop_assert!(revoked);
                        prop_assert_eq!(e, RevocationError::Revoked);
                    }
                }
            }
            // Order does not matter; rebuilding from the stored ids gives the same tree.
            let mut reversed = inserted.clone();
            reversed.reverse();
            prop_assert_eq!(RevocationTree::from_ids(reversed).unwrap().root(), root);
            let rebuilt = RevocationTree::from_ids(tree.revoked_ids()).unwrap();
            prop_assert_eq!(rebuilt.root(), root);
            prop_assert_eq!(rebuilt.revoked_ids().collect::<BTreeSet<_>>(), set);
        }
    }
}
