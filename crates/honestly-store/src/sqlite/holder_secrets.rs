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
        SealedKind::WebhookSecret => ("webhook_secrets", "id", "owner"),
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use honestly_core::auth::model::{Role, User, UserRecord};
    use honestly_core::clock::Timestamp;
    use honestly_core::crypto::vault::VaultKeys;
    use honestly_core::ids::{CredentialId, CredentialRequestId, DocumentId, IssuerId};
    use honestly_core::issuance::{holder, keys, HeldCredential, IssuerRecord};
    use honestly_core::store::{CredentialStore, IssuerStore, Store, UserStore, WebhookStore};

    use super::*;

    /// What `kind` thing `id` of `owner` opens to under `vault`, read back from the store.
    async fn opened(
        store: &SqliteStore,
        vault: &VaultKeys,
        kind: SealedKind,
        id: &str,
        owner: &str,
    ) -> Option<Vec<u8>> {
        let pending = store.sealed_items_not_under(kind, "no-such-version", 100).await.unwrap();
        let item = pending.into_iter().find(|i| i.id == id).expect("stored");
        assert_eq!(item.owner, owner);
        vault.open(item.sealed, &kind.binding(id), owner).ok()
    }

    /// A rotation re-encrypts every sealed thing of the issuance area under the new key, each
    /// bound as before, and a second run changes nothing.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_rotation_reseals_every_issuance_secret() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(&dir.path().join("r.db")).await.unwrap());
        let old = VaultKeys::parse(&hex::encode([1u8; 32])).unwrap();
        let now = Timestamp::now();
        let user = User {
            id: UserId::generate(),
            username: "holder".into(),
            role: Role::User,
            created_at: now,
            disabled: false,
        };
        store
            .create_user(&UserRecord { user: user.clone(), password_hash: "h".into() }, "holder")
            .await
            .unwrap();
        let uid = user.id.clone();

        let issuer_id = IssuerId::generate();
        let (public_key, sealed_key) = keys::generate(&old, &issuer_id);
        let issuer = IssuerRecord {
            id: issuer_id.clone(),
            name: "Registry".into(),
            public_key,
            sealed_key,
            revocation_version: 0,
            created_at: now,
        };
        store.insert_issuer(&issuer).await.unwrap();
        let held_id = CredentialId::generate();
        let held = HeldCredential {
            id: held_id.clone(),
            holder: uid.clone(),
            document_id: None,
            issuer_id: None,
            issuer_key: public_key,
            serial: 7,
            valid_until: 20_301_231,
            sealed_json: old.seal(
                b"{\"credential\":1}".to_vec(),
                &SealedKind::HeldCredential.binding(held_id.as_str()),
                uid.as_str(),
            ),
            created_at: now,
        };
        assert!(store.insert_held_credential(&held, 10).await.unwrap());
        let secret = holder::fresh_secret_bytes();
        store.set_holder_secret_if_absent(&uid, &holder::seal(&old, &uid, &secret)).await.unwrap().unwrap();
        let webhook_secret_id = "whk_rotation".to_string();
        let webhook_secret = honestly_core::webhooks::WebhookSecretRecord {
            id: webhook_secret_id.clone(),
            owner: uid.clone(),
            sealed: old.seal(
                vec![5; 32],
                &SealedKind::WebhookSecret.binding(&webhook_secret_id),
                uid.as_str(),
            ),
            created_at: now,
            retired_until: None,
        };
        assert_eq!(store.insert_webhook_secret_if_absent(&webhook_secret).await.unwrap(), Some(true));
        // The request's document is not needed to rotate its claims: written directly.
        let request_id = CredentialRequestId::generate();
        let claims = old.seal(
            b"{\"claims\":1}".to_vec(),
            &SealedKind::RequestClaims.binding(request_id.as_str()),
            uid.as_str(),
        );
        let (rid, holder_id, iid) =
            (request_id.as_str().to_string(), uid.as_str().to_string(), issuer_id.as_str().to_string());
        store
            .write(move |tx| {
                tx.execute(
                    "INSERT INTO credential_requests (id, holder, document_id, issuer_id, key_version, nonce, ciphertext,
                         status, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', 0)",
                    params![rid, holder_id, DocumentId::generate().as_str(), iid, claims.key_version, claims.nonce, claims.ciphertext],
                )?;
                Ok(())
            })
            .await
            .unwrap();

        let new = Arc::new(VaultKeys::parse(&hex::encode([1u8; 32])).unwrap().with_current([2u8; 32]));
        let dynamic: Arc<dyn Store> = Arc::clone(&store) as Arc<dyn Store>;
        assert_eq!(
            honestly_core::rotation::rotate(Arc::clone(&dynamic), Arc::clone(&new), |_, _| {}).await.unwrap(),
            0
        );
        assert_eq!(
            honestly_core::rotation::rotate_sealed_items(dynamic, Arc::clone(&new)).await.unwrap(),
            0,
            "idempotent"
        );

        let only_new = VaultKeys::parse(&hex::encode([2u8; 32])).unwrap();
        let things = [
            (SealedKind::IssuerKey, issuer_id.as_str(), issuer_id.as_str()),
            (SealedKind::RequestClaims, request_id.as_str(), uid.as_str()),
            (SealedKind::HeldCredential, held_id.as_str(), uid.as_str()),
            (SealedKind::HolderSecret, uid.as_str(), uid.as_str()),
            (SealedKind::WebhookSecret, webhook_secret_id.as_str(), uid.as_str()),
        ];
        for (kind, id, owner) in things {
            assert!(
                store.sealed_items_not_under(kind, new.current_version(), 10).await.unwrap().is_empty(),
                "{kind}"
            );
            assert!(
                opened(&store, &only_new, kind, id, owner).await.is_some(),
                "{kind} opens under the new key"
            );
            assert!(
                opened(&store, &old, kind, id, owner).await.is_none(),
                "{kind} no longer under the old key"
            );
        }
        let sealed_key = store.issuer(&issuer_id).await.unwrap().unwrap().sealed_key;
        assert!(keys::open(&only_new, &issuer_id, sealed_key).is_ok());
        let stored_secret = store.holder_secret(&uid).await.unwrap().unwrap();
        assert!(holder::open(&only_new, &uid, stored_secret).is_ok());
    }
}
