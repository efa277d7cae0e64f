//! Holders' secrets in SQLite (one row per account, made once) and the re-encryption of the
//! sealed things of the issuance area, each kind in its own table.

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension};

use super::SqliteStore;
use honestly_core::crypto::vault::Sealed;
use honestly_core::ids::UserId;
use honestly_core::issuance::{SealedItem, SealedKind};
use honestly_core::store::{HolderSecretStore, StoreError};

/// Where a kind of sealed thing lives: `(table, id column, owner column)`; the sealed blob is
/// always `key_version`, `nonce`, `ciphertext`.
fn place(kind: SealedKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        SealedKind::IssuerKey => ("issuers", "id", "id"),
        SealedKind::RequestClaims => ("credential_requests", "id", "holder"),
        SealedKind::HeldCredential => ("held_credentials", "id", "holder"),
        SealedKind::HolderSecret => ("holder_secrets", "user_id", "user_id"),
    }
}

#[async_trait]
impl HolderSecretStore for SqliteStore {
    async fn holder_secret(&self, user_id: &UserId) -> Result<Option<Sealed>, StoreError> {
        let user_id = user_id.clone().into_string();
        self.read(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT key_version, nonce, ciphertext FROM holder_secrets WHERE user_id = ?1",
                    [user_id],
                    |r| Ok(Sealed { key_version: r.get(0)?, nonce: r.get(1)?, ciphertext: r.get(2)? }),
                )
                .optional()?)
        })
        .await
    }

    async fn set_holder_secret_if_absent(
        &self,
        user_id: &UserId,
        sealed: &Sealed,
    ) -> Result<Option<Sealed>, StoreError> {
        let (user_id, sealed) = (user_id.clone().into_string(), sealed.clone());
        self.write(move |tx| {
            let exists: bool =
                tx.query_row("SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1)", [&user_id], |r| r.get(0))?;
            if !exists {
                return Ok(None);
            }
            tx.execute(
                "INSERT INTO holder_secrets (user_id, key_version, nonce, ciphertext) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (user_id) DO NOTHING",
                params![user_id, sealed.key_version, sealed.nonce, sealed.ciphertext],
            )?;
            Ok(Some(tx.query_row(
                "SELECT key_version, nonce, ciphertext FROM holder_secrets WHERE user_id = ?1",
                [&user_id],
                |r| Ok(Sealed { key_version: r.get(0)?, nonce: r.get(1)?, ciphertext: r.get(2)? }),
            )?))
        })
        .await
    }

    async fn sealed_items_not_under(
        &self,
        kind: SealedKind,
        version: &str,
        limit: u32,
    ) -> Result<Vec<SealedItem>, StoreError> {
        let (table, id, owner) = place(kind);
        let version = version.to_string();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {id}, {owner}, key_version, nonce, ciphertext FROM {table}
                 WHERE key_version <> ?1 ORDER BY {id} LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![version, limit], |r| {
                Ok(SealedItem {
                    id: r.get(0)?,
                    owner: r.get(1)?,
                    sealed: Sealed { key_version: r.get(2)?, nonce: r.get(3)?, ciphertext: r.get(4)? },
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn replace_sealed_item(
        &self,
        kind: SealedKind,
        id: &str,
        expected_version: &str,
        sealed: &Sealed,
    ) -> Result<bool, StoreError> {
        let (table, id_column, _) = place(kind);
        let (id, expected, sealed) = (id.to_string(), expected_version.to_string(), sealed.clone());
        self.write(move |tx| {
            let changed = tx.execute(
                &format!(
                    "UPDATE {table} SET key_version = ?1, nonce = ?2, ciphertext = ?3
                     WHERE {id_column} = ?4 AND key_version = ?5"
                ),
                params![sealed.key_version, sealed.nonce, sealed.ciphertext, id, expected],
            )?;
            Ok(changed == 1)
        })
        .await
    }
}
