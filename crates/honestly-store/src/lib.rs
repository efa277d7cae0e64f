//! The storage backends of Honestly, kept apart from the domain so that `honestly-core`
//! carries no database driver: the embedded SQLite store (the default), the Neo4j store for
//! deployments that share one database between replicas, and the Redis link that replicas use
//! for shared rate limits, replay memory and cache invalidation.
//!
//! Each backend implements the traits `honestly_core::store` defines; one conformance suite
//! (`tests/conformance`) runs the same tests against SQLite and Neo4j.

pub mod neo4j;
pub mod redis;
pub mod sqlite;
mod stored;

use std::sync::Arc;

use honestly_core::config::{Config, DatabaseUrl};
use honestly_core::store::Store;

/// Opens the backend that `DATABASE_URL` names (SQLite migrations, or Neo4j constraints and
/// indexes, run here).
pub async fn open(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    match &config.database {
        DatabaseUrl::Sqlite(path) => Ok(Arc::new(sqlite::SqliteStore::open(path).await?)),
        DatabaseUrl::Neo4j(url) => {
            use secrecy::ExposeSecret;
            let options = neo4j::Neo4jOptions {
                url: url.clone(),
                user: config.neo4j_user.clone(),
                password: config
                    .secrets
                    .neo4j_pass
                    .as_ref()
                    .map(|p| p.expose_secret().to_string())
                    .unwrap_or_default(),
                max_connections: usize::try_from(config.neo4j_max_connections).unwrap_or(50),
                timeout: neo4j::DEFAULT_TIMEOUT,
            };
            Ok(Arc::new(neo4j::Neo4jStore::connect(&options).await?))
        }
    }
}
