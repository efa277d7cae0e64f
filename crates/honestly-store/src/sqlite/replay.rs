//! The replay memory of signed agent requests in SQLite: one row per accepted request (its
//! digest, hex, and when it expires, Unix seconds). The single writer connection decides
//! "first use" atomically; expired rows are replaced in place or forgotten in bounded batches.

use async_trait::async_trait;
use rusqlite::params;

use super::SqliteStore;
use honestly_core::clock::Timestamp;
use honestly_core::store::{ReplayStore, StoreError};

#[async_trait]
impl ReplayStore for SqliteStore {
    async fn remember_request(
        &self,
        digest: &[u8; 32],
        until: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let digest = hex::encode(digest);
        self.write(move |tx| {
            // A new digest is inserted; an expired record of it is renewed; a live one stays.
            let changed = tx
                .prepare_cached(
                    "INSERT INTO signed_requests (digest, expires_at) VALUES (?1, ?2)
                     ON CONFLICT (digest) DO UPDATE SET expires_at = excluded.expires_at
                     WHERE signed_requests.expires_at <= ?3",
                )?
                .execute(params![digest, until.unix(), now.unix()])?;
            Ok(changed == 1)
        })
        .await
    }

    async fn forget_expired_requests(&self, now: Timestamp, limit: u32) -> Result<u32, StoreError> {
        self.write(move |tx| {
            let forgotten = tx
                .prepare_cached(
                    "DELETE FROM signed_requests WHERE digest IN (
                         SELECT digest FROM signed_requests WHERE expires_at <= ?1
                         ORDER BY expires_at LIMIT ?2)",
                )?
                .execute(params![now.unix(), limit])?;
            Ok(u32::try_from(forgotten).unwrap_or(u32::MAX))
        })
        .await
    }
}
