//! Consumed nullifiers in SQLite: an insert-if-absent on the primary key, committed (with
//! `synchronous=FULL`) before the caller hears the answer.

use async_trait::async_trait;
use rusqlite::params;

use super::SqliteStore;
use honestly_core::clock::Timestamp;
use honestly_core::store::{NullifierKey, NullifierStore, StoreError};

#[async_trait]
impl NullifierStore for SqliteStore {
    async fn consume_nullifier(&self, key: &NullifierKey, consumer: &str) -> Result<bool, StoreError> {
        let (key, consumer) = (key.clone(), consumer.to_string());
        self.write(move |tx| {
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO nullifiers (proof_type, nullifier, consumed_at, consumed_by)
                     VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                )?
                .execute(params![key.proof_type, key.nullifier, Timestamp::now().rfc3339(), consumer])?;
            Ok(inserted == 1)
        })
        .await
    }

    async fn nullifiers_consumed(&self, keys: &[NullifierKey]) -> Result<Vec<bool>, StoreError> {
        let keys = keys.to_vec();
        self.read(move |conn| {
            let mut lookup =
                conn.prepare_cached("SELECT 1 FROM nullifiers WHERE proof_type = ?1 AND nullifier = ?2")?;
            keys.iter()
                .map(|k| {
                    let found: Option<i64> = rusqlite::OptionalExtension::optional(
                        lookup.query_row(params![k.proof_type, k.nullifier], |r| r.get(0)),
                    )?;
                    Ok(found.is_some())
                })
                .collect()
        })
        .await
    }
}
