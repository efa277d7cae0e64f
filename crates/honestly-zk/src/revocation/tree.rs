//! The native revocation tree: sparse storage, root, paths and membership answers.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{
    empty_roots, revoked_leaf, slot, RevocationError, RevocationPath, MAX_REVOKED, REVOCATION_DEPTH,
};
use crate::{poseidon::poseidon_hash, Fr};

/// The sparse revocation tree of one issuer.
///
/// Stored: the revoked ids (by slot) and the inner nodes whose subtree holds two or more
/// revoked slots. Any other node is an empty subtree (a precomputed root) or a subtree with
/// exactly one revoked slot, whose root is hashed from that slot on demand (at most its
/// height in hashes). Memory is O(number of revoked ids).
#[derive(Debug, Clone)]
pub struct RevocationTree {
    /// Revoked ids by slot (several ids may share a slot; see `docs/credentials.md`).
    slots: BTreeMap<u64, BTreeSet<u128>>,
    /// Number of distinct revoked ids.
    count: usize,
    /// Inner nodes over ≥ 2 revoked slots, keyed by (height, index at that height).
    nodes: HashMap<(u8, u64), Fr>,
    /// The most distinct ids this tree accepts (≤ [`MAX_REVOKED`]).
    limit: usize,
}

impl Default for RevocationTree {
    fn default() -> Self {
        Self::new()
    }
}

/// The first and last slot under the node at `(height, index)`.
fn span(height: usize, index: u64) -> (u64, u64) {
    if height >= REVOCATION_DEPTH {
        return (0, u64::MAX);
    }
    let lo = index << height;
    (lo, lo | ((1u64 << height) - 1))
}

impl RevocationTree {
    /// An empty tree (nothing revoked).
    pub fn new() -> Self {
        Self::with_limit(MAX_REVOKED)
    }

    /// An empty tree that accepts at most `limit` distinct ids (capped at [`MAX_REVOKED`]).
    pub fn with_limit(limit: usize) -> Self {
        Self { slots: BTreeMap::new(), count: 0, nodes: HashMap::new(), limit: limit.min(MAX_REVOKED) }
    }

    /// Rebuilds a tree from stored revoked ids (any order, duplicates allowed); refuses more
    /// than [`MAX_REVOKED`] distinct ids.
    pub fn from_ids(ids: impl IntoIterator<Item = u128>) -> Result<Self, RevocationError> {
        let mut tree = Self::new();
        for id in ids {
            tree.revoke(id)?;
        }
        Ok(tree)
    }

