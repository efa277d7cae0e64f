//! Credential requests and the decisions on them in Neo4j:
//! `(:CredentialRequest)-[:REQUESTED_OF]->(:Issuer)`, numbered per holder so lists keep
//! insertion order. A decision takes the write lock of the request's document and then of the
//! request (the order a document's deletion takes them), re-reads the request and changes it
//! only while it is pending, so of concurrent decisions exactly one is `Done`.

use async_trait::async_trait;
use neo4rs::query;
use serde::Deserialize;

use super::{credentials, in_tx, Count, Neo4jStore, Tx};
use crate::stored::{text, text_opt, unix, unix_opt};
use honestly_core::clock::Timestamp;
use honestly_core::crypto::vault::Sealed;
use honestly_core::ids::{CredentialRequestId, IssuerId, UserId};
use honestly_core::issuance::{CredentialRequestRecord, Decision, DecisionOutcome, RequestStatus};
use honestly_core::store::{CredentialRequestStore, StoreError};

const COLUMNS: &str =
    "r.id AS id, r.holder AS holder, r.document_id AS document_id, r.issuer_id AS issuer_id, \
     r.key_version AS key_version, r.nonce AS nonce, r.ciphertext AS ciphertext, r.status AS status, \
     r.reason AS reason, r.credential_id AS credential_id, r.decided_by AS decided_by, \
     r.created_at AS created_at, r.decided_at AS decided_at";

const CREATE: &str = "MATCH (u:User {id: $holder}) MATCH (i:Issuer {id: $issuer_id}) \
     SET u.request_seq = coalesce(u.request_seq, 0) + 1 \
     CREATE (r:CredentialRequest {id: $id, holder: $holder, document_id: $document_id, issuer_id: $issuer_id, \
       key_version: $key_version, nonce: $nonce, ciphertext: $ciphertext, status: $status, reason: $reason, \
       credential_id: $credential_id, decided_by: $decided_by, created_at: $created_at, \
       decided_at: $decided_at, seq: u.request_seq})-[:REQUESTED_OF]->(i) \
     RETURN count(r) AS n";

/// Withdraws the pending requests for a document being deleted (in the deleting transaction).
pub(super) const WITHDRAW_FOR_DOCUMENT: &str = "MATCH (r:CredentialRequest {document_id: $id}) \
     WHERE r.status = 'pending' SET r.status = 'withdrawn', r.reason = 'document deleted', r.decided_at = $now";

#[derive(Deserialize)]
struct RequestRow {
    id: String,
    holder: String,
    document_id: String,
    issuer_id: String,
    key_version: String,
    nonce: Vec<u8>,
    ciphertext: Vec<u8>,
    status: String,
    reason: Option<String>,
    credential_id: Option<String>,
    decided_by: Option<String>,
    created_at: i64,
    decided_at: Option<i64>,
}

impl TryFrom<RequestRow> for CredentialRequestRecord {
    type Error = StoreError;

    fn try_from(r: RequestRow) -> Result<Self, StoreError> {
        Ok(CredentialRequestRecord {
            id: text("CredentialRequest.id", &r.id)?,
            holder: text("CredentialRequest.holder", &r.holder)?,
            document_id: text("CredentialRequest.document_id", &r.document_id)?,
            issuer_id: text("CredentialRequest.issuer_id", &r.issuer_id)?,
            sealed_claims: Sealed { key_version: r.key_version, nonce: r.nonce, ciphertext: r.ciphertext },
            status: text("CredentialRequest.status", &r.status)?,
            reason: r.reason,
            credential_id: text_opt("CredentialRequest.credential_id", r.credential_id.as_deref())?,
            decided_by: text_opt("CredentialRequest.decided_by", r.decided_by.as_deref())?,
            created_at: unix("CredentialRequest.created_at", r.created_at)?,
            decided_at: unix_opt("CredentialRequest.decided_at", r.decided_at)?,
        })
    }
}

fn by_id() -> String {
    format!("MATCH (r:CredentialRequest {{id: $id}}) RETURN {COLUMNS}")
}

