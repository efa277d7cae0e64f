//! Issuers and their members in Neo4j: `(:Issuer)`, unique by id and by name, and
//! `(:User)-[:MEMBER_OF]->(:Issuer)`. Making an account a member changes its role, replaces its
//! membership and ends its sessions in one transaction (the account rules of [`erasure`]).

use async_trait::async_trait;
use neo4rs::query;
use serde::Deserialize;

use super::{erasure, in_tx, Count, Neo4jStore};
use crate::stored::{number, text, unix};
use honestly_core::auth::Role;
use honestly_core::clock::Timestamp;
use honestly_core::credentials::IssuerPublicKey;
use honestly_core::crypto::vault::Sealed;
use honestly_core::ids::{IssuerId, UserId};
use honestly_core::issuance::IssuerRecord;
use honestly_core::store::{AccountChange, AccountUpdate, IssuerStore, StoreError};
use honestly_zk::fr_to_decimal;

const COLUMNS: &str = "i.id AS id, i.name AS name, i.public_key_x AS public_key_x, \
     i.public_key_y AS public_key_y, i.key_version AS key_version, i.nonce AS nonce, \
     i.ciphertext AS ciphertext, i.revocation_version AS revocation_version, i.created_at AS created_at";

const CREATE: &str = "CREATE (:Issuer {id: $id, name: $name, public_key_x: $x, public_key_y: $y, \
     key_version: $key_version, nonce: $nonce, ciphertext: $ciphertext, \
     revocation_version: $revocation_version, created_at: $created_at})";

const REPLACE_MEMBERSHIP: &str = "MATCH (u:User {id: $user_id}) MATCH (i:Issuer {id: $issuer_id}) \
     OPTIONAL MATCH (u)-[old:MEMBER_OF]->(:Issuer) DELETE old \
     WITH DISTINCT u, i CREATE (u)-[:MEMBER_OF]->(i)";

pub(super) const MEMBER_OF: &str = "MATCH (u:User {id: $user_id})-[:MEMBER_OF]->(i:Issuer) \
     WHERE u.role = 'issuer' RETURN i.id AS id";

#[derive(Deserialize)]
struct IssuerRow {
    id: String,
    name: String,
    public_key_x: String,
    public_key_y: String,
    key_version: String,
    nonce: Vec<u8>,
    ciphertext: Vec<u8>,
    revocation_version: i64,
    created_at: i64,
}

impl TryFrom<IssuerRow> for IssuerRecord {
    type Error = StoreError;

    fn try_from(r: IssuerRow) -> Result<Self, StoreError> {
        Ok(IssuerRecord {
            id: text("Issuer.id", &r.id)?,
            name: r.name,
            public_key: IssuerPublicKey {
                x: text("Issuer.public_key_x", &r.public_key_x)?,
                y: text("Issuer.public_key_y", &r.public_key_y)?,
            },
            sealed_key: Sealed { key_version: r.key_version, nonce: r.nonce, ciphertext: r.ciphertext },
            revocation_version: number("Issuer.revocation_version", r.revocation_version)?,
            created_at: unix("Issuer.created_at", r.created_at)?,
        })
    }
}

/// The oldest issuer with a public key.
pub(super) const BY_KEY: &str = "MATCH (i:Issuer {public_key_x: $x, public_key_y: $y}) \
     RETURN i.id AS id, i.name AS name, i.public_key_x AS public_key_x, i.public_key_y AS public_key_y, \
       i.key_version AS key_version, i.nonce AS nonce, i.ciphertext AS ciphertext, \
       i.revocation_version AS revocation_version, i.created_at AS created_at \
     ORDER BY i.created_at, i.id LIMIT 1";

/// The memberships of the first `$limit` accounts in `list_users` order.
const MEMBERSHIPS: &str = "MATCH (u:User) WITH u ORDER BY u.created_at, u.id LIMIT $limit \
     MATCH (u)-[:MEMBER_OF]->(i:Issuer) WHERE u.role = 'issuer' \
     RETURN u.id AS user_id, i.id AS issuer_id ORDER BY u.created_at, u.id";

