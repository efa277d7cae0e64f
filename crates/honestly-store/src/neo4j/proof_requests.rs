//! Proof requests in Neo4j: `(:ProofRequest)-[:REQUESTED_BY]->(:User)`, numbered per owner so
//! lists keep insertion order. Ending a request takes the request's write lock, re-reads it and
//! changes it only while pending (answers: and not expired); a holder's answer to a verifier's
//! scope is a `(:ProofRequestAnswer {key})` node under a uniqueness constraint, merged in the
//! same transaction, so of concurrent answers exactly one wins. The ended request's webhook
//! event is merged in the same transaction too.

use std::sync::Arc;

use async_trait::async_trait;
use neo4rs::query;
use serde::Deserialize;

use super::webhooks::merge_event;
use super::{in_tx, Count, Neo4jStore, Tx};
use crate::stored::{text, text_opt, unix, unix_opt};
use honestly_core::clock::Timestamp;
use honestly_core::ids::{ProofRequestId, UserId};
use honestly_core::proof_requests::{Finish, FinishOutcome, ProofRequestRecord, ProofRequestStatus};
use honestly_core::store::{Announcement, ProofRequestStore, StoreError};

const COLUMNS: &str = "r.id AS id, r.owner AS owner, r.token_hash AS token_hash, r.spec AS spec, \
     r.status AS status, r.created_at AS created_at, r.expires_at AS expires_at, \
     r.finished_at AS finished_at, r.result AS result";

const CREATE: &str = "MATCH (u:User {id: $owner}) \
     SET u.proof_request_seq = coalesce(u.proof_request_seq, 0) + 1 \
     CREATE (r:ProofRequest {id: $id, owner: $owner, token_hash: $token_hash, spec: $spec, status: $status, \
       created_at: $created_at, expires_at: $expires_at, finished_at: $finished_at, result: $result, \
       seq: u.proof_request_seq})-[:REQUESTED_BY]->(u) \
     RETURN count(r) AS n";

/// The request by id.
pub(super) const BY_ID: &str = "MATCH (r:ProofRequest {id: $id}) RETURN r.seq AS seq, \
     r.id AS id, r.owner AS owner, r.token_hash AS token_hash, r.spec AS spec, \
     r.status AS status, r.created_at AS created_at, r.expires_at AS expires_at, \
     r.finished_at AS finished_at, r.result AS result";

/// The request by its token's hash.
pub(super) const BY_TOKEN_HASH: &str =
    "MATCH (r:ProofRequest {token_hash: $token_hash}) RETURN r.seq AS seq, \
     r.id AS id, r.owner AS owner, r.token_hash AS token_hash, r.spec AS spec, \
     r.status AS status, r.created_at AS created_at, r.expires_at AS expires_at, \
     r.finished_at AS finished_at, r.result AS result";

/// Records a holder's answer to a verifier's scope unless recorded before.
const ANSWER: &str = "MERGE (a:ProofRequestAnswer {key: $key}) \
     ON CREATE SET a.owner = $owner, a.scope = $scope, a.nullifier = $nullifier, a.request_id = $id, \
       a._created = true \
     WITH a, coalesce(a._created, false) AS created \
     FOREACH (x IN CASE WHEN created THEN [1] ELSE [] END | REMOVE a._created) \
     RETURN created";

#[derive(Deserialize)]
struct RequestRow {
    seq: i64,
    id: String,
    owner: String,
    token_hash: String,
    spec: String,
    status: String,
    created_at: i64,
    expires_at: i64,
    finished_at: Option<i64>,
    result: Option<String>,
}

#[derive(Deserialize)]
struct Created {
    created: bool,
}

#[derive(Deserialize)]
struct IdRow {
    id: String,
}

impl TryFrom<RequestRow> for ProofRequestRecord {
    type Error = StoreError;