async fn read(tx: &mut Tx, id: &str) -> Result<Option<CredentialRequestRecord>, StoreError> {
    let row: Option<RequestRow> = tx.fetch_one(query(&by_id()).param("id", id)).await?;
    row.map(CredentialRequestRecord::try_from).transpose()
}

async fn reread(tx: &mut Tx, id: &str) -> Result<CredentialRequestRecord, StoreError> {
    read(tx, id).await?.ok_or_else(|| StoreError::internal("a request changed in this transaction is gone"))
}

/// Whether the document exists and is `holder`'s, taking its write lock first.
async fn lock_document_of(tx: &mut Tx, holder: &UserId, document_id: &str) -> Result<bool, StoreError> {
    if !tx.lock("Document", "id", document_id).await? {
        return Ok(false);
    }
    let owned: Option<Count> = tx
        .fetch_one(
            query("MATCH (d:Document {id: $id}) WHERE d.user_id = $holder RETURN count(d) AS n")
                .param("id", document_id)
                .param("holder", holder.as_str()),
        )
        .await?;
    Ok(owned.is_some_and(|c| c.n == 1))
}

#[async_trait]
impl CredentialRequestStore for Neo4jStore {
    async fn insert_credential_request(
        &self,
        request: &CredentialRequestRecord,
        max_pending: u32,
    ) -> Result<bool, StoreError> {
        let r = request;
        in_tx!(self, |tx| {
            if !tx.lock("User", "id", r.holder.as_str()).await? {
                return Ok(false);
            }
            let pending: Option<Count> = tx
                .fetch_one(
                    query("MATCH (r:CredentialRequest {holder: $holder}) WHERE r.status = 'pending' RETURN count(r) AS n")
                        .param("holder", r.holder.as_str()),
                )
                .await?;
            if pending.map_or(0, |c| c.n) >= i64::from(max_pending)
                || !lock_document_of(&mut tx, &r.holder, r.document_id.as_str()).await?
            {
                return Ok(false);
            }
            let created: Option<Count> = tx
                .fetch_one(
                    query(CREATE)
                        .param("id", r.id.as_str())
                        .param("holder", r.holder.as_str())
                        .param("document_id", r.document_id.as_str())
                        .param("issuer_id", r.issuer_id.as_str())
                        .param("key_version", r.sealed_claims.key_version.as_str())
                        .param("nonce", r.sealed_claims.nonce.clone())
                        .param("ciphertext", r.sealed_claims.ciphertext.clone())
                        .param("status", r.status.as_str())
                        .param("reason", r.reason.clone())
                        .param("credential_id", r.credential_id.as_ref().map(|c| c.as_str().to_string()))
                        .param("decided_by", r.decided_by.as_ref().map(|u| u.as_str().to_string()))
                        .param("created_at", r.created_at.unix())
                        .param("decided_at", r.decided_at.map(Timestamp::unix)),
                )
                .await?;
            if created.is_none_or(|c| c.n != 1) {
                return Err(StoreError::conflict(format!("no issuer {} for the request", r.issuer_id)));
            }
            Ok(true)
        })
    }

    async fn credential_request(
        &self,
        id: &CredentialRequestId,
    ) -> Result<Option<CredentialRequestRecord>, StoreError> {
        let row: Option<RequestRow> = self.fetch_one(query(&by_id()).param("id", id.as_str())).await?;
        row.map(CredentialRequestRecord::try_from).transpose()
    }

    async fn credential_requests_of_holder(
        &self,
        holder: &UserId,
        limit: u32,
    ) -> Result<Vec<CredentialRequestRecord>, StoreError> {
        let rows: Vec<RequestRow> = self
            .fetch(
                query(&format!(
                    "MATCH (r:CredentialRequest {{holder: $holder}}) RETURN {COLUMNS} \
                     ORDER BY r.created_at DESC, r.seq DESC LIMIT $limit"
                ))
                .param("holder", holder.as_str())
                .param("limit", i64::from(limit)),
            )
            .await?;
        rows.into_iter().map(CredentialRequestRecord::try_from).collect()
    }