#[derive(Deserialize)]
struct MembershipRow {
    user_id: String,
    issuer_id: String,
}

#[derive(Deserialize)]
struct IdRow {
    id: String,
}

#[async_trait]
impl IssuerStore for Neo4jStore {
    async fn insert_issuer(&self, issuer: &IssuerRecord) -> Result<(), StoreError> {
        let i = issuer;
        let revocation_version = i64::try_from(i.revocation_version).map_err(StoreError::internal)?;
        self.run(
            query(CREATE)
                .param("id", i.id.as_str())
                .param("name", i.name.as_str())
                .param("x", fr_to_decimal(&i.public_key.x))
                .param("y", fr_to_decimal(&i.public_key.y))
                .param("key_version", i.sealed_key.key_version.as_str())
                .param("nonce", i.sealed_key.nonce.clone())
                .param("ciphertext", i.sealed_key.ciphertext.clone())
                .param("revocation_version", revocation_version)
                .param("created_at", i.created_at.unix()),
        )
        .await
    }

    async fn issuer(&self, id: &IssuerId) -> Result<Option<IssuerRecord>, StoreError> {
        let row: Option<IssuerRow> = self
            .fetch_one(
                query(&format!("MATCH (i:Issuer {{id: $id}}) RETURN {COLUMNS}")).param("id", id.as_str()),
            )
            .await?;
        row.map(IssuerRecord::try_from).transpose()
    }

    async fn issuer_by_key(&self, key: &IssuerPublicKey) -> Result<Option<IssuerRecord>, StoreError> {
        let row: Option<IssuerRow> = self
            .fetch_one(query(BY_KEY).param("x", fr_to_decimal(&key.x)).param("y", fr_to_decimal(&key.y)))
            .await?;
        row.map(IssuerRecord::try_from).transpose()
    }

    async fn list_issuers(&self, limit: u32) -> Result<Vec<IssuerRecord>, StoreError> {
        let rows: Vec<IssuerRow> = self
            .fetch(
                query(&format!("MATCH (i:Issuer) RETURN {COLUMNS} ORDER BY i.created_at, i.id LIMIT $limit"))
                    .param("limit", i64::from(limit)),
            )
            .await?;
        rows.into_iter().map(IssuerRecord::try_from).collect()
    }

    async fn add_issuer_member(&self, issuer_id: &IssuerId, user_id: &UserId) -> Result<bool, StoreError> {
        in_tx!(self, |tx| {
            let issuer: Option<Count> = tx
                .fetch_one(
                    query("MATCH (i:Issuer {id: $id}) RETURN count(i) AS n").param("id", issuer_id.as_str()),
                )
                .await?;
            if issuer.is_none_or(|c| c.n == 0) {
                return Ok(false);
            }
            let change = AccountChange { role: Some(Role::Issuer), disabled: None };
            match erasure::update(&mut tx, user_id, change, Timestamp::now()).await? {
                AccountUpdate::NotFound => return Ok(false),
                AccountUpdate::LastAdmin => {
                    return Err(StoreError::conflict(
                        "the last enabled administrator cannot become an issuer",
                    ))
                }
                AccountUpdate::Changed(_) => {}
            }
            tx.run(
                query(REPLACE_MEMBERSHIP)
                    .param("user_id", user_id.as_str())
                    .param("issuer_id", issuer_id.as_str()),
            )
            .await?;
            Ok(true)
        })
    }

    async fn issuer_of_member(&self, user_id: &UserId) -> Result<Option<IssuerId>, StoreError> {
        let row: Option<IdRow> = self.fetch_one(query(MEMBER_OF).param("user_id", user_id.as_str())).await?;
        Ok(row.map(|r| text("Issuer.id", &r.id)).transpose()?)
    }

    async fn issuer_memberships(&self, limit: u32) -> Result<Vec<(UserId, IssuerId)>, StoreError> {
        let rows: Vec<MembershipRow> =
            self.fetch(query(MEMBERSHIPS).param("limit", i64::from(limit))).await?;
        rows.into_iter()
            .map(|r| Ok((text("User.id", &r.user_id)?, text("Issuer.id", &r.issuer_id)?)))
            .collect()
    }
}
