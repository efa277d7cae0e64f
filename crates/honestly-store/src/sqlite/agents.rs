//! Delegated agents in SQLite. The per-user cap is checked inside the inserting transaction
//! (the single writer connection serialises concurrent creations).

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, Row};

use super::columns::text;
use super::SqliteStore;
use honestly_core::agents::AgentRecord;
use honestly_core::crypto::vault::Sealed;
use honestly_core::ids::{AgentId, UserId};
use honestly_core::store::{AgentStore, StoreError};

const COLUMNS: &str = "a.id, a.user_id, a.name, a.key_version, a.nonce, a.secret_ciphertext, a.created_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<AgentRecord> {
    Ok(AgentRecord {
        id: text(row, 0)?,
        user_id: text(row, 1)?,
        name: row.get(2)?,
        sealed_secret: Sealed { key_version: row.get(3)?, nonce: row.get(4)?, ciphertext: row.get(5)? },
        created_at: text(row, 6)?,
    })
}

#[async_trait]
impl AgentStore for SqliteStore {
    async fn insert_agent(&self, agent: &AgentRecord, max_per_user: u32) -> Result<bool, StoreError> {
        let a = agent.clone();
        self.write(move |tx| {
            let count: u32 =
                tx.query_row("SELECT COUNT(*) FROM agents WHERE user_id = ?1", [a.user_id.as_str()], |r| {
                    r.get(0)
                })?;
            if count >= max_per_user {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO agents (id, user_id, name, key_version, nonce, secret_ciphertext, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    a.id.as_str(),
                    a.user_id.as_str(),
                    a.name,
                    a.sealed_secret.key_version,
                    a.sealed_secret.nonce,
                    a.sealed_secret.ciphertext,
                    a.created_at.rfc3339(),
                ],
            )?;
            Ok(true)
        })
        .await
    }

    async fn active_agent(&self, id: &AgentId) -> Result<Option<AgentRecord>, StoreError> {
        let id = id.clone().into_string();
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    &format!(
                        "SELECT {COLUMNS} FROM agents a JOIN users u ON u.id = a.user_id
                         WHERE a.id = ?1 AND u.disabled = 0"
                    ),
                    [id],
                    from_row,
                )
                .optional()?)
        })
        .await
    }

    async fn agents_of_user(&self, user_id: &UserId, limit: u32) -> Result<Vec<AgentRecord>, StoreError> {
        let user_id = user_id.clone().into_string();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM agents a WHERE a.user_id = ?1 ORDER BY a.seq LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![user_id, limit], from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn agents_not_under(&self, version: &str, limit: u32) -> Result<Vec<AgentRecord>, StoreError> {
        let version = version.to_string();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM agents a WHERE a.key_version <> ?1 ORDER BY a.seq LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![version, limit], from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn replace_agent_secret(
        &self,
        id: &AgentId,
        expected_version: &str,
        sealed: &Sealed,
    ) -> Result<bool, StoreError> {
        self.swap_sealed("agents", "secret_ciphertext", id.as_str(), expected_version, sealed).await
    }

    async fn delete_agent(&self, user_id: &UserId, id: &AgentId) -> Result<bool, StoreError> {
        let (user_id, id) = (user_id.clone().into_string(), id.clone().into_string());
        self.write(move |tx| {
            Ok(tx.execute("DELETE FROM agents WHERE id = ?1 AND user_id = ?2", params![id, user_id])? == 1)
        })
        .await
    }
}
