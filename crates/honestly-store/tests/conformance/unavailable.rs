//! A Neo4j that is down or hangs makes the store fail fast as unavailable, never hang.

use std::time::{Duration, Instant};

use honestly_store::neo4j::{Neo4jOptions, Neo4jStore};

fn options(url: String) -> Neo4jOptions {
    Neo4jOptions {
        url,
        user: "neo4j".into(),
        password: "not-a-real-password".into(),
        max_connections: 2,
        timeout: Duration::from_millis(700),
    }
}

#[tokio::test]
async fn neo4j_refusing_connections_fails_fast() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let started = Instant::now();
    let result = Neo4jStore::connect(&options(format!("bolt://127.0.0.1:{port}"))).await;
    assert!(result.is_err());
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn neo4j_that_never_answers_times_out() {
    // Accepts connections and never says a word.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("bolt://{}", listener.local_addr().unwrap());
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let started = Instant::now();
    let error = Neo4jStore::connect(&options(url)).await.err().expect("no answer is an error");
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    assert!(error.to_string().contains("unavailable"), "{error}");
    silent.abort();
}
