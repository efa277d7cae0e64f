//! The webhook outbox in Neo4j: `(:WebhookSecret {id, owner})` nodes (the current one has no
//! `retired_until`), changed under the owner's `(:User)` lock; `(:WebhookEvent {id})` nodes,
//! made once through the unique id, leased and updated each under its own lock, with the
//! attempt log as a list of JSON strings on the event (bounded by the retry schedule).

use async_trait::async_trait;
use neo4rs::{query, Query};
use serde::Deserialize;

use super::{in_tx, Count, Neo4jStore, Tx};
use honestly_core::clock::Timestamp;
use honestly_core::crypto::vault::Sealed;
use honestly_core::ids::UserId;
use honestly_core::store::{StoreError, WebhookStore};
use honestly_core::webhooks::{
    AfterAttempt, AttemptRecord, DeliveryStatus, WebhookEvent, WebhookSecretRecord,
};

const SECRETS: &str = "MATCH (s:WebhookSecret {owner: $owner}) \
     RETURN s.id AS id, s.owner AS owner, s.key_version AS key_version, s.nonce AS nonce, \
       s.ciphertext AS ciphertext, s.created_at AS created_at, s.retired_until AS retired_until \
     ORDER BY s.retired_until IS NOT NULL, s.created_at DESC LIMIT 2";

const CREATE_SECRET: &str = "CREATE (s:WebhookSecret {id: $id, owner: $owner, key_version: $key_version, \
     nonce: $nonce, ciphertext: $ciphertext, created_at: $created_at})";

/// A new event's properties besides its id, as `$parameters` ([`with_event`]).
const EVENT_PROPERTIES: &str = "owner: $owner, subject: $subject, event_type: $event_type, url: $url, \
     body: $body, status: $status, attempts: $attempts, created_at_ms: $created_at_ms, \
     next_attempt_ms: $next_attempt_ms";

/// `q` with the parameters [`EVENT_PROPERTIES`] and `$id` name.
fn with_event(q: Query, event: &WebhookEvent) -> Query {
    q.param("id", event.id.as_str())
        .param("owner", event.owner.as_str())
        .param("subject", event.subject.as_str())
        .param("event_type", event.event_type.as_str())
        .param("url", event.url.as_str())
        .param("body", event.body.clone())
        .param("status", event.status.as_str())
        .param("attempts", i64::from(event.attempts))
        .param("created_at_ms", event.created_at_ms)
        .param("next_attempt_ms", event.next_attempt_ms)
}

/// Stores `event` in the open transaction `tx` unless an event with its id exists. Writes
/// that raise an event with another change (a proof request's end) call it in their own
/// transaction.
pub(super) async fn merge_event(tx: &mut Tx, event: &WebhookEvent) -> Result<(), StoreError> {
    let merge = format!("MERGE (e:WebhookEvent {{id: $id}}) ON CREATE SET e += {{{EVENT_PROPERTIES}}}");
    tx.run(with_event(query(&merge), event)).await
}

const EVENT_FIELDS: &str = "e.id AS id, e.owner AS owner, e.subject AS subject, e.event_type AS event_type, \
     e.url AS url, e.body AS body, e.status AS status, e.attempts AS attempts, \
     e.created_at_ms AS created_at_ms, e.next_attempt_ms AS next_attempt_ms, \
     e.first_attempt_ms AS first_attempt_ms, e.finished_at_ms AS finished_at_ms";

const DUE: &str = "e.status = 'pending' AND e.next_attempt_ms <= $now \
     AND (e.lease_until_ms IS NULL OR e.lease_until_ms <= $now)";

#[derive(Deserialize)]
struct SecretRow {
    id: String,
    owner: String,
    key_version: String,
    nonce: Vec<u8>,
    ciphertext: Vec<u8>,
    created_at: i64,
    retired_until: Option<i64>,
}

impl SecretRow {
    fn record(self) -> Result<WebhookSecretRecord, StoreError> {
        Ok(WebhookSecretRecord {
            id: self.id,
            owner: UserId::parse(&self.owner).map_err(StoreError::internal)?,
            sealed: Sealed { key_version: self.key_version, nonce: self.nonce, ciphertext: self.ciphertext },
            created_at: Timestamp::from_unix(self.created_at).map_err(StoreError::internal)?,
            retired_until: self
                .retired_until
                .map(Timestamp::from_unix)
                .transpose()
                .map_err(StoreError::internal)?,
        })
    }
}