    fn try_from(r: RequestRow) -> Result<Self, StoreError> {
        Ok(ProofRequestRecord {
            id: text("ProofRequest.id", &r.id)?,
            owner: text("ProofRequest.owner", &r.owner)?,
            token_hash: r.token_hash,
            spec: text("ProofRequest.spec", &r.spec)?,
            status: text("ProofRequest.status", &r.status)?,
            created_at: unix("ProofRequest.created_at", r.created_at)?,
            expires_at: unix("ProofRequest.expires_at", r.expires_at)?,
            finished_at: unix_opt("ProofRequest.finished_at", r.finished_at)?,
            result: text_opt("ProofRequest.result", r.result.as_deref())?,
        })
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(StoreError::internal)
}

async fn read(tx: &mut Tx, id: &str) -> Result<Option<ProofRequestRecord>, StoreError> {
    let row: Option<RequestRow> = tx.fetch_one(query(BY_ID).param("id", id)).await?;
    row.map(ProofRequestRecord::try_from).transpose()
}

async fn reread(tx: &mut Tx, id: &str) -> Result<ProofRequestRecord, StoreError> {
    read(tx, id).await?.ok_or_else(|| StoreError::internal("a request changed in this transaction is gone"))
}

/// The request `id` just ended in `tx`, as it now is, with the webhook event it announces
/// merged in the same transaction.
async fn ended(tx: &mut Tx, id: &str, announce: &Announcement) -> Result<ProofRequestRecord, StoreError> {
    let request = reread(tx, id).await?;
    if let Some(event) = announce(&request) {
        merge_event(tx, &event).await?;
    }
    Ok(request)
}

/// Sets the status of a pending request (its lock is held).
async fn set_status(
    tx: &mut Tx,
    id: &str,
    status: ProofRequestStatus,
    result: Option<String>,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let changed: Option<Count> = tx
        .fetch_one(
            query(
                "MATCH (r:ProofRequest {id: $id}) WHERE r.status = 'pending' \
                 SET r.status = $status, r.finished_at = $now, r.result = $result RETURN count(r) AS n",
            )
            .param("id", id)
            .param("status", status.as_str())
            .param("now", now.unix())
            .param("result", result),
        )
        .await?;
    Ok(changed.is_some_and(|c| c.n == 1))
}

#[async_trait]
impl ProofRequestStore for Neo4jStore {
    async fn insert_proof_request(&self, request: &ProofRequestRecord) -> Result<(), StoreError> {
        let r = request;
        let spec = json(&r.spec)?;
        let result = r.result.as_ref().map(json).transpose()?;
        in_tx!(self, |tx| {
            if !tx.lock("User", "id", r.owner.as_str()).await? {
                return Err(StoreError::conflict(format!("no user {} for the request", r.owner)));
            }
            let created: Option<Count> = tx
                .fetch_one(
                    query(CREATE)
                        .param("id", r.id.as_str())
                        .param("owner", r.owner.as_str())
                        .param("token_hash", r.token_hash.as_str())
                        .param("spec", spec.clone())
                        .param("status", r.status.as_str())
                        .param("created_at", r.created_at.unix())
                        .param("expires_at", r.expires_at.unix())
                        .param("finished_at", r.finished_at.map(Timestamp::unix))
                        .param("result", result.clone()),
                )
                .await?;
            if created.is_none_or(|c| c.n != 1) {
                return Err(StoreError::conflict(format!("no user {} for the request", r.owner)));
            }
            Ok(())
        })
    }

    async fn proof_request(
        &self,
        owner: &UserId,
        id: &ProofRequestId,
    ) -> Result<Option<ProofRequestRecord>, StoreError> {
        let row: Option<RequestRow> = self.fetch_one(query(BY_ID).param("id", id.as_str())).await?;
        Ok(row.map(ProofRequestRecord::try_from).transpose()?.filter(|r| &r.owner == owner))
    }

    async fn proof_request_by_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<ProofRequestRecord>, StoreError> {
        let row: Option<RequestRow> =
            self.fetch_one(query(BY_TOKEN_HASH).param("token_hash", token_hash)).await?;
        row.map(ProofRequestRecord::try_from).transpose()
    }

