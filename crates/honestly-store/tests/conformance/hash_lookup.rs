//! Documents by plaintext SHA-256: across vaults, and within one owner's vault.

use std::sync::Arc;

use honestly_core::documents::DocumentMeta;
use honestly_core::ids::UserId;
use honestly_core::store::Store;
use honestly_core::timeline::{TimelineEvent, TimelineKind};

use crate::support::{new_document, new_user, random_hash};

/// Stores a document of `user_id` whose plaintext hash is `sha256`.
async fn insert_with_hash(store: &Arc<dyn Store>, user_id: &UserId, sha256: &str) -> DocumentMeta {
    let size = store.registry_state().await.expect("registry state").size;
    let mut doc = new_document(user_id, size, "v1");
    doc.meta.sha256 = sha256.to_string();
    let event = TimelineEvent::new(user_id, TimelineKind::DocumentUploaded).document(&doc.meta.id);
    store.insert_document(&doc, &event).await.expect("insert document");
    doc.meta
}

pub async fn document_by_sha256_within_one_owner(store: Arc<dyn Store>) {
    let (first, second, third) = (new_user(&store).await, new_user(&store).await, new_user(&store).await);
    let shared = random_hash();
    let older = insert_with_hash(&store, &first.user.id, &shared).await;
    let newest_own = insert_with_hash(&store, &first.user.id, &shared).await;
    let theirs = insert_with_hash(&store, &second.user.id, &shared).await;

    // Across vaults: the most recent, whoever owns it.
    assert_eq!(store.document_by_sha256(&shared).await.unwrap(), Some(theirs.clone()));
    // Within a vault: that owner's most recent only.
    assert_eq!(store.user_document_by_sha256(&first.user.id, &shared).await.unwrap(), Some(newest_own));
    assert_ne!(older.id, theirs.id);
    assert_eq!(store.user_document_by_sha256(&second.user.id, &shared).await.unwrap(), Some(theirs));
    assert_eq!(store.user_document_by_sha256(&third.user.id, &shared).await.unwrap(), None);
    assert_eq!(store.user_document_by_sha256(&first.user.id, &random_hash()).await.unwrap(), None);
}