    /// Number of distinct revoked ids.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether nothing is revoked.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The revoked ids, in increasing slot order.
    pub fn revoked_ids(&self) -> impl Iterator<Item = u128> + '_ {
        self.slots.values().flatten().copied()
    }

    /// Whether this exact id was revoked.
    pub fn contains(&self, id: u128) -> bool {
        self.slots.get(&slot(id)).is_some_and(|ids| ids.contains(&id))
    }

    /// Whether the credential's slot is marked revoked — the answer the circuit enforces: a
    /// credential with this id cannot prove non-membership. True for every revoked id, and
    /// also for an id that shares its slot (low 64 bits) with a revoked one.
    pub fn is_revoked(&self, id: u128) -> bool {
        self.slots.contains_key(&slot(id))
    }

    /// Marks `id` revoked. Returns `Ok(true)` when the root changed (the slot was empty),
    /// `Ok(false)` when the id was already revoked or its slot already marked (the id is
    /// recorded either way). Refuses a new id beyond the tree's limit ([`MAX_REVOKED`] unless
    /// [`RevocationTree::with_limit`] set a lower one); the tree is unchanged then.
    pub fn revoke(&mut self, id: u128) -> Result<bool, RevocationError> {
        let s = slot(id);
        if let Some(ids) = self.slots.get_mut(&s) {
            if !ids.contains(&id) {
                if self.count >= self.limit {
                    return Err(RevocationError::TooManyRevoked);
                }
                ids.insert(id);
                self.count += 1;
            }
            return Ok(false);
        }
        if self.count >= self.limit {
            return Err(RevocationError::TooManyRevoked);
        }
        self.slots.insert(s, BTreeSet::from([id]));
        self.count += 1;
        // Store every ancestor that now covers ≥ 2 revoked slots. Below the first such
        // height the new slot is alone in its subtree, and nothing is stored.
        let mut cur: Option<Fr> = None;
        for h in 1..=REVOCATION_DEPTH {
            let index = if h == REVOCATION_DEPTH { 0 } else { s >> h };
            if self.count_under(h, index) < 2 {
                continue;
            }
            let below = match cur {
                Some(v) => v,
                None => self.single_root(s, h - 1),
            };
            let child = s >> (h - 1);
            let sibling = self.node(h - 1, child ^ 1);
            let parent = if child & 1 == 0 {
                poseidon_hash(&[below, sibling])
            } else {
                poseidon_hash(&[sibling, below])
            };
            self.nodes.insert((h as u8, index), parent);
            cur = Some(parent);
        }
        Ok(true)
    }

    /// The current root.
    pub fn root(&self) -> Fr {
        self.node(REVOCATION_DEPTH, 0)
    }

    /// The path of `id`'s slot (siblings from the leaf level up), whatever its leaf holds.
    pub fn path(&self, id: u128) -> RevocationPath {
        let s = slot(id);
        let mut siblings = [Fr::from(0u64); REVOCATION_DEPTH];
        for (h, sibling) in siblings.iter_mut().enumerate() {
            *sibling = self.node(h, (s >> h) ^ 1);
        }
        RevocationPath { siblings }
    }

    /// A non-membership path for `id` (its slot's leaf is 0), or [`RevocationError::Revoked`].
    pub fn non_membership(&self, id: u128) -> Result<RevocationPath, RevocationError> {
        if self.is_revoked(id) {
            return Err(RevocationError::Revoked);
        }
        Ok(self.path(id))
    }

    /// How many revoked slots the node at `(height, index)` covers, counting up to 2.
    fn count_under(&self, height: usize, index: u64) -> usize {
        let (lo, hi) = span(height, index);
        self.slots.range(lo..=hi).take(2).count()
    }

    /// The root of a subtree of `height` whose only revoked slot is `s`.
    fn single_root(&self, s: u64, height: usize) -> Fr {
        let zeros = empty_roots();
        (0..height).fold(revoked_leaf(), |cur, d| {
            if (s >> d) & 1 == 0 {
                poseidon_hash(&[cur, zeros[d]])
            } else {
                poseidon_hash(&[zeros[d], cur])
            }
        })
    }

    /// The node at `(height, index)`: stored, empty, or hashed from its single slot.
    fn node(&self, height: usize, index: u64) -> Fr {
        if height == 0 {
            return if self.slots.contains_key(&index) { revoked_leaf() } else { Fr::from(0u64) };
        }
        if let Some(v) = self.nodes.get(&(height as u8, index)) {
            return *v;
        }
        let (lo, hi) = span(height, index);
        let mut under = self.slots.range(lo..=hi).map(|(s, _)| *s);
        match (under.next(), under.next()) {
            (None, _) => empty_roots()[height],
            (Some(s), None) => self.single_root(s, height),
            // Not reached while `revoke` keeps its invariant; still correct, only slower.
            (Some(_), Some(_)) => {
                poseidon_hash(&[self.node(height - 1, index << 1), self.node(height - 1, (index << 1) | 1)])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;
    use crate::field::{fr_from_decimal, fr_to_decimal};

    /// Reference root, computed independently of the stored nodes: recursion over the sorted
    /// revoked slots of a subtree of `height`, whose children differ in bit `height − 1`.
    fn reference_root(slots: &[u64], height: usize) -> Fr {
        if slots.is_empty() {
            return empty_roots()[height];
        }
        if height == 0 {
            return revoked_leaf();
        }
        let bit = height - 1;
        let split = slots.partition_point(|s| (s >> bit) & 1 == 0);
        poseidon_hash(&[
            reference_root(&slots[..split], height - 1),
            reference_root(&slots[split..], height - 1),
        ])
    }

    /// The reference root of a set of ids (slots in increasing order: each subtree is then a
    /// contiguous range, split at its height's bit).
    fn reference(ids: &BTreeSet<u128>) -> Fr {
        let slots: Vec<u64> = ids.iter().map(|id| slot(*id)).collect::<BTreeSet<_>>().into_iter().collect();
        reference_root(&slots, REVOCATION_DEPTH)
    }

    #[test]
    fn known_answers_from_circomlibjs() {
        // Computed with circomlibjs' Poseidon: Z[h+1] = Poseidon(Z[h], Z[h]).
        let z = empty_roots();
        assert_eq!(
            fr_to_decimal(&z[1]),
            "14744269619966411208579211824598458697587494354926760081771325075741142829156"
        );
        assert_eq!(
            fr_to_decimal(&z[32]),
            "21443572485391568159800782191812935835534334817699172242223315142338162256601"
        );
        assert_eq!(z[20], crate::registry::zero_hashes()[20]);
        let empty = RevocationTree::new();
        assert_eq!(
            fr_to_decimal(&empty.root()),
            "15142555336154598162211206605941409621074383274942686710581850886081554431761"
        );
        // Only slot 5 revoked (leaf 1 at index 5 of depth 64).
        let one = RevocationTree::from_ids([5u128]).unwrap();
        assert_eq!(
            one.root(),
            fr_from_decimal("20910142509448292278084329871200411750716561706593151315871959229893872740538")
                .unwrap()
        );
        // The high 64 bits do not change the slot.
        assert_eq!(RevocationTree::from_ids([(77u128 << 64) | 5]).unwrap().root(), one.root());
    }

    #[test]
    fn revoke_is_idempotent_and_collisions_are_recorded() {
        let mut t = RevocationTree::new();
        assert_eq!(t.revoke(5), Ok(true));
        let root = t.root();
        assert_eq!(t.revoke(5), Ok(false));
        assert_eq!(t.len(), 1);
        let twin = (1u128 << 64) | 5;
        assert!(t.is_revoked(twin) && !t.contains(twin));
        assert_eq!(t.non_membership(twin), Err(RevocationError::Revoked));
        assert_eq!(t.revoke(twin), Ok(false));
        assert!(t.contains(twin));
        assert_eq!(t.root(), root);
        assert_eq!(t.len(), 2);
        assert_eq!(t.revoked_ids().collect::<Vec<_>>(), vec![5, twin]);
    }

    #[test]
    fn the_limit_is_enforced_and_leaves_the_tree_unchanged() {
        let mut t = RevocationTree::with_limit(2);
        t.revoke(1).unwrap();
        t.revoke(2).unwrap();
        let root = t.root();
        assert_eq!(t.revoke(3), Err(RevocationError::TooManyRevoked));
        assert_eq!(t.revoke((9u128 << 64) | 1), Err(RevocationError::TooManyRevoked));
        assert_eq!(t.revoke(2), Ok(false));
        assert_eq!((t.len(), t.root()), (2, root));
        assert!(!t.is_revoked(3));
        assert_eq!(RevocationTree::with_limit(usize::MAX).limit, MAX_REVOKED);
    }

    #[test]
    fn a_lone_slot_at_every_height_is_hashed_correctly() {
        // Slots 2^k: on slot 0's path every sibling is a subtree with exactly one revoked
        // slot (the layout that costs the most hashes), and slot 0 itself is empty.
        let ids: Vec<u128> = (0..REVOCATION_DEPTH).map(|k| 1u128 << k).collect();
        let tree = RevocationTree::from_ids(ids.iter().copied()).unwrap();
        let set: BTreeSet<u128> = ids.iter().copied().collect();
        assert_eq!(tree.root(), reference(&set));
        let path = tree.non_membership(0).unwrap();
        assert!(path.verify_non_membership(&tree.root(), 0));
        for id in ids {
            assert!(tree.path(id).verify_membership(&tree.root(), id));
        }
    }

    fn arb_id() -> impl Strategy<Value = u128> {
        prop_oneof![
            // Clustered slots: long shared prefixes, neighbours, equal slots.
            (0u128..48, 0u128..3).prop_map(|(low, high)| (high << 64) | low),
            (0u128..48).prop_map(|low| (u128::from(u64::MAX) - low) | (5u128 << 64)),
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
                prop_assert_eq!(changed, !set.iter().any(|x| slot(*x) == slot(*id)));
                set.insert(*id);
                prop_assert_eq!(tree.root(), reference(&set));
            }
            prop_assert_eq!(tree.len(), set.len());
            let slots: BTreeSet<u64> = set.iter().map(|id| slot(*id)).collect();
            let root = tree.root();
            for id in inserted.iter().chain(&probes) {
                let id = *id;
                let revoked = slots.contains(&slot(id));
                prop_assert_eq!(tree.is_revoked(id), revoked);
                prop_assert_eq!(tree.contains(id), set.contains(&id));
                let path = tree.path(id);
                prop_assert_eq!(path.verify_membership(&root, id), revoked);
                prop_assert_eq!(path.verify_non_membership(&root, id), !revoked);
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