#[derive(Deserialize)]
struct EventRow {
    id: String,
    owner: String,
    subject: String,
    event_type: String,
    url: String,
    body: Vec<u8>,
    status: String,
    attempts: i64,
    created_at_ms: i64,
    next_attempt_ms: i64,
    first_attempt_ms: Option<i64>,
    finished_at_ms: Option<i64>,
}

impl EventRow {
    fn event(self) -> Result<WebhookEvent, StoreError> {
        Ok(WebhookEvent {
            owner: UserId::parse(&self.owner).map_err(StoreError::internal)?,
            status: DeliveryStatus::parse(&self.status)
                .ok_or_else(|| StoreError::internal(format!("unknown webhook status {:?}", self.status)))?,
            attempts: u32::try_from(self.attempts).map_err(StoreError::internal)?,
            id: self.id,
            subject: self.subject,
            event_type: self.event_type,
            url: self.url,
            body: self.body,
            created_at_ms: self.created_at_ms,
            next_attempt_ms: self.next_attempt_ms,
            first_attempt_ms: self.first_attempt_ms,
            finished_at_ms: self.finished_at_ms,
        })
    }
}

#[derive(Deserialize)]
struct IdRow {
    id: String,
}

#[derive(Deserialize)]
struct LogRow {
    log: Vec<String>,
}

fn create_secret(secret: &WebhookSecretRecord) -> neo4rs::Query {
    query(CREATE_SECRET)
        .param("id", secret.id.as_str())
        .param("owner", secret.owner.as_str())
        .param("key_version", secret.sealed.key_version.as_str())
        .param("nonce", secret.sealed.nonce.clone())
        .param("ciphertext", secret.sealed.ciphertext.clone())
        .param("created_at", secret.created_at.unix())
}

#[async_trait]
impl WebhookStore for Neo4jStore {
    async fn webhook_secrets(&self, owner: &UserId) -> Result<Vec<WebhookSecretRecord>, StoreError> {
        let rows: Vec<SecretRow> = self.fetch(query(SECRETS).param("owner", owner.as_str())).await?;
        rows.into_iter().map(SecretRow::record).collect()
    }

    async fn insert_webhook_secret_if_absent(
        &self,
        secret: &WebhookSecretRecord,
    ) -> Result<Option<bool>, StoreError> {
        in_tx!(self, |tx| {
            if !tx.lock("User", "id", secret.owner.as_str()).await? {
                return Ok(None);
            }
            let current: Option<Count> = tx
                .fetch_one(
                    query(
                        "MATCH (s:WebhookSecret {owner: $owner}) WHERE s.retired_until IS NULL \
                         RETURN count(s) AS n",
                    )
                    .param("owner", secret.owner.as_str()),
                )
                .await?;
            if current.is_some_and(|c| c.n > 0) {
                return Ok(Some(false));
            }
            tx.run(create_secret(secret)).await?;
            Ok(Some(true))
        })
    }

    async fn rotate_webhook_secret(
        &self,
        secret: &WebhookSecretRecord,
        previous_until: Timestamp,
    ) -> Result<Option<bool>, StoreError> {
        in_tx!(self, |tx| {
            let owner = secret.owner.as_str();
            if !tx.lock("User", "id", owner).await? {
                return Ok(None);
            }
            tx.run(
                query("MATCH (s:WebhookSecret {owner: $owner}) WHERE s.retired_until IS NOT NULL DETACH DELETE s")
                    .param("owner", owner),
            )
            .await?;
            let retired: Option<Count> = tx
                .fetch_one(
                    query(
                        "MATCH (s:WebhookSecret {owner: $owner}) WHERE s.retired_until IS NULL \
                         SET s.retired_until = $until RETURN count(s) AS n",
                    )
                    .param("owner", owner)
                    .param("until", previous_until.unix()),
                )
                .await?;
            tx.run(create_secret(secret)).await?;
            Ok(Some(retired.is_some_and(|c| c.n > 0)))
        })
    }

