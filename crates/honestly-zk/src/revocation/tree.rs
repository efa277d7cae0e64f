//! The native revocation tree: sparse storage, root, paths and membership answers.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{empty_roots, revoked_leaf, slot, RevocationError, RevocationPath, MAX_REVOKED, REVOCATION_DEPTH};
use crate::{poseidon::poseidon_hash, Fr};

/// The sparse revocation tree of one issuer.
///
/// Stored: the revoked ids (by slot) and the inner nodes whose subtree holds two or more
/// revoked slots. Any other node is an empty subtree (a precomputed root) or a subtree with
/// exactly one revoked slot, whose root is hashed from that slot on demand (at most its
/// height in hashes). Memory is O(number of revoked ids).
#[derive(Debug, Clone, Default)]
pub struct RevocationTree {
    /// Revoked ids by slot (several ids may share a slot; see `docs/credentials.md`).
    slots: BTreeMap<u64, BTreeSet<u128>>,
    /// Number of distinct revoked ids.
    count: usize,
    /// Inner nodes over ≥ 2 revoked slots, keyed by (height, index at that height).
    nodes: HashMap<(u8, u64), Fr>,
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
        Self::default()
    }

    /// Rebuilds a tree from stored revoked ids (any order, duplicates allowed).
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
    /// recorded either way). Refuses a new id beyond [`MAX_REVOKED`].
    pub fn revoke(&mut self, id: u128) -> Result<bool, RevocationError> {
        let s = slot(id);
        if let Some(ids) = self.slots.get_mut(&s) {
            if !ids.contains(&id) {
                if self.count >= MAX_REVOKED {
                    return Err(RevocationError::TooManyRevoked);
                }
                ids.insert(id);
                self.count += 1;
            }
            return Ok(false);
        }
        if self.count >= MAX_REVOKED {
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
            (Some(_), Some(_)) => poseidon_hash(&[self.node(height - 1, index << 1), self.node(height - 1, (index << 1) | 1)]),
        }
    }
}
