//! Credentials in Neo4j: the holders' `(:HeldCredential)` (unique per holder, issuer key and
//! serial through the `dedup` property) and the issuers' `(:IssuedCredential)-[:ISSUED_BY]->
//! (:Issuer)`, each numbered per holder or issuer so lists keep insertion order. A revocation
//! locks the credential, sets `revoked_at` and bumps the issuer's `revocation_version` in one
//! transaction. Serials and key coordinates are decimal text.

use async_trait::async_trait;
use neo4rs::query;
use serde::Deserialize;

use super::{in_tx, Count, Neo4jStore, Tx};
use crate::stored::{number, text, text_opt, unix, unix_opt};
use honestly_core::clock::Timestamp;
use honestly_core::credentials::IssuerPublicKey;
use honestly_core::crypto::vault::Sealed;
use honestly_core::ids::{CredentialId, IssuerId, UserId};
use honestly_core::issuance::{HeldCredential, IssuedCredential, RevokeOutcome};
use honestly_core::store::{CredentialStore, StoreError};
use honestly_zk::fr_to_decimal;

const HELD_COLUMNS: &str = "c.id AS id, c.holder AS holder, c.document_id AS document_id, \
     c.issuer_id AS issuer_id, c.issuer_key_x AS issuer_key_x, c.issuer_key_y AS issuer_key_y, \
     c.serial AS serial, c.valid_until AS valid_until, c.key_version AS key_version, c.nonce AS nonce, \
     c.ciphertext AS ciphertext, c.created_at AS created_at";

const ISSUED_COLUMNS: &str = "c.id AS id, c.issuer_id AS issuer_id, c.request_id AS request_id, \
     c.holder AS holder, c.serial AS serial, c.valid_until AS valid_until, c.issued_at AS issued_at, \
     c.revoked_at AS revoked_at";

const CREATE_HELD: &str = "MATCH (u:User {id: $holder}) \
     SET u.held_seq = coalesce(u.held_seq, 0) + 1 \
     CREATE (c:HeldCredential {id: $id, holder: $holder, document_id: $document_id, issuer_id: $issuer_id, \
       issuer_key_x: $x, issuer_key_y: $y, serial: $serial, valid_until: $valid_until, \
       key_version: $key_version, nonce: $nonce, ciphertext: $ciphertext, created_at: $created_at, \
       dedup: $dedup, seq: u.held_seq}) \
     RETURN count(c) AS n";

const CREATE_ISSUED: &str = "MATCH (i:Issuer {id: $issuer_id}) \
     SET i.issued_seq = coalesce(i.issued_seq, 0) + 1 \
     CREATE (c:IssuedCredential {id: $id, issuer_id: $issuer_id, request_id: $request_id, holder: $holder, \
       serial: $serial, valid_until: $valid_until, issued_at: $issued_at, revoked_at: $revoked_at, \
       seq: i.issued_seq})-[:ISSUED_BY]->(i) \
     RETURN count(c) AS n";

/// Forgets a deleted document on the credentials that attest it (in the deleting transaction).
pub(super) const FORGET_DOCUMENT: &str = "MATCH (c:HeldCredential {document_id: $id}) REMOVE c.document_id";

#[derive(Deserialize)]
struct HeldRow {
    id: String,
    holder: String,
    document_id: Option<String>,
    issuer_id: Option<String>,
    issuer_key_x: String,
    issuer_key_y: String,
    serial: String,
    valid_until: i64,
    key_version: String,
    nonce: Vec<u8>,
    ciphertext: Vec<u8>,
    created_at: i64,
}

impl TryFrom<HeldRow> for HeldCredential {
    type Error = StoreError;

    fn try_from(r: HeldRow) -> Result<Self, StoreError> {
        Ok(HeldCredential {
            id: text("HeldCredential.id", &r.id)?,
            holder: text("HeldCredential.holder", &r.holder)?,
            document_id: text_opt("HeldCredential.document_id", r.document_id.as_deref())?,
            issuer_id: text_opt("HeldCredential.issuer_id", r.issuer_id.as_deref())?,
            issuer_key: IssuerPublicKey {
                x: text("HeldCredential.issuer_key_x", &r.issuer_key_x)?,
                y: text("HeldCredential.issuer_key_y", &r.issuer_key_y)?,
            },
            serial: text("HeldCredential.serial", &r.serial)?,
            valid_until: number("HeldCredential.valid_until", r.valid_until)?,
            sealed_json: Sealed { key_version: r.key_version, nonce: r.nonce, ciphertext: r.ciphertext },
            created_at: unix("HeldCredential.created_at", r.created_at)?,
        })
    }
}

#[derive(Deserialize)]
struct IssuedRow {
    id: String,
    issuer_id: String,
    request_id: String,
    holder: String,
    serial: String,
    valid_until: i64,
    issued_at: i64,
    revoked_at: Option<i64>,
}