    async fn enqueue_webhook_event(&self, event: &WebhookEvent) -> Result<bool, StoreError> {
        let q = with_event(query(&format!("CREATE (e:WebhookEvent {{id: $id, {EVENT_PROPERTIES}}})")), event);
        // The unique id refuses a second node: that is the "already enqueued" answer.
        match self.run(q).await {
            Ok(()) => Ok(true),
            Err(StoreError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn claim_due_webhook_events(
        &self,
        now_ms: i64,
        lease_owner: &str,
        lease_until_ms: i64,
        limit: u32,
    ) -> Result<Vec<WebhookEvent>, StoreError> {
        let candidates: Vec<IdRow> = self
            .fetch(
                query(&format!(
                    "MATCH (e:WebhookEvent) WHERE {DUE} RETURN e.id AS id ORDER BY e.next_attempt_ms LIMIT $limit"
                ))
                .param("now", now_ms)
                .param("limit", i64::from(limit)),
            )
            .await?;
        let mut claimed = Vec::with_capacity(candidates.len());
        for IdRow { id } in candidates {
            // Under the event's lock the condition is read again: of racing claimers one wins.
            let row: Option<EventRow> = in_tx!(self, |tx| {
                if !tx.lock("WebhookEvent", "id", &id).await? {
                    return Ok(None);
                }
                tx.fetch_one(
                    query(&format!(
                        "MATCH (e:WebhookEvent {{id: $id}}) WHERE {DUE} \
                         SET e.lease_owner = $lease_owner, e.lease_until_ms = $lease_until RETURN {EVENT_FIELDS}"
                    ))
                    .param("id", id.as_str())
                    .param("now", now_ms)
                    .param("lease_owner", lease_owner)
                    .param("lease_until", lease_until_ms),
                )
                .await
            })?;
            if let Some(row) = row {
                claimed.push(row.event()?);
            }
        }
        Ok(claimed)
    }

    async fn record_webhook_attempt(
        &self,
        id: &str,
        lease_owner: &str,
        attempt: &AttemptRecord,
        after: AfterAttempt,
    ) -> Result<bool, StoreError> {
        let entry = serde_json::to_string(attempt).map_err(StoreError::internal)?;
        let ended = attempt.at_ms.saturating_add(i64::try_from(attempt.duration_ms).unwrap_or(0));
        let (status, next, finished) = match after {
            AfterAttempt::Retry { at_ms } => (DeliveryStatus::Pending, at_ms, -1),
            AfterAttempt::Delivered => (DeliveryStatus::Delivered, -1, ended),
            AfterAttempt::Failed => (DeliveryStatus::Failed, -1, ended),
        };
        in_tx!(self, |tx| {
            if !tx.lock("WebhookEvent", "id", id).await? {
                return Ok(false);
            }
            let changed: Option<Count> = tx
                .fetch_one(
                    query(
                        "MATCH (e:WebhookEvent {id: $id}) WHERE e.status = 'pending' AND e.lease_owner = $lease_owner \
                         SET e.status = $status, e.attempts = $attempt, \
                           e.first_attempt_ms = coalesce(e.first_attempt_ms, $at), \
                           e.next_attempt_ms = CASE WHEN $next >= 0 THEN $next ELSE e.next_attempt_ms END, \
                           e.finished_at_ms = CASE WHEN $finished >= 0 THEN $finished ELSE null END, \
                           e.lease_owner = null, e.lease_until_ms = null, \
                           e.attempt_log = coalesce(e.attempt_log, []) + [$entry] \
                         RETURN count(e) AS n",
                    )
                    .param("id", id)
                    .param("lease_owner", lease_owner)
                    .param("status", status.as_str())
                    .param("attempt", i64::from(attempt.attempt))
                    .param("at", attempt.at_ms)
                    .param("next", next)
                    .param("finished", finished)
                    .param("entry", entry.as_str()),
                )
                .await?;
            Ok(changed.is_some_and(|c| c.n == 1))
        })
    }

    async fn webhook_events_for_subject(
        &self,
        owner: &UserId,
        subject: &str,
        limit: u32,
    ) -> Result<Vec<WebhookEvent>, StoreError> {
        let rows: Vec<EventRow> = self
            .fetch(
                query(&format!(
                    "MATCH (e:WebhookEvent {{owner: $owner, subject: $subject}}) RETURN {EVENT_FIELDS} \
                     ORDER BY e.created_at_ms, e.id LIMIT $limit"
                ))
                .param("owner", owner.as_str())
                .param("subject", subject)
                .param("limit", i64::from(limit)),
            )
            .await?;
        rows.into_iter().map(EventRow::event).collect()
    }

    async fn webhook_attempts(&self, id: &str, limit: u32) -> Result<Vec<AttemptRecord>, StoreError> {
        let row: Option<LogRow> = self
            .fetch_one(
                query("MATCH (e:WebhookEvent {id: $id}) RETURN coalesce(e.attempt_log, []) AS log")
                    .param("id", id),
            )
            .await?;
        let mut attempts = row
            .map_or_else(Vec::new, |r| r.log)
            .iter()
            .map(|entry| serde_json::from_str::<AttemptRecord>(entry).map_err(StoreError::internal))
            .collect::<Result<Vec<_>, _>>()?;
        attempts.sort_by_key(|a| a.attempt);
        attempts.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(attempts)
    }
}