    async fn credential_requests_for_issuer(
        &self,
        issuer_id: &IssuerId,
        status: Option<RequestStatus>,
        before: Option<Timestamp>,
        limit: u32,
    ) -> Result<Vec<CredentialRequestRecord>, StoreError> {
        let rows: Vec<RequestRow> = self
            .fetch(
                query(&format!(
                    "MATCH (r:CredentialRequest {{issuer_id: $issuer_id}}) \
                     WHERE ($status IS NULL OR r.status = $status) AND r.created_at < $before \
                     RETURN {COLUMNS} ORDER BY r.created_at DESC, r.id DESC LIMIT $limit"
                ))
                .param("issuer_id", issuer_id.as_str())
                .param("status", status.map(|s| s.as_str().to_string()))
                .param("before", before.map_or(i64::MAX, Timestamp::unix))
                .param("limit", i64::from(limit)),
            )
            .await?;
        rows.into_iter().map(CredentialRequestRecord::try_from).collect()
    }

    async fn decide_credential_request(
        &self,
        issuer_id: &IssuerId,
        id: &CredentialRequestId,
        decided_by: &UserId,
        decision: &Decision,
        now: Timestamp,
    ) -> Result<DecisionOutcome, StoreError> {
        in_tx!(self, |tx| {
            let Some(first) = read(&mut tx, id.as_str()).await?.filter(|r| &r.issuer_id == issuer_id) else {
                return Ok(DecisionOutcome::NotFound);
            };
            let document_kept = lock_document_of(&mut tx, &first.holder, first.document_id.as_str()).await?;
            tx.lock("CredentialRequest", "id", id.as_str()).await?;
            // Gone meanwhile (its holder was erased): as if it never was.
            let Some(current) = read(&mut tx, id.as_str()).await? else {
                return Ok(DecisionOutcome::NotFound);
            };
            if current.status != RequestStatus::Pending || !document_kept {
                return Ok(DecisionOutcome::NotPending(current));
            }
            let decided = query(
                "MATCH (r:CredentialRequest {id: $id}) WHERE r.status = 'pending' \
                 SET r.status = $status, r.reason = $reason, r.credential_id = $credential_id, \
                   r.decided_by = $decided_by, r.decided_at = $now RETURN count(r) AS n",
            )
            .param("id", id.as_str())
            .param("decided_by", decided_by.as_str())
            .param("now", now.unix());
            let decided = match decision {
                Decision::Approve { issued, .. } => decided
                    .param("status", RequestStatus::Approved.as_str())
                    .param("reason", None::<String>)
                    .param("credential_id", Some(issued.id.as_str().to_string())),
                Decision::Reject { reason } => decided
                    .param("status", RequestStatus::Rejected.as_str())
                    .param("reason", Some(reason.clone()))
                    .param("credential_id", None::<String>),
            };
            let changed: Option<Count> = tx.fetch_one(decided).await?;
            if changed.is_none_or(|c| c.n != 1) {
                return Ok(DecisionOutcome::NotPending(reread(&mut tx, id.as_str()).await?));
            }
            if let Decision::Approve { issued, held } = decision {
                credentials::create_issued(&mut tx, issued).await?;
                credentials::create_held(&mut tx, held).await?;
            }
            Ok(DecisionOutcome::Done(reread(&mut tx, id.as_str()).await?))
        })
    }

    async fn withdraw_credential_request(
        &self,
        holder: &UserId,
        id: &CredentialRequestId,
        now: Timestamp,
    ) -> Result<DecisionOutcome, StoreError> {
        in_tx!(self, |tx| {
            if !tx.lock("CredentialRequest", "id", id.as_str()).await? {
                return Ok(DecisionOutcome::NotFound);
            }
            let Some(current) = read(&mut tx, id.as_str()).await?.filter(|r| &r.holder == holder) else {
                return Ok(DecisionOutcome::NotFound);
            };
            if current.status != RequestStatus::Pending {
                return Ok(DecisionOutcome::NotPending(current));
            }
            tx.run(
                query(
                    "MATCH (r:CredentialRequest {id: $id}) SET r.status = 'withdrawn', r.decided_at = $now",
                )
                .param("id", id.as_str())
                .param("now", now.unix()),
            )
            .await?;
            Ok(DecisionOutcome::Done(reread(&mut tx, id.as_str()).await?))
        })
    }
}
