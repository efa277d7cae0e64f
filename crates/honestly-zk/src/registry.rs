//! The document registry: an append-only Poseidon Merkle tree of depth 20 over
//! `field(sha256)` of every registered document. Empty leaves are 0 and
//! `node = Poseidon(left, right)`. Plain data the server can persist: the leaves (in order)
//! determine everything; the root history is `roots()[epoch]` = the root when the tree held
//! `epoch` leaves.

use std::sync::OnceLock;

use rayon::prelude::*;

use crate::{poseidon::poseidon_hash, Fr};

/// Depth of the registry tree (2^20 leaves).
pub const REGISTRY_DEPTH: usize = 20;

/// The root of an empty subtree at each level (`zeros()[0]` = 0, the empty leaf).
pub fn zero_hashes() -> &'static [Fr; REGISTRY_DEPTH + 1] {
    static Z: OnceLock<[Fr; REGISTRY_DEPTH + 1]> = OnceLock::new();
    Z.get_or_init(|| {
        let mut z = [Fr::from(0u64); REGISTRY_DEPTH + 1];
        for i in 1..=REGISTRY_DEPTH {
            z[i] = poseidon_hash(&[z[i - 1], z[i - 1]]);
        }
        z
    })
}

/// A Merkle path: the sibling at each level (leaf level first) and whether the current node
/// is the right child there (`1`) or the left child (`0`) — circom's `pathIndices`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerklePath {
    /// Siblings from the leaf level up.
    pub elements: [Fr; REGISTRY_DEPTH],
    /// `true` when the node on the path is the right child at that level.
    pub indices: [bool; REGISTRY_DEPTH],
}

impl MerklePath {
    /// The root this path leads to from `leaf`.
    pub fn root_from(&self, leaf: Fr) -> Fr {
        self.elements.iter().zip(self.indices).fold(leaf, |cur, (sib, right)| {
            if right {
                poseidon_hash(&[*sib, cur])
            } else {
                poseidon_hash(&[cur, *sib])
            }
        })
    }
}

/// Why a registry operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// The tree holds 2^20 leaves already.
    #[error("the registry is full")]
    Full,
    /// No leaf at that index.
    #[error("no leaf at index {0}")]
    NoSuchLeaf(usize),
    /// Stored leaves and root history do not belong together.
    #[error("the stored root history does not match the leaves")]
    InconsistentHistory,
}

/// The append-only registry tree with its root history.
#[derive(Debug, Clone)]
pub struct RegistryTree {
    /// `levels[0]` are the leaves; `levels[d][i]` the filled nodes at height `d`.
    levels: Vec<Vec<Fr>>,
    /// `roots[k]` = the root when the tree held `k` leaves (`roots[0]` = the empty root).
    roots: Vec<Fr>,
}

impl Default for RegistryTree {
    fn default() -> Self {
        Self::new()
    }
}

impl RegistryTree {
    /// An empty tree.
    pub fn new() -> Self {
        Self { levels: vec![Vec::new(); REGISTRY_DEPTH + 1], roots: vec![zero_hashes()[REGISTRY_DEPTH]] }
    }

    /// Rebuilds a tree (and its root history) from its leaves in registration order.
    pub fn from_leaves(leaves: impl IntoIterator<Item = Fr>) -> Result<Self, RegistryError> {
        let mut tree = Self::new();
        for leaf in leaves {
            tree.append(leaf)?;
        }
        Ok(tree)
    }

    /// Rebuilds a tree from stored leaves and stored root history (`roots[epoch]`, as
    /// [`RegistryTree::roots`] returned them) in O(n) hashes instead of O(20·n): the level
    /// nodes are built bottom-up and only the current root is recomputed and compared with
    /// the last stored root. Refuses a history whose length or last root does not match.
    pub fn from_parts(leaves: Vec<Fr>, roots: Vec<Fr>) -> Result<Self, RegistryError> {
        if leaves.len() > 1 << REGISTRY_DEPTH {
            return Err(RegistryError::Full);
        }
        if roots.len() != leaves.len() + 1 || roots[0] != zero_hashes()[REGISTRY_DEPTH] {
            return Err(RegistryError::InconsistentHistory);
        }
        let zeros = zero_hashes();
        let mut levels = Vec::with_capacity(REGISTRY_DEPTH + 1);
        levels.push(leaves);
        for d in 0..REGISTRY_DEPTH {
            let below = &levels[d];
            let row: Vec<Fr> = below
                .par_chunks(2)
                .map(|pair| poseidon_hash(&[pair[0], pair.get(1).copied().unwrap_or(zeros[d])]))
                .collect();
            levels.push(row);
        }
        let root = levels[REGISTRY_DEPTH].first().copied().unwrap_or(zeros[REGISTRY_DEPTH]);
        if roots.last() != Some(&root) {
            return Err(RegistryError::InconsistentHistory);
        }
        Ok(Self { levels, roots })
    }

    /// Number of leaves (also the current epoch).
    pub fn len(&self) -> usize {
        self.levels[0].len()
    }

