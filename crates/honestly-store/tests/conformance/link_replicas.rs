//! Share-link accesses consumed in groups on Neo4j: two stores (two replicas) on one
//! database grant exactly what a link has left between them, and a call the group cannot
//! answer fails alone.

use std::sync::Arc;

use honestly_core::ids::UserId;
use honestly_core::store::{Store, StoreError};
use honestly_core::timeline::{TimelineEvent, TimelineKind};
use tokio::task::JoinSet;

use crate::support::{insert_document, neo4j_options, neo4j_store, new_link, new_user, now, NEO4J_SERIAL};

fn accessed() -> TimelineEvent {
    TimelineEvent::new(&UserId::generate(), TimelineKind::LinkAccessed)
}

/// The positions of the `link_accessed` events of `user_id`'s timeline.
async fn accessed_seqs(store: &Arc<dyn Store>, user_id: &UserId) -> Vec<i64> {
    let page = store.timeline_page(user_id, None, 500).await.unwrap();
    page.into_iter().filter(|(_, e)| e.kind == TimelineKind::LinkAccessed).map(|(seq, _)| seq).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn neo4j_two_replicas_consume_a_link_exactly() {
    let Some(options) = neo4j_options() else { return };
    let _serial = NEO4J_SERIAL.lock().await;
    let first = Arc::new(neo4j_store(&options).await);
    let second = Arc::new(neo4j_store(&options).await);
    let replicas: [Arc<dyn Store>; 2] = [first.clone(), second.clone()];
    let groups_before = first.access_group_transactions() + second.access_group_transactions();

    let owner = new_user(&replicas[0]).await;
    let uid = &owner.user.id;
    let doc = insert_document(&replicas[0], uid).await;
    let link = new_link(uid, &doc.meta.id, Some(9), 0);
    let created = TimelineEvent::new(uid, TimelineKind::LinkCreated).link(&link.id);
    assert!(replicas[0].insert_link(&link, &created).await.unwrap());

    let mut tasks = JoinSet::new();
    for i in 0..160 {
        let (store, hash) = (Arc::clone(&replicas[i % 2]), link.token_hash.clone());
        tasks.spawn(async move { store.consume_link_access(&hash, now(), &accessed()).await.unwrap() });
    }
    let results = tasks.join_all().await;
    let mut counts: Vec<u32> = results.iter().flatten().map(|l| l.access_count).collect();
    counts.sort_unstable();
    assert_eq!(counts, (1..=9).collect::<Vec<u32>>());
    for replica in &replicas {
        assert_eq!(replica.link_by_token_hash(&link.token_hash).await.unwrap().unwrap().access_count, 9);
    }
    let mut seqs = accessed_seqs(&replicas[1], uid).await;
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len(), 9);
    // The calls queued while earlier groups ran shared transactions.
    let groups = first.access_group_transactions() + second.access_group_transactions() - groups_before;
    assert!((2..160).contains(&groups), "160 calls took {groups} group transactions");
}

/// A link whose stored form no longer parses makes its group fail; the group's calls then run
/// one by one: the broken link's callers get an error and change nothing, the others are
/// answered exactly.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn neo4j_a_failing_call_does_not_fail_its_group() {
    let Some(options) = neo4j_options() else { return };
    let _serial = NEO4J_SERIAL.lock().await;
    let store: Arc<dyn Store> = Arc::new(neo4j_store(&options).await);
    let owner = new_user(&store).await;
    let uid = &owner.user.id;
    let doc = insert_document(&store, uid).await;
    let good = new_link(uid, &doc.meta.id, Some(5), 0);
    let broken = new_link(uid, &doc.meta.id, Some(5), 1);
    for l in [&good, &broken] {
        let created = TimelineEvent::new(uid, TimelineKind::LinkCreated).link(&l.id);
        assert!(store.insert_link(l, &created).await.unwrap());
    }
    let config = neo4rs::ConfigBuilder::default()
        .uri(options.url.as_str())
        .user(options.user.as_str())
        .password(options.password.as_str())
        .build()
        .unwrap();
    let graph = neo4rs::Graph::connect(config).unwrap();
    let corrupt = "MATCH (l:ShareLink {id: $id}) SET l.access_level = 'not-a-level'";
    graph.run(neo4rs::query(corrupt).param("id", broken.id.as_str())).await.unwrap();

    let mut tasks = JoinSet::new();
    for i in 0..40 {
        let store = Arc::clone(&store);
        let hash = if i % 2 == 0 { good.token_hash.clone() } else { broken.token_hash.clone() };
        tasks
            .spawn(async move { (hash.clone(), store.consume_link_access(&hash, now(), &accessed()).await) });
    }
    let results = tasks.join_all().await;
    let mut counts = Vec::new();
    for (hash, result) in results {
        if hash == broken.token_hash {
            assert!(matches!(result, Err(StoreError::Internal(_))), "{result:?}");
        } else if let Some(link) = result.unwrap() {
            counts.push(link.access_count);
        }
    }
    counts.sort_unstable();
    assert_eq!(counts, vec![1, 2, 3, 4, 5]);
    assert_eq!(accessed_seqs(&store, uid).await.len(), 5);
    #[derive(serde::Deserialize)]
    struct Count {
        n: i64,
    }
    let mut rows = graph
        .execute(
            neo4rs::query("MATCH (l:ShareLink {id: $id}) RETURN l.access_count AS n")
                .param("id", broken.id.as_str()),
        )
        .await
        .unwrap();
    let row = rows.next().await.unwrap().expect("the broken link is still stored");
    assert_eq!(row.to::<Count>().unwrap().n, 1);
}
