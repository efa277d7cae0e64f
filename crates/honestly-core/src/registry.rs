//! The document registry: the append-only Poseidon Merkle tree of every registered document
//! (`docs/zk.md`, "The document registry"), kept in memory for paths and roots and persisted leaf by leaf with the documents.

use std::sync::Arc;

use honestly_zk::{fr_from_decimal, fr_to_decimal, Fr, MerklePath, RegistryTree};
use tokio::sync::Mutex;

use crate::clock::Timestamp;
use crate::store::{Store, StoreError};

/// The registry tree, shared by uploads (append) and proofs (paths, roots).
pub struct Registry {
    store: Arc<dyn Store>,
    tree: Mutex<RegistryTree>,
}

/// A leaf appended by [`Registry::append_with`].
#[derive(Debug, Clone)]
pub struct Appended {
    /// Position of the leaf.
    pub index: u64,
    /// The leaf, decimal.
    pub leaf: String,
    /// The root after the append, decimal.
    pub root: String,
}

async fn load_tree(store: &Arc<dyn Store>) -> Result<RegistryTree, StoreError> {
    let leaves = store.registry_leaves().await?;
    let roots = store.registry_roots().await?;
    tokio::task::spawn_blocking(move || {
        let parse = |values: Vec<String>, what: &str| {
            values
                .iter()
                .map(|v| {
                    fr_from_decimal(v).map_err(|e| StoreError::internal(format!("registry {what}: {e}")))
                })
                .collect::<Result<Vec<Fr>, _>>()
        };
        let leaves = parse(leaves, "leaf")?;
        let mut history = vec![RegistryTree::new().root()];
        history.extend(parse(roots, "root")?);
        // O(n) hashes instead of one path (20 hashes) per leaf; the stored roots are the
        // history, checked against the rebuilt tree's root.
        RegistryTree::from_parts(leaves, history).map_err(|e| StoreError::internal(format!("registry: {e}")))
    })
    .await
    .map_err(StoreError::internal)?
}

impl Registry {
    /// Rebuilds the tree from the stored leaves (off the async runtime).
    pub async fn load(store: Arc<dyn Store>) -> Result<Self, StoreError> {
        let tree = load_tree(&store).await?;
        Ok(Self { store, tree: Mutex::new(tree) })
    }

    /// Appends `leaf` and runs `persist` with the new position and root while holding the
    /// tree, so positions are handed out in order. If `persist` fails, the tree is reloaded
    /// from the store and the error returned.
    pub async fn append_with<F, Fut, T>(&self, leaf: Fr, persist: F) -> Result<T, StoreError>
    where
        F: FnOnce(Appended) -> Fut,
        Fut: std::future::Future<Output = Result<T, StoreError>>,
    {
        let mut tree = self.tree.lock().await;
        let (index, root) = tree.append(leaf).map_err(|e| StoreError::conflict(format!("registry: {e}")))?;
        let appended =
            Appended { index: index as u64, leaf: fr_to_decimal(&leaf), root: fr_to_decimal(&root) };
        match persist(appended).await {
            Ok(value) => Ok(value),
            Err(e) => {
                *tree = load_tree(&self.store).await?;
                Err(e)
            }
        }
    }

    /// When the last document was registered (`None` while the tree is empty).
    pub async fn updated_at(&self) -> Result<Option<Timestamp>, StoreError> {
        Ok(self.store.registry_state().await?.updated_at)
    }

    /// The path of the leaf at `index`, with the current root and epoch (tree size).
    pub async fn path(&self, index: u64) -> Option<(MerklePath, Fr, u64)> {
        let tree = self.tree.lock().await;
        let path = tree.path(index as usize).ok()?;
        Some((path, tree.root(), tree.len() as u64))
    }

    /// The epoch at which `root` was the registry's root, if it ever was.
    pub async fn epoch_of_root(&self, root: &Fr) -> Option<u64> {
        self.tree.lock().await.epoch_of_root(root).map(|e| e as u64)
    }

    /// Current size and root.
    pub async fn current(&self) -> (u64, Fr) {
        let tree = self.tree.lock().await;
        (tree.len() as u64, tree.root())
    }

    /// Current size and root, the root as a decimal string.
    pub async fn current_decimal(&self) -> (u64, String) {
        let (size, root) = self.current().await;
        (size, fr_to_decimal(&root))
    }
}
