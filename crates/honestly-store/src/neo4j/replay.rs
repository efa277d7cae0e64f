//! The replay memory of signed agent requests in Neo4j: one `(:SignedRequest {digest})` node
//! per accepted request (a unique property), with `expires_at` in Unix seconds. `MERGE` makes
//! of concurrent first uses exactly one creator; a node that already exists is locked before its
//! expiry is read, so renewing an expired one is decided once too.

use async_trait::async_trait;
use neo4rs::query;
use serde::Deserialize;

use super::{in_tx, Count, Neo4jStore};
use honestly_core::clock::Timestamp;
use honestly_core::store::{ReplayStore, StoreError};

/// Creates the node (or finds it) and takes its write lock; `created` tells which.
pub(super) const REMEMBER: &str = "MERGE (r:SignedRequest {digest: $digest}) \
     ON CREATE SET r.expires_at = $until, r._created = true \
     SET r._lock = true REMOVE r._lock \
     WITH r, coalesce(r._created, false) AS created \
     REMOVE r._created \
     RETURN created";

/// Renews a node found expired (read under the lock [`REMEMBER`] took).
pub(super) const RENEW_EXPIRED: &str = "MATCH (r:SignedRequest {digest: $digest}) \
     WHERE r.expires_at <= $now SET r.expires_at = $until RETURN count(r) AS n";

/// Forgets at most `$limit` nodes expired at `$now`, oldest expiry first.
pub(super) const FORGET_EXPIRED: &str = "MATCH (r:SignedRequest) WHERE r.expires_at <= $now \
     WITH r ORDER BY r.expires_at LIMIT $limit \
     DETACH DELETE r RETURN count(*) AS n";

#[derive(Deserialize)]
struct Created {
    created: bool,
}

#[async_trait]
impl ReplayStore for Neo4jStore {
    async fn remember_request(
        &self,
        digest: &[u8; 32],
        until: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let digest = hex::encode(digest);
        in_tx!(self, |tx| {
            let row: Option<Created> = tx
                .fetch_one(query(REMEMBER).param("digest", digest.as_str()).param("until", until.unix()))
                .await?;
            if row.is_some_and(|r| r.created) {
                return Ok(true);
            }
            let renewed: Option<Count> = tx
                .fetch_one(
                    query(RENEW_EXPIRED)
                        .param("digest", digest.as_str())
                        .param("now", now.unix())
                        .param("until", until.unix()),
                )
                .await?;
            Ok(renewed.is_some_and(|c| c.n == 1))
        })
    }

    async fn forget_expired_requests(&self, now: Timestamp, limit: u32) -> Result<u32, StoreError> {
        in_tx!(self, |tx| {
            let forgotten: Option<Count> = tx
                .fetch_one(query(FORGET_EXPIRED).param("now", now.unix()).param("limit", i64::from(limit)))
                .await?;
            Ok(forgotten.map_or(0, |c| u32::try_from(c.n).unwrap_or(u32::MAX)))
        })
    }
}