impl TryFrom<IssuedRow> for IssuedCredential {
    type Error = StoreError;

    fn try_from(r: IssuedRow) -> Result<Self, StoreError> {
        Ok(IssuedCredential {
            id: text("IssuedCredential.id", &r.id)?,
            issuer_id: text("IssuedCredential.issuer_id", &r.issuer_id)?,
            request_id: text("IssuedCredential.request_id", &r.request_id)?,
            holder: text("IssuedCredential.holder", &r.holder)?,
            serial: text("IssuedCredential.serial", &r.serial)?,
            valid_until: number("IssuedCredential.valid_until", r.valid_until)?,
            issued_at: unix("IssuedCredential.issued_at", r.issued_at)?,
            revoked_at: unix_opt("IssuedCredential.revoked_at", r.revoked_at)?,
        })
    }
}

/// Stores a holder's copy in the caller's transaction: a conflict when the holder already
/// keeps the same issuer key and serial, or does not exist.
pub(super) async fn create_held(tx: &mut Tx, c: &HeldCredential) -> Result<(), StoreError> {
    let (x, y) = (fr_to_decimal(&c.issuer_key.x), fr_to_decimal(&c.issuer_key.y));
    let dedup = format!("{}|{x}|{y}|{}", c.holder, c.serial);
    let created: Option<Count> = tx
        .fetch_one(
            query(CREATE_HELD)
                .param("id", c.id.as_str())
                .param("holder", c.holder.as_str())
                .param("document_id", c.document_id.as_ref().map(|d| d.as_str().to_string()))
                .param("issuer_id", c.issuer_id.as_ref().map(|i| i.as_str().to_string()))
                .param("x", x)
                .param("y", y)
                .param("serial", c.serial.to_string())
                .param("valid_until", i64::from(c.valid_until))
                .param("key_version", c.sealed_json.key_version.as_str())
                .param("nonce", c.sealed_json.nonce.clone())
                .param("ciphertext", c.sealed_json.ciphertext.clone())
                .param("created_at", c.created_at.unix())
                .param("dedup", dedup),
        )
        .await?;
    if created.is_none_or(|n| n.n != 1) {
        return Err(StoreError::conflict(format!("no user {} for the credential", c.holder)));
    }
    Ok(())
}

/// Stores an issuer's record in the caller's transaction (a conflict when the issuer is
/// unknown or the id taken).
pub(super) async fn create_issued(tx: &mut Tx, c: &IssuedCredential) -> Result<(), StoreError> {
    let created: Option<Count> = tx
        .fetch_one(
            query(CREATE_ISSUED)
                .param("id", c.id.as_str())
                .param("issuer_id", c.issuer_id.as_str())
                .param("request_id", c.request_id.as_str())
                .param("holder", c.holder.as_str())
                .param("serial", c.serial.to_string())
                .param("valid_until", i64::from(c.valid_until))
                .param("issued_at", c.issued_at.unix())
                .param("revoked_at", c.revoked_at.map(Timestamp::unix)),
        )
        .await?;
    if created.is_none_or(|n| n.n != 1) {
        return Err(StoreError::conflict(format!("no issuer {} for the credential", c.issuer_id)));
    }
    Ok(())
}

#[async_trait]
impl CredentialStore for Neo4jStore {
    async fn insert_held_credential(
        &self,
        credential: &HeldCredential,
        max_per_holder: u32,
    ) -> Result<bool, StoreError> {
        let c = credential;
        in_tx!(self, |tx| {
            if !tx.lock("User", "id", c.holder.as_str()).await? {
                return Err(StoreError::conflict(format!("no user {} for the credential", c.holder)));
            }
            let kept: Option<Count> = tx
                .fetch_one(
                    query("MATCH (c:HeldCredential {holder: $holder}) RETURN count(c) AS n")
                        .param("holder", c.holder.as_str()),
                )
                .await?;
            if kept.map_or(0, |k| k.n) >= i64::from(max_per_holder) {
                return Ok(false);
            }
            create_held(&mut tx, c).await?;
            Ok(true)
        })
    }

    async fn held_credential(
        &self,
        holder: &UserId,
        id: &CredentialId,
    ) -> Result<Option<HeldCredential>, StoreError> {
        let row: Option<HeldRow> = self
            .fetch_one(
                query(&format!(
                    "MATCH (c:HeldCredential {{id: $id}}) WHERE c.holder = $holder RETURN {HELD_COLUMNS}"
                ))
                .param("id", id.as_str())
                .param("holder", holder.as_str()),
            )
            .await?;
        row.map(HeldCredential::try_from).transpose()
    }

