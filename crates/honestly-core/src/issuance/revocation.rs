//! Each hosted issuer's revocation tree and its current signed state, cached per process and
//! checked against the store on every use: the issuer record's `revocation_version` says
//! whether the cached tree is current, so every replica publishes a state that includes every
//! revocation as soon as the store has it. A state is re-signed when it is older than
//! [`RESIGN_AFTER_SECS`], so a fresh one always exists even when nothing changes.

use std::collections::HashMap;
use std::sync::Arc;

use honestly_zk::revocation::{RevocationState, RevocationTree, MAX_REVOKED};
use parking_lot::Mutex;

use super::keys;
use super::model::IssuerRecord;
use crate::credentials::SignedState;
use crate::crypto::vault::{VaultError, VaultKeys};
use crate::ids::IssuerId;
use crate::store::{Store, StoreError};

/// A signed state older than this (seconds) is replaced by a fresh signature of the same root.
pub const RESIGN_AFTER_SECS: u64 = 300;

/// Why the current state could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RevocationCacheError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The issuer's key does not open with the configured master keys.
    #[error("the issuer's key cannot be opened: {0}")]
    Key(#[from] VaultError),
    /// The stored revocations do not make a tree (more than the tree holds).
    #[error("the issuer's revocations do not fit the tree")]
    Tree,
}

/// An issuer's tree and signed state at one `revocation_version`.
#[derive(Debug)]
pub struct IssuerRevocations {
    /// The issuer record's `revocation_version` this was built at.
    pub version: u64,
    /// The revocation tree.
    pub tree: Arc<RevocationTree>,
    /// The current root, signed.
    pub state: SignedState,
}

/// The per-process cache (one entry per hosted issuer; issuers are few and bounded).
#[derive(Default)]
pub struct RevocationCache {
    entries: Mutex<HashMap<IssuerId, Arc<IssuerRevocations>>>,
}

impl RevocationCache {
    /// The issuer's current tree and a signed state at most [`RESIGN_AFTER_SECS`] old at `now`
    /// (Unix seconds). `issuer` must be freshly read from the store.
    pub async fn current(
        &self,
        store: &dyn Store,
        vault: &VaultKeys,
        issuer: &IssuerRecord,
        now: u64,
    ) -> Result<Arc<IssuerRevocations>, RevocationCacheError> {
        let cached = self.entries.lock().get(&issuer.id).cloned();
        let tree = match cached {
            Some(entry) if entry.version == issuer.revocation_version => {
                if now.saturating_sub(entry.state.state.issued_at) < RESIGN_AFTER_SECS
                    && entry.state.state.issued_at <= now
                {
                    return Ok(entry);
                }
                entry.tree.clone()
            }
            _ => {
                let serials = store.revoked_serials(&issuer.id, MAX_REVOKED as u32).await?;
                let tree = tokio::task::spawn_blocking(move || RevocationTree::from_ids(serials))
                    .await
                    .map_err(|_| RevocationCacheError::Tree)?
                    .map_err(|_| RevocationCacheError::Tree)?;
                Arc::new(tree)
            }
        };
        let key = keys::open(vault, &issuer.id, issuer.sealed_key.clone())?;
        let state = SignedState::sign(&key, RevocationState { root: tree.root(), issued_at: now });
        let entry = Arc::new(IssuerRevocations { version: issuer.revocation_version, tree, state });
        let mut entries = self.entries.lock();
        // Keep the newer of two concurrent rebuilds.
        match entries.get(&issuer.id) {
            Some(other) if other.version > entry.version => Ok(other.clone()),
            _ => {
                entries.insert(issuer.id.clone(), entry.clone());
                Ok(entry)
            }
        }
    }
}
