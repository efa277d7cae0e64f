//! Nullifiers: consumed at most once, ever.

use std::sync::Arc;

use honestly_core::ids::TokenId;
use honestly_core::store::{NullifierKey, Store};
use tokio::task::JoinSet;

/// The key of `nullifier` for circuit `proof_type`.
fn key(proof_type: &str, nullifier: &str) -> NullifierKey {
    NullifierKey { proof_type: proof_type.to_string(), nullifier: nullifier.to_string() }
}

/// A fresh nullifier nobody has consumed.
fn fresh_nullifier() -> String {
    TokenId::generate().into_string()
}

/// Whether one nullifier is consumed, through the store's lookup of several.
async fn consumed(store: &dyn Store, proof_type: &str, nullifier: &str) -> bool {
    let answers = store.nullifiers_consumed(&[key(proof_type, nullifier)]).await.unwrap();
    assert_eq!(answers.len(), 1);
    answers[0]
}

pub async fn nullifier_consumed_once(store: Arc<dyn Store>) {
    let nullifier = fresh_nullifier();
    assert!(!consumed(store.as_ref(), "age_proof", &nullifier).await);
    assert!(store.consume_nullifier(&key("age_proof", &nullifier), "agent:a").await.unwrap());
    assert!(!store.consume_nullifier(&key("age_proof", &nullifier), "agent:b").await.unwrap());
    assert!(consumed(store.as_ref(), "age_proof", &nullifier).await);
    // Per proof type.
    assert!(!consumed(store.as_ref(), "authenticity_proof", &nullifier).await);
    assert!(store.consume_nullifier(&key("authenticity_proof", &nullifier), "agent:a").await.unwrap());
}

pub async fn nullifier_concurrent_consumers_one_wins(store: Arc<dyn Store>) {
    let nullifier = fresh_nullifier();
    let mut tasks = JoinSet::new();
    for i in 0..10 {
        let (store, key) = (Arc::clone(&store), key("age_proof", &nullifier));
        tasks.spawn(async move { store.consume_nullifier(&key, &format!("agent:{i}")).await.unwrap() });
    }
    let won = tasks.join_all().await.into_iter().filter(|w| *w).count();
    assert_eq!(won, 1);
    assert!(consumed(store.as_ref(), "age_proof", &nullifier).await);
}

pub async fn nullifiers_looked_up_together_in_order(store: Arc<dyn Store>) {
    let (used, fresh) = (fresh_nullifier(), fresh_nullifier());
    assert!(store.consume_nullifier(&key("age_proof", &used), "agent:a").await.unwrap());
    let asked = [
        key("age_proof", &fresh),
        key("age_proof", &used),
        key("authenticity_proof", &used),
        key("age_proof", &used),
        key("age_proof", &fresh),
    ];
    assert_eq!(store.nullifiers_consumed(&asked).await.unwrap(), [false, true, false, true, false]);
    assert!(store.nullifiers_consumed(&[]).await.unwrap().is_empty());
    // A key whose parts contain the separator-like characters of another's does not collide.
    assert_eq!(store.nullifiers_consumed(&[key("age_proof\",\"", &used)]).await.unwrap(), [false]);
}
