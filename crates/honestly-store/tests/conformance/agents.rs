//! Delegated agents and their per-user cap.

use std::sync::Arc;

use honestly_core::crypto::vault::Sealed;
use honestly_core::ids::{AgentId, UserId};
use honestly_core::store::Store;
use tokio::task::JoinSet;

use crate::support::{is_conflict, new_agent, new_user, user_record, CREATED_AT};

pub async fn agent_cap_listing_and_deletion(store: Arc<dyn Store>) {
    let owner = new_user(&store).await;
    let other = new_user(&store).await;
    let uid = &owner.user.id;
    let agents: Vec<_> = (0..3).map(|i| new_agent(uid, &format!("agent {i}"))).collect();
    for a in &agents {
        assert!(store.insert_agent(a, 3).await.unwrap());
    }
    assert!(!store.insert_agent(&new_agent(uid, "one too many"), 3).await.unwrap());
    assert!(store.insert_agent(&new_agent(&other.user.id, "theirs"), 3).await.unwrap());

    let listed = store.agents_of_user(uid, 10).await.unwrap();
    assert_eq!(
        listed.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        agents.iter().map(|a| a.id.as_str()).collect::<Vec<_>>()
    );
    assert_eq!(listed[0].sealed_secret, agents[0].sealed_secret);
    assert_eq!(listed[0].name, "agent 0");
    assert_eq!(store.agents_of_user(uid, 2).await.unwrap().len(), 2);

    let active = store.active_agent(&agents[1].id).await.unwrap().expect("active");
    assert_eq!((&active.user_id, active.created_at), (uid, agents[1].created_at));
    assert!(store.active_agent(&AgentId::generate()).await.unwrap().is_none());

    assert!(!store.delete_agent(&other.user.id, &agents[1].id).await.unwrap());
    assert!(store.delete_agent(uid, &agents[1].id).await.unwrap());
    assert!(!store.delete_agent(uid, &agents[1].id).await.unwrap());
    assert!(store.active_agent(&agents[1].id).await.unwrap().is_none());
    // A freed place can be taken again.
    assert!(store.insert_agent(&new_agent(uid, "replacement"), 3).await.unwrap());

    let disabled = user_record(true, CREATED_AT);
    store.create_user(&disabled, &disabled.user.username).await.unwrap();
    let sleeper = new_agent(&disabled.user.id, "of a disabled user");
    assert!(store.insert_agent(&sleeper, 3).await.unwrap());
    assert!(store.active_agent(&sleeper.id).await.unwrap().is_none());
}

pub async fn agent_concurrent_inserts_respect_cap(store: Arc<dyn Store>) {
    let owner = new_user(&store).await;
    let mut tasks = JoinSet::new();
    for i in 0..10 {
        let (store, agent) = (Arc::clone(&store), new_agent(&owner.user.id, &format!("agent {i}")));
        tasks.spawn(async move { store.insert_agent(&agent, 3).await.unwrap() });
    }
    let inserted = tasks.join_all().await.into_iter().filter(|i| *i).count();
    assert_eq!(inserted, 3);
    assert_eq!(store.agents_of_user(&owner.user.id, 100).await.unwrap().len(), 3);
}

pub async fn agent_for_unknown_user_conflicts(store: Arc<dyn Store>) {
    assert!(is_conflict(store.insert_agent(&new_agent(&UserId::generate(), "orphan"), 3).await));
}

pub async fn agent_secret_rotation_compare_and_swap(store: Arc<dyn Store>) {
    let owner = new_user(&store).await;
    let agent = new_agent(&owner.user.id, "rotating");
    assert!(store.insert_agent(&agent, 3).await.unwrap());
    let old = agent.sealed_secret.key_version.clone();
    let target = format!("v-{}", agent.id);
    let pending = store.agents_not_under(&target, 100_000).await.unwrap();
    assert!(pending.iter().any(|a| a.id == agent.id && a.sealed_secret == agent.sealed_secret));

    let resealed = Sealed { key_version: target.clone(), nonce: vec![7; 12], ciphertext: vec![1, 2, 3] };
    assert!(store.replace_agent_secret(&agent.id, &old, &resealed).await.unwrap());
    assert!(!store.replace_agent_secret(&agent.id, &old, &resealed).await.unwrap(), "compare and swap");
    assert!(!store.replace_agent_secret(&AgentId::generate(), &old, &resealed).await.unwrap());
    let active = store.active_agent(&agent.id).await.unwrap().expect("active");
    assert_eq!(active.sealed_secret, resealed);
    let pending = store.agents_not_under(&target, 100_000).await.unwrap();
    assert!(!pending.iter().any(|a| a.id == agent.id));
}
