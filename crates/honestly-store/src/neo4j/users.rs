//! Accounts in Neo4j: `(:User)`, unique by id and by canonical username.

use async_trait::async_trait;
use neo4rs::query;
use serde::Deserialize;

use super::{erasure, in_tx, Neo4jStore};
use crate::stored::text;
use honestly_core::auth::model::{User, UserRecord};
use honestly_core::clock::Timestamp;
use honestly_core::ids::UserId;
use honestly_core::store::{AccountChange, AccountUpdate, Erasure, StoreError, UserStore};

const COLUMNS: &str = "u.id AS id, u.username AS username, u.role AS role, u.created_at AS created_at, \
     u.disabled AS disabled, u.password_hash AS password_hash";

const CREATE: &str = "CREATE (:User {id: $id, username: $username, username_canonical: $canonical, \
     password_hash: $password_hash, role: $role, created_at: $created_at, disabled: $disabled})";

pub(super) const BY_USERNAME: &str = "MATCH (u:User {username_canonical: $canonical}) \
     RETURN u.id AS id, u.username AS username, u.role AS role, u.created_at AS created_at, \
     u.disabled AS disabled, u.password_hash AS password_hash";

pub(super) const BY_ID: &str = "MATCH (u:User {id: $id}) \
     RETURN u.id AS id, u.username AS username, u.role AS role, u.created_at AS created_at, \
     u.disabled AS disabled, u.password_hash AS password_hash";

#[derive(Deserialize)]
struct UserRow {
    id: String,
    username: String,
    role: String,
    created_at: String,
    disabled: Option<bool>,
    password_hash: String,
}

impl TryFrom<UserRow> for UserRecord {
    type Error = StoreError;

    fn try_from(r: UserRow) -> Result<Self, StoreError> {
        Ok(UserRecord {
            user: User {
                id: text("User.id", &r.id)?,
                username: r.username,
                role: text("User.role", &r.role)?,
                created_at: text("User.created_at", &r.created_at)?,
                disabled: r.disabled.unwrap_or(false),
            },
            password_hash: r.password_hash,
        })
    }
}

#[async_trait]
impl UserStore for Neo4jStore {
    async fn create_user(&self, record: &UserRecord, canonical_username: &str) -> Result<(), StoreError> {
        let u = &record.user;
        self.run(
            query(CREATE)
                .param("id", u.id.as_str())
                .param("username", u.username.as_str())
                .param("canonical", canonical_username)
                .param("password_hash", record.password_hash.as_str())
                .param("role", u.role.as_str())
                .param("created_at", u.created_at.rfc3339())
                .param("disabled", u.disabled),
        )
        .await
    }

    async fn user_by_username(&self, canonical_username: &str) -> Result<Option<UserRecord>, StoreError> {
        let row: Option<UserRow> =
            self.fetch_one(query(BY_USERNAME).param("canonical", canonical_username)).await?;
        row.map(UserRecord::try_from).transpose()
    }

    async fn user_by_id(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        let row: Option<UserRow> = self.fetch_one(query(BY_ID).param("id", id.as_str())).await?;
        Ok(row.map(UserRecord::try_from).transpose()?.map(|r| r.user))
    }

    async fn list_users(&self, limit: u32) -> Result<Vec<User>, StoreError> {
        let rows: Vec<UserRow> = self
            .fetch(
                query(&format!("MATCH (u:User) RETURN {COLUMNS} ORDER BY u.created_at, u.id LIMIT $limit"))
                    .param("limit", i64::from(limit)),
            )
            .await?;
        rows.into_iter().map(|r| UserRecord::try_from(r).map(|r| r.user)).collect()
    }

    async fn update_user(
        &self,
        id: &UserId,
        change: AccountChange,
        now: Timestamp,
    ) -> Result<AccountUpdate, StoreError> {
        in_tx!(self, |tx| { erasure::update(&mut tx, id, change, now).await })
    }

    async fn erase_user(&self, id: &UserId, _now: Timestamp) -> Result<Erasure, StoreError> {
        in_tx!(self, |tx| { erasure::erase(&mut tx, id).await })
    }
}