    async fn held_credentials(&self, holder: &UserId, limit: u32) -> Result<Vec<HeldCredential>, StoreError> {
        let rows: Vec<HeldRow> = self
            .fetch(
                query(&format!(
                    "MATCH (c:HeldCredential {{holder: $holder}}) RETURN {HELD_COLUMNS} \
                     ORDER BY c.created_at DESC, c.seq DESC LIMIT $limit"
                ))
                .param("holder", holder.as_str())
                .param("limit", i64::from(limit)),
            )
            .await?;
        rows.into_iter().map(HeldCredential::try_from).collect()
    }

    async fn delete_held_credential(&self, holder: &UserId, id: &CredentialId) -> Result<bool, StoreError> {
        let deleted: Option<Count> = self
            .fetch_one(
                query(
                    "MATCH (c:HeldCredential {id: $id}) WHERE c.holder = $holder \
                     DETACH DELETE c RETURN count(*) AS n",
                )
                .param("id", id.as_str())
                .param("holder", holder.as_str()),
            )
            .await?;
        Ok(deleted.is_some_and(|c| c.n == 1))
    }

    async fn issued_credential(
        &self,
        issuer_id: &IssuerId,
        id: &CredentialId,
    ) -> Result<Option<IssuedCredential>, StoreError> {
        let row: Option<IssuedRow> = self
            .fetch_one(
                query(&format!(
                    "MATCH (c:IssuedCredential {{id: $id}}) WHERE c.issuer_id = $issuer_id RETURN {ISSUED_COLUMNS}"
                ))
                .param("id", id.as_str())
                .param("issuer_id", issuer_id.as_str()),
            )
            .await?;
        row.map(IssuedCredential::try_from).transpose()
    }

    async fn issued_credentials(
        &self,
        issuer_id: &IssuerId,
        before: Option<Timestamp>,
        limit: u32,
    ) -> Result<Vec<IssuedCredential>, StoreError> {
        let rows: Vec<IssuedRow> = self
            .fetch(
                query(&format!(
                    "MATCH (c:IssuedCredential {{issuer_id: $issuer_id}}) WHERE c.issued_at < $before \
                     RETURN {ISSUED_COLUMNS} ORDER BY c.issued_at DESC, c.seq DESC LIMIT $limit"
                ))
                .param("issuer_id", issuer_id.as_str())
                .param("before", before.map_or(i64::MAX, Timestamp::unix))
                .param("limit", i64::from(limit)),
            )
            .await?;
        rows.into_iter().map(IssuedCredential::try_from).collect()
    }

    async fn revoke_credential(
        &self,
        issuer_id: &IssuerId,
        id: &CredentialId,
        now: Timestamp,
    ) -> Result<RevokeOutcome, StoreError> {
        #[derive(Deserialize)]
        struct State {
            revoked_at: Option<i64>,
        }
        in_tx!(self, |tx| {
            if !tx.lock("IssuedCredential", "id", id.as_str()).await? {
                return Ok(RevokeOutcome::NotFound);
            }
            let state: Option<State> = tx
                .fetch_one(
                    query(
                        "MATCH (c:IssuedCredential {id: $id}) WHERE c.issuer_id = $issuer_id \
                         RETURN c.revoked_at AS revoked_at",
                    )
                    .param("id", id.as_str())
                    .param("issuer_id", issuer_id.as_str()),
                )
                .await?;
            match state {
                None => Ok(RevokeOutcome::NotFound),
                Some(State { revoked_at: Some(_) }) => Ok(RevokeOutcome::AlreadyRevoked),
                Some(State { revoked_at: None }) => {
                    tx.run(
                        query(
                            "MATCH (c:IssuedCredential {id: $id}) SET c.revoked_at = $now \
                             WITH c MATCH (i:Issuer {id: c.issuer_id}) \
                             SET i.revocation_version = i.revocation_version + 1",
                        )
                        .param("id", id.as_str())
                        .param("now", now.unix()),
                    )
                    .await?;
                    Ok(RevokeOutcome::Revoked)
                }
            }
        })
    }

    async fn revoked_serials(&self, issuer_id: &IssuerId, limit: u32) -> Result<Vec<u128>, StoreError> {
        #[derive(Deserialize)]
        struct SerialRow {
            serial: String,
        }
        let rows: Vec<SerialRow> = self
            .fetch(
                query(
                    "MATCH (c:IssuedCredential {issuer_id: $issuer_id}) WHERE c.revoked_at IS NOT NULL \
                     RETURN c.serial AS serial LIMIT $limit",
                )
                .param("issuer_id", issuer_id.as_str())
                .param("limit", i64::from(limit)),
            )
            .await?;
        rows.into_iter().map(|r| Ok(text("IssuedCredential.serial", &r.serial)?)).collect()
    }
}
