//! Master-key rotation: re-encrypts every document and every other sealed thing (issuer keys,
//! request claims, held credentials, holder secrets, webhook signing secrets: each
//! [`SealedKind`]), then every delegated agent's secret, under the current (new) master key.
//!
//! Each document is replaced in its own atomic compare-and-swap (ciphertext, nonce and key
//! version together), so an interrupted rotation leaves every document readable under either
//! key and a rerun simply continues with the documents still under an old key. Running it again
//! after it finished changes nothing.

use std::sync::Arc;

use crate::crypto::vault::{VaultError, VaultKeys};
use crate::ids::{AgentId, DocumentId};
use crate::issuance::SealedKind;
use crate::store::{Store, StoreError};

/// Documents re-encrypted per store round trip.
const BATCH: u32 = 64;

/// Why a rotation stopped.
#[derive(Debug, thiserror::Error)]
pub enum RotationError {
    /// A document could not be decrypted with any configured key: nothing was changed for it.
    #[error("document {id} cannot be decrypted with the configured keys: {source}")]
    Undecryptable {
        /// The document.
        id: DocumentId,
        /// Why.
        source: VaultError,
    },
    /// A delegated agent's secret could not be decrypted with any configured key.
    #[error("agent {id}'s secret cannot be decrypted with the configured keys: {source}")]
    UndecryptableAgent {
        /// The agent.
        id: AgentId,
        /// Why.
        source: VaultError,
    },
    /// A sealed thing of the issuance area could not be decrypted with any configured key.
    #[error("{kind} {id} cannot be decrypted with the configured keys: {source}")]
    UndecryptableItem {
        /// Its kind.
        kind: SealedKind,
        /// Its id.
        id: String,
        /// Why.
        source: VaultError,
    },
    /// Another process keeps changing the same documents.
    #[error("no progress: another rotation is running")]
    NoProgress,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Re-encrypts every document not under `keys.current_version()`, then every sealed thing of
/// the issuance area ([`rotate_sealed_items`]). `progress(done, total)` is called after each
/// document. Returns how many documents were re-encrypted.
pub async fn rotate(
    store: Arc<dyn Store>,
    keys: Arc<VaultKeys>,
    mut progress: impl FnMut(u64, u64),
) -> Result<u64, RotationError> {
    let target = keys.current_version().to_string();
    let total = store.count_documents_not_under(&target).await?;
    let mut done = 0u64;
    loop {
        let batch = store.documents_not_under(&target, BATCH).await?;
        if batch.is_empty() {
            rotate_sealed_items(store, keys).await?;
            return Ok(done);
        }
        let mut progressed = false;
        for doc in batch {
            let old_version = doc.sealed.key_version.clone();
            let k = Arc::clone(&keys);
            let (id, owner) = (doc.id.clone(), doc.user_id.clone());
            let resealed = tokio::task::spawn_blocking(move || {
                k.open(doc.sealed, id.as_str(), owner.as_str())
                    .map(|plain| k.seal(plain, id.as_str(), owner.as_str()))
            })
            .await
            .map_err(StoreError::internal)?
            .map_err(|source| RotationError::Undecryptable { id: doc.id.clone(), source })?;
            if store.replace_sealed(&doc.id, &old_version, &resealed).await? {
                done += 1;
                progressed = true;
                progress(done, total.max(done));
            }
        }
        if !progressed {
            return Err(RotationError::NoProgress);
        }
    }
}

/// Re-encrypts every delegated agent's secret not under `keys.current_version()`, each in its
/// own compare and swap (resumable and idempotent like [`rotate`]). Returns how many changed.
pub async fn rotate_agent_secrets(store: Arc<dyn Store>, keys: Arc<VaultKeys>) -> Result<u64, RotationError> {
    let target = keys.current_version().to_string();
    let mut done = 0u64;
    loop {
        let batch = store.agents_not_under(&target, BATCH).await?;
        if batch.is_empty() {
            return Ok(done);
        }
        let mut progressed = false;
        for agent in batch {
            let binding = crate::agents::secret_binding(&agent.id);
            let old_version = agent.sealed_secret.key_version.clone();
            let resealed = keys
                .open(agent.sealed_secret, &binding, agent.user_id.as_str())
                .map(|plain| {
                    keys.seal(zeroize::Zeroizing::new(plain).to_vec(), &binding, agent.user_id.as_str())
                })
                .map_err(|source| RotationError::UndecryptableAgent { id: agent.id.clone(), source })?;
            if store.replace_agent_secret(&agent.id, &old_version, &resealed).await? {
                done += 1;
                progressed = true;
            }
        }
        if !progressed {
            return Err(RotationError::NoProgress);
        }
    }
}

/// Re-encrypts every sealed thing of each [`SealedKind`] not under `keys.current_version()`,
/// each in its own compare and swap (resumable and idempotent like [`rotate`]), bound as it
/// was sealed ([`SealedKind::binding`] and the owner). Returns how many changed.
pub async fn rotate_sealed_items(store: Arc<dyn Store>, keys: Arc<VaultKeys>) -> Result<u64, RotationError> {
    let target = keys.current_version().to_string();
    let mut done = 0u64;
    for &kind in SealedKind::ALL {
        loop {
            let batch = store.sealed_items_not_under(kind, &target, BATCH).await?;
            if batch.is_empty() {
                break;
            }
            let mut progressed = false;
            for item in batch {
                let binding = kind.binding(&item.id);
                let old_version = item.sealed.key_version.clone();
                let resealed = keys
                    .open(item.sealed, &binding, &item.owner)
                    .map(|plain| keys.seal(zeroize::Zeroizing::new(plain).to_vec(), &binding, &item.owner))
                    .map_err(|source| RotationError::UndecryptableItem {
                        kind,
                        id: item.id.clone(),
                        source,
                    })?;
                if store.replace_sealed_item(kind, &item.id, &old_version, &resealed).await? {
                    done += 1;
                    progressed = true;
                }
            }
            if !progressed {
                return Err(RotationError::NoProgress);
            }
        }
    }
    Ok(done)
}
