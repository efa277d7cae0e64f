//! Accounts in SQLite.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, Row};

use super::columns::text;
use super::{checkpoint, erasure, SqliteStore};
use honestly_core::auth::model::{User, UserRecord};
use honestly_core::clock::Timestamp;
use honestly_core::ids::UserId;
use honestly_core::store::{AccountChange, AccountUpdate, Erasure, StoreError, UserStore};

const USER_COLUMNS: &str = "id, username, role, created_at, disabled, password_hash";

fn user_from_row(row: &Row<'_>) -> rusqlite::Result<UserRecord> {
    Ok(UserRecord {
        user: User {
            id: text(row, 0)?,
            username: row.get(1)?,
            role: text(row, 2)?,
            created_at: text(row, 3)?,
            disabled: row.get::<_, i64>(4)? != 0,
        },
        password_hash: row.get(5)?,
    })
}

#[async_trait]
impl UserStore for SqliteStore {
    async fn create_user(&self, record: &UserRecord, canonical_username: &str) -> Result<(), StoreError> {
        let record = record.clone();
        let canonical = canonical_username.to_string();
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO users (id, username, username_canonical, password_hash, role, created_at, disabled)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    record.user.id.as_str(),
                    record.user.username,
                    canonical,
                    record.password_hash,
                    record.user.role.as_str(),
                    record.user.created_at.rfc3339(),
                    i64::from(record.user.disabled),
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn user_by_username(&self, canonical_username: &str) -> Result<Option<UserRecord>, StoreError> {
        let canonical = canonical_username.to_string();
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    &format!("SELECT {USER_COLUMNS} FROM users WHERE username_canonical = ?1"),
                    [canonical],
                    user_from_row,
                )
                .optional()?)
        })
        .await
    }

    async fn user_by_id(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        let id = id.clone().into_string();
        self.read(move |conn| {
            Ok(conn
                .query_row(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"), [id], user_from_row)
                .optional()?
                .map(|r| r.user))
        })
        .await
    }

    async fn list_users(&self, limit: u32) -> Result<Vec<User>, StoreError> {
        self.read(move |conn| {
            let mut stmt =
                conn.prepare(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY created_at, id LIMIT ?1"))?;
            let rows = stmt.query_map([limit], user_from_row)?;
            Ok(rows.map(|r| r.map(|r| r.user)).collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn update_user(
        &self,
        id: &UserId,
        change: AccountChange,
        now: Timestamp,
    ) -> Result<AccountUpdate, StoreError> {
        let id = id.clone();
        self.write(move |tx| Ok(erasure::update(tx, &id, change, now)?)).await
    }

    async fn erase_user(&self, id: &UserId, _now: Timestamp) -> Result<Erasure, StoreError> {
        let id = id.clone();
        let outcome = self.write(move |tx| Ok(erasure::erase(tx, &id)?)).await?;
        if matches!(outcome, Erasure::Erased(_)) {
            // The log still holds the erased rows as they were: copy it back (zeroed pages)
            // and empty it. The erasure itself is committed whatever happens here.
            let path = self.path.clone();
            tokio::task::spawn_blocking(move || checkpoint::truncate_log_until_done(&path))
                .await
                .map_err(StoreError::internal)?;
        }
        Ok(outcome)
    }
}
