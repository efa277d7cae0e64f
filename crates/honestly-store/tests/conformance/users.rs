//! Accounts.

use std::sync::Arc;

use honestly_core::ids::UserId;
use honestly_core::store::Store;

use crate::support::{is_conflict, new_user, user_record, CREATED_AT};

pub async fn user_create_and_lookup(store: Arc<dyn Store>) {
    let record = new_user(&store).await;
    let found = store.user_by_username(&record.user.username).await.unwrap().expect("by username");
    assert_eq!(found.user, record.user);
    assert_eq!(found.password_hash, record.password_hash);
    assert_eq!(store.user_by_id(&record.user.id).await.unwrap(), Some(record.user.clone()));
    assert_eq!(store.user_by_id(&UserId::generate()).await.unwrap(), None);
    assert!(store.user_by_username("nobody-at-all").await.unwrap().is_none());

    let disabled = user_record(true, CREATED_AT);
    store.create_user(&disabled, &disabled.user.username).await.unwrap();
    assert!(store.user_by_id(&disabled.user.id).await.unwrap().unwrap().disabled);
}

pub async fn user_uniqueness_conflicts(store: Arc<dyn Store>) {
    let record = new_user(&store).await;
    let mut same_name = user_record(false, CREATED_AT);
    same_name.user.username = record.user.username.clone();
    assert!(is_conflict(store.create_user(&same_name, &record.user.username).await));
    let mut same_id = user_record(false, CREATED_AT);
    same_id.user.id = record.user.id.clone();
    assert!(is_conflict(store.create_user(&same_id, &same_id.user.username).await));
}

pub async fn users_list_in_creation_order(store: Arc<dyn Store>) {
    // Far in the past, so these come first whatever else the store holds.
    let mut ours = Vec::new();
    for at in ["1971-01-03T00:00:00Z", "1971-01-01T00:00:00Z", "1971-01-02T00:00:00Z"] {
        let r = user_record(false, at);
        store.create_user(&r, &r.user.username).await.unwrap();
        ours.push(r.user);
    }
    let listed: Vec<_> = store
        .list_users(100_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|u| ours.iter().any(|o| o.id == u.id))
        .collect();
    assert_eq!(listed, vec![ours[1].clone(), ours[2].clone(), ours[0].clone()]);
    assert!(store.list_users(1).await.unwrap().len() <= 1);
}