    /// Whether no document is registered yet.
    pub fn is_empty(&self) -> bool {
        self.levels[0].is_empty()
    }

    /// The leaves in registration order.
    pub fn leaves(&self) -> &[Fr] {
        &self.levels[0]
    }

    /// Index of the first occurrence of `leaf`.
    pub fn position(&self, leaf: &Fr) -> Option<usize> {
        self.levels[0].iter().position(|l| l == leaf)
    }

    /// Appends a leaf; returns `(index, new_root)`. The new epoch is `index + 1`.
    pub fn append(&mut self, leaf: Fr) -> Result<(usize, Fr), RegistryError> {
        let index = self.len();
        if index >= 1 << REGISTRY_DEPTH {
            return Err(RegistryError::Full);
        }
        let zeros = zero_hashes();
        self.levels[0].push(leaf);
        let mut i = index;
        let mut cur = leaf;
        for (d, zero) in zeros.iter().enumerate().take(REGISTRY_DEPTH) {
            let parent = if i & 1 == 0 {
                poseidon_hash(&[cur, *zero])
            } else {
                poseidon_hash(&[self.levels[d][i - 1], cur])
            };
            i /= 2;
            let row = &mut self.levels[d + 1];
            if i < row.len() {
                row[i] = parent;
            } else {
                row.push(parent);
            }
            cur = parent;
        }
        self.roots.push(cur);
        Ok((index, cur))
    }

    /// The current root.
    pub fn root(&self) -> Fr {
        self.roots[self.roots.len() - 1]
    }

    /// Every root the tree has had: `roots()[epoch]`.
    pub fn roots(&self) -> &[Fr] {
        &self.roots
    }

    /// The root at `epoch` (the tree's size when that root was made).
    pub fn root_at(&self, epoch: usize) -> Option<Fr> {
        self.roots.get(epoch).copied()
    }

    /// Whether `root` is one of the tree's roots, returning its epoch.
    pub fn epoch_of_root(&self, root: &Fr) -> Option<usize> {
        self.roots.iter().position(|r| r == root)
    }

    /// The path of the leaf at `index` in the current tree.
    pub fn path(&self, index: usize) -> Result<MerklePath, RegistryError> {
        if index >= self.len() {
            return Err(RegistryError::NoSuchLeaf(index));
        }
        let zeros = zero_hashes();
        let mut elements = [Fr::from(0u64); REGISTRY_DEPTH];
        let mut indices = [false; REGISTRY_DEPTH];
        let mut i = index;
        for d in 0..REGISTRY_DEPTH {
            let sibling = i ^ 1;
            elements[d] = self.levels[d].get(sibling).copied().unwrap_or(zeros[d]);
            indices[d] = i & 1 == 1;
            i /= 2;
        }
        Ok(MerklePath { elements, indices })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn empty_and_single_leaf() {
        let mut t = RegistryTree::new();
        assert_eq!(t.root(), zero_hashes()[REGISTRY_DEPTH]);
        let leaf = crate::field::sha256_field(b"passport");
        let (i, root) = t.append(leaf).unwrap();
        assert_eq!(i, 0);
        let mut expect = leaf;
        for z in &zero_hashes()[..REGISTRY_DEPTH] {
            expect = poseidon_hash(&[expect, *z]);
        }
        assert_eq!(root, expect);
        assert_eq!(t.roots().len(), 2);
        assert_eq!(t.epoch_of_root(&root), Some(1));
        assert!(t.path(1).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(8))]
        #[test]
        fn every_path_leads_to_the_root(n in 1usize..12, seed in any::<u64>()) {
            let leaves: Vec<Fr> = (0..n as u64).map(|i| Fr::from(seed ^ i) + Fr::from(7u64)).collect();
            let t = RegistryTree::from_leaves(leaves.clone()).unwrap();
            for (i, leaf) in leaves.iter().enumerate() {
                let p = t.path(i).unwrap();
                prop_assert_eq!(p.root_from(*leaf), t.root());
                prop_assert_ne!(p.root_from(*leaf + Fr::from(1u64)), t.root());
            }
            // Rebuilding from stored parts gives the same tree; a wrong history is refused.
            let rebuilt = RegistryTree::from_parts(leaves.clone(), t.roots().to_vec()).unwrap();
            prop_assert_eq!(rebuilt.root(), t.root());
            prop_assert_eq!(rebuilt.path(n - 1).unwrap(), t.path(n - 1).unwrap());
            let mut wrong = t.roots().to_vec();
            wrong[n] += Fr::from(1u64);
            prop_assert!(RegistryTree::from_parts(leaves.clone(), wrong).is_err());
            prop_assert!(RegistryTree::from_parts(leaves.clone(), t.roots()[..n].to_vec()).is_err());
            // History: a prefix tree has the recorded root.
            let k = n / 2;
            let prefix = RegistryTree::from_leaves(leaves[..k].iter().copied()).unwrap();
            prop_assert_eq!(t.root_at(k), Some(prefix.root()));
        }
    }
}
