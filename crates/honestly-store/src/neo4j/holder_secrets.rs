//! Holders' secrets in Neo4j, `(:HolderSecret {user_id})-[:SECRET_OF]->(:User)` made once
//! under the user's write lock, and the re-encryption of the sealed things of the issuance
//! area (compare and swap under each node's lock).

use async_trait::async_trait;
use neo4rs::query;
use serde::Deserialize;

use super::{in_tx, Count, Neo4jStore};
use honestly_core::crypto::vault::Sealed;
use honestly_core::ids::UserId;
use honestly_core::issuance::{SealedItem, SealedKind};
use honestly_core::store::{HolderSecretStore, StoreError};

/// Where a kind of sealed thing lives: `(label, id property, owner property)`; the sealed
/// blob is always `key_version`, `nonce`, `ciphertext`.
fn place(kind: SealedKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        SealedKind::IssuerKey => ("Issuer", "id", "id"),
        SealedKind::RequestClaims => ("CredentialRequest", "id", "holder"),
        SealedKind::HeldCredential => ("HeldCredential", "id", "holder"),
        SealedKind::HolderSecret => ("HolderSecret", "user_id", "user_id"),
        SealedKind::WebhookSecret => ("WebhookSecret", "id", "owner"),
    }
}

pub(super) const SECRET: &str = "MATCH (s:HolderSecret {user_id: $user_id}) \
     RETURN s.key_version AS key_version, s.nonce AS nonce, s.ciphertext AS ciphertext";

const CREATE_IF_ABSENT: &str = "MATCH (u:User {id: $user_id}) \
     MERGE (s:HolderSecret {user_id: $user_id}) \
     ON CREATE SET s.key_version = $key_version, s.nonce = $nonce, s.ciphertext = $ciphertext \
     MERGE (s)-[:SECRET_OF]->(u)";

#[derive(Deserialize)]
struct SealedRow {
    key_version: String,
    nonce: Vec<u8>,
    ciphertext: Vec<u8>,
}

impl From<SealedRow> for Sealed {
    fn from(r: SealedRow) -> Self {
        Sealed { key_version: r.key_version, nonce: r.nonce, ciphertext: r.ciphertext }
    }
}

#[derive(Deserialize)]
struct ItemRow {
    id: String,
    owner: String,
    key_version: String,
    nonce: Vec<u8>,
    ciphertext: Vec<u8>,
}

#[async_trait]
impl HolderSecretStore for Neo4jStore {
    async fn holder_secret(&self, user_id: &UserId) -> Result<Option<Sealed>, StoreError> {
        let row: Option<SealedRow> = self.fetch_one(query(SECRET).param("user_id", user_id.as_str())).await?;
        Ok(row.map(Sealed::from))
    }

    async fn set_holder_secret_if_absent(
        &self,
        user_id: &UserId,
        sealed: &Sealed,
    ) -> Result<Option<Sealed>, StoreError> {
        in_tx!(self, |tx| {
            if !tx.lock("User", "id", user_id.as_str()).await? {
                return Ok(None);
            }
            tx.run(
                query(CREATE_IF_ABSENT)
                    .param("user_id", user_id.as_str())
                    .param("key_version", sealed.key_version.as_str())
                    .param("nonce", sealed.nonce.clone())
                    .param("ciphertext", sealed.ciphertext.clone()),
            )
            .await?;
            let row: Option<SealedRow> =
                tx.fetch_one(query(SECRET).param("user_id", user_id.as_str())).await?;
            Ok(row.map(Sealed::from))
        })
    }

    async fn sealed_items_not_under(
        &self,
        kind: SealedKind,
        version: &str,
        limit: u32,
    ) -> Result<Vec<SealedItem>, StoreError> {
        let (label, id, owner) = place(kind);
        let rows: Vec<ItemRow> = self
            .fetch(
                query(&format!(
                    "MATCH (n:{label}) WHERE n.key_version <> $version \
                     RETURN n.{id} AS id, n.{owner} AS owner, n.key_version AS key_version, n.nonce AS nonce, \
                       n.ciphertext AS ciphertext ORDER BY n.{id} LIMIT $limit"
                ))
                .param("version", version)
                .param("limit", i64::from(limit)),
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| SealedItem {
                id: r.id,
                owner: r.owner,
                sealed: Sealed { key_version: r.key_version, nonce: r.nonce, ciphertext: r.ciphertext },
            })
            .collect())
    }

    async fn replace_sealed_item(
        &self,
        kind: SealedKind,
        id: &str,
        expected_version: &str,
        sealed: &Sealed,
    ) -> Result<bool, StoreError> {
        let (label, id_property, _) = place(kind);
        in_tx!(self, |tx| {
            if !tx.lock(label, id_property, id).await? {
                return Ok(false);
            }
            let changed: Option<Count> = tx
                .fetch_one(
                    query(&format!(
                        "MATCH (n:{label} {{{id_property}: $id}}) WHERE n.key_version = $expected \
                         SET n.key_version = $key_version, n.nonce = $nonce, n.ciphertext = $ciphertext \
                         RETURN count(n) AS n"
                    ))
                    .param("id", id)
                    .param("expected", expected_version)
                    .param("key_version", sealed.key_version.as_str())
                    .param("nonce", sealed.nonce.clone())
                    .param("ciphertext", sealed.ciphertext.clone()),
                )
                .await?;
            Ok(changed.is_some_and(|c| c.n == 1))
        })
    }
}