    async fn proof_requests_page(
        &self,
        owner: &UserId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(i64, ProofRequestRecord)>, StoreError> {
        let rows: Vec<RequestRow> = self
            .fetch(
                query(&format!(
                    "MATCH (r:ProofRequest {{owner: $owner}}) WHERE r.seq < $before \
                     RETURN r.seq AS seq, {COLUMNS} ORDER BY r.seq DESC LIMIT $limit"
                ))
                .param("owner", owner.as_str())
                .param("before", before.unwrap_or(i64::MAX))
                .param("limit", i64::from(limit)),
            )
            .await?;
        rows.into_iter().map(|r| Ok((r.seq, ProofRequestRecord::try_from(r)?))).collect()
    }

    async fn finish_proof_request(
        &self,
        id: &ProofRequestId,
        finish: &Finish,
        now: Timestamp,
        announce: Arc<Announcement>,
    ) -> Result<FinishOutcome, StoreError> {
        let result = match finish {
            Finish::Complete { result, .. } => Some(json(result)?),
            Finish::Decline | Finish::Expire => None,
        };
        in_tx!(self, |tx| {
            if !tx.lock("ProofRequest", "id", id.as_str()).await? {
                return Ok(FinishOutcome::NotFound);
            }
            let Some(current) = read(&mut tx, id.as_str()).await? else {
                return Ok(FinishOutcome::NotFound);
            };
            if current.status != ProofRequestStatus::Pending {
                return Ok(FinishOutcome::NotPending(current));
            }
            let overdue = current.expires_at <= now;
            match finish {
                Finish::Expire if !overdue => return Ok(FinishOutcome::NotPending(current)),
                Finish::Complete { .. } | Finish::Decline if overdue => {
                    return Ok(FinishOutcome::TooLate(current))
                }
                _ => {}
            }
            if let Finish::Complete { unique_nullifier: Some(nullifier), .. } = finish {
                let key =
                    serde_json::json!([current.owner.as_str(), current.spec.scope, nullifier]).to_string();
                let recorded: Option<Created> = tx
                    .fetch_one(
                        query(ANSWER)
                            .param("key", key)
                            .param("owner", current.owner.as_str())
                            .param("scope", current.spec.scope.as_str())
                            .param("nullifier", nullifier.as_str())
                            .param("id", id.as_str()),
                    )
                    .await?;
                if !recorded.is_some_and(|r| r.created) {
                    return Ok(FinishOutcome::AlreadyAnswered);
                }
            }
            if !set_status(&mut tx, id.as_str(), finish.status(), result.clone(), now).await? {
                return Err(StoreError::internal("a pending request did not change"));
            }
            Ok(FinishOutcome::Done(ended(&mut tx, id.as_str(), announce.as_ref()).await?))
        })
    }

    async fn expire_due_proof_requests(
        &self,
        now: Timestamp,
        limit: u32,
        announce: Arc<Announcement>,
    ) -> Result<Vec<ProofRequestRecord>, StoreError> {
        let mut due: Vec<String> = self
            .fetch::<IdRow>(
                query(
                    "MATCH (r:ProofRequest) WHERE r.status = 'pending' AND r.expires_at <= $now \
                     RETURN r.id AS id ORDER BY r.expires_at LIMIT $limit",
                )
                .param("now", now.unix())
                .param("limit", i64::from(limit)),
            )
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect();
        // One order of locks for every replica.
        due.sort();
        let mut expired = Vec::with_capacity(due.len());
        for id in due {
            let ended = in_tx!(self, |tx| {
                if !tx.lock("ProofRequest", "id", &id).await? {
                    return Ok(None);
                }
                let due_now = read(&mut tx, &id).await?.is_some_and(|r| r.is_overdue(now));
                if !due_now || !set_status(&mut tx, &id, ProofRequestStatus::Expired, None, now).await? {
                    return Ok(None);
                }
                Ok(Some(ended(&mut tx, &id, announce.as_ref()).await?))
            })?;
            expired.extend(ended);
        }
        Ok(expired)
    }
}
