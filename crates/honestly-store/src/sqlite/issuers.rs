//! Issuers and their members in SQLite. Making an account a member changes its role, sets its
//! membership and ends its sessions in one transaction (the account rules of [`erasure`]).

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::columns::{number, text, unix};
use super::{erasure, SqliteStore};
use honestly_core::auth::Role;
use honestly_core::clock::Timestamp;
use honestly_core::credentials::IssuerPublicKey;
use honestly_core::crypto::vault::Sealed;
use honestly_core::ids::{IssuerId, UserId};
use honestly_core::issuance::IssuerRecord;
use honestly_core::store::{AccountChange, AccountUpdate, IssuerStore, StoreError};
use honestly_zk::fr_to_decimal;

const COLUMNS: &str =
    "id, name, public_key_x, public_key_y, key_version, nonce, ciphertext, revocation_version, created_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<IssuerRecord> {
    Ok(IssuerRecord {
        id: text(row, 0)?,
        name: row.get(1)?,
        public_key: IssuerPublicKey { x: text(row, 2)?, y: text(row, 3)? },
        sealed_key: Sealed { key_version: row.get(4)?, nonce: row.get(5)?, ciphertext: row.get(6)? },
        revocation_version: number(row, 7)?,
        created_at: unix(row, 8)?,
    })
}

/// Whether the issuer `id` exists (inside the writer's transaction).
pub(super) fn issuer_exists(tx: &Connection, id: &IssuerId) -> rusqlite::Result<bool> {
    tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM issuers WHERE id = ?1)")?
        .query_row([id.as_str()], |r| r.get(0))
}

#[async_trait]
impl IssuerStore for SqliteStore {
    async fn insert_issuer(&self, issuer: &IssuerRecord) -> Result<(), StoreError> {
        let i = issuer.clone();
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO issuers (id, name, public_key_x, public_key_y, key_version, nonce, ciphertext,
                     revocation_version, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    i.id.as_str(),
                    i.name,
                    fr_to_decimal(&i.public_key.x),
                    fr_to_decimal(&i.public_key.y),
                    i.sealed_key.key_version,
                    i.sealed_key.nonce,
                    i.sealed_key.ciphertext,
                    i64::try_from(i.revocation_version).map_err(StoreError::internal)?,
                    i.created_at.unix(),
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn issuer(&self, id: &IssuerId) -> Result<Option<IssuerRecord>, StoreError> {
        let id = id.clone().into_string();
        self.read(move |conn| {
            Ok(conn
                .query_row(&format!("SELECT {COLUMNS} FROM issuers WHERE id = ?1"), [id], from_row)
                .optional()?)
        })
        .await
    }

    async fn issuer_by_key(&self, key: &IssuerPublicKey) -> Result<Option<IssuerRecord>, StoreError> {
        let (x, y) = (fr_to_decimal(&key.x), fr_to_decimal(&key.y));
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    &format!(
                        "SELECT {COLUMNS} FROM issuers WHERE public_key_x = ?1 AND public_key_y = ?2
                         ORDER BY created_at, seq LIMIT 1"
                    ),
                    [x, y],
                    from_row,
                )
                .optional()?)
        })
        .await
    }

    async fn list_issuers(&self, limit: u32) -> Result<Vec<IssuerRecord>, StoreError> {
        self.read(move |conn| {
            let mut stmt =
                conn.prepare(&format!("SELECT {COLUMNS} FROM issuers ORDER BY created_at, seq LIMIT ?1"))?;
            let rows = stmt.query_map([limit], from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn add_issuer_member(&self, issuer_id: &IssuerId, user_id: &UserId) -> Result<bool, StoreError> {
        let (issuer_id, user_id) = (issuer_id.clone(), user_id.clone());
        self.write(move |tx| {
            if !issuer_exists(tx, &issuer_id)? {
                return Ok(false);
            }
            let change = AccountChange { role: Some(Role::Issuer), disabled: None };
            match erasure::update(tx, &user_id, change, Timestamp::now())? {
                AccountUpdate::NotFound => return Ok(false),
                AccountUpdate::LastAdmin => {
                    return Err(StoreError::conflict(
                        "the last enabled administrator cannot become an issuer",
                    )
                    .into())
                }
                AccountUpdate::Changed(_) => {}
            }
            tx.execute(
                "INSERT INTO issuer_members (user_id, issuer_id) VALUES (?1, ?2)
                 ON CONFLICT (user_id) DO UPDATE SET issuer_id = excluded.issuer_id",
                params![user_id.as_str(), issuer_id.as_str()],
            )?;
            Ok(true)
        })
        .await
    }

    async fn issuer_of_member(&self, user_id: &UserId) -> Result<Option<IssuerId>, StoreError> {
        let user_id = user_id.clone().into_string();
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT m.issuer_id FROM issuer_members m JOIN users u ON u.id = m.user_id
                     WHERE m.user_id = ?1 AND u.role = 'issuer'",
                    [user_id],
                    |r| text(r, 0),
                )
                .optional()?)
        })
        .await
    }

    async fn issuer_memberships(&self, limit: u32) -> Result<Vec<(UserId, IssuerId)>, StoreError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT u.id, m.issuer_id
                 FROM (SELECT id, role, created_at FROM users ORDER BY created_at, id LIMIT ?1) u
                 JOIN issuer_members m ON m.user_id = u.id
                 WHERE u.role = 'issuer'
                 ORDER BY u.created_at, u.id",
            )?;
            let rows = stmt.query_map([limit], |r| Ok((text(r, 0)?, text(r, 1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }
}
