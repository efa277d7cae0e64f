//! The webhook outbox in SQLite: secrets, events and attempts in their own tables; every
//! decision (one current secret, enqueue once, lease, record under the lease) is one write
//! transaction on the single writer connection, so concurrent callers are serialised.

use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::columns::{number, text, unix, unix_opt};
use super::SqliteStore;
use honestly_core::clock::Timestamp;
use honestly_core::crypto::vault::Sealed;
use honestly_core::ids::UserId;
use honestly_core::store::{StoreError, WebhookStore};
use honestly_core::webhooks::{
    AfterAttempt, AttemptRecord, DeliveryStatus, WebhookEvent, WebhookSecretRecord,
};

/// Stores `e` in the open transaction `tx` unless an event with its id exists; true when
/// stored now. Writes that raise an event with another change (a proof request's end) call it
/// in their own transaction.
pub(super) fn insert_event(tx: &Connection, e: &WebhookEvent) -> rusqlite::Result<bool> {
    let inserted = tx.execute(
        "INSERT INTO webhook_events (id, owner, subject, event_type, url, body, status, attempts,
             created_at_ms, next_attempt_ms, first_attempt_ms, finished_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (id) DO NOTHING",
        params![
            e.id,
            e.owner.as_str(),
            e.subject,
            e.event_type,
            e.url,
            e.body,
            e.status.as_str(),
            e.attempts,
            e.created_at_ms,
            e.next_attempt_ms,
            e.first_attempt_ms,
            e.finished_at_ms
        ],
    )?;
    Ok(inserted == 1)
}

const SECRET_COLUMNS: &str = "id, owner, key_version, nonce, ciphertext, created_at, retired_until";

fn secret_row(r: &Row<'_>) -> rusqlite::Result<WebhookSecretRecord> {
    Ok(WebhookSecretRecord {
        id: r.get(0)?,
        owner: text(r, 1)?,
        sealed: Sealed { key_version: r.get(2)?, nonce: r.get(3)?, ciphertext: r.get(4)? },
        created_at: unix(r, 5)?,
        retired_until: unix_opt(r, 6)?,
    })
}

const EVENT_COLUMNS: &str = "id, owner, subject, event_type, url, body, status, attempts, created_at_ms, \
     next_attempt_ms, first_attempt_ms, finished_at_ms";

fn event_row(r: &Row<'_>) -> rusqlite::Result<WebhookEvent> {
    let status: String = r.get(6)?;
    Ok(WebhookEvent {
        id: r.get(0)?,
        owner: text(r, 1)?,
        subject: r.get(2)?,
        event_type: r.get(3)?,
        url: r.get(4)?,
        body: r.get(5)?,
        status: DeliveryStatus::parse(&status).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(6, rusqlite::types::Type::Text, "unknown status".into())
        })?,
        attempts: number(r, 7)?,
        created_at_ms: r.get(8)?,
        next_attempt_ms: r.get(9)?,
        first_attempt_ms: r.get(10)?,
        finished_at_ms: r.get(11)?,
    })
}

fn user_exists(tx: &Connection, owner: &str) -> rusqlite::Result<bool> {
    tx.query_row("SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1)", [owner], |r| r.get(0))
}

fn insert_secret(tx: &Connection, s: &WebhookSecretRecord) -> rusqlite::Result<usize> {
    tx.execute(
        "INSERT INTO webhook_secrets (id, owner, key_version, nonce, ciphertext, created_at, retired_until)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL)",
        params![
            s.id,
            s.owner.as_str(),
            s.sealed.key_version,
            s.sealed.nonce,
            s.sealed.ciphertext,
            s.created_at.unix()
        ],
    )
}

#[async_trait]
impl WebhookStore for SqliteStore {
    async fn webhook_secrets(&self, owner: &UserId) -> Result<Vec<WebhookSecretRecord>, StoreError> {
        let owner = owner.as_str().to_string();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {SECRET_COLUMNS} FROM webhook_secrets WHERE owner = ?1
                 ORDER BY retired_until IS NOT NULL, created_at DESC LIMIT 2"
            ))?;
            let rows = stmt.query_map([owner], secret_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn insert_webhook_secret_if_absent(
        &self,
        secret: &WebhookSecretRecord,
    ) -> Result<Option<bool>, StoreError> {
        let secret = secret.clone();
        self.write(move |tx| {
            if !user_exists(tx, secret.owner.as_str())? {
                return Ok(None);
            }
            let current: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM webhook_secrets WHERE owner = ?1 AND retired_until IS NULL)",
                [secret.owner.as_str()],
                |r| r.get(0),
            )?;
            if current {
                return Ok(Some(false));
            }
            insert_secret(tx, &secret)?;
            Ok(Some(true))
        })
        .await
    }

    async fn rotate_webhook_secret(
        &self,
        secret: &WebhookSecretRecord,
        previous_until: Timestamp,
    ) -> Result<Option<bool>, StoreError> {
        let secret = secret.clone();
        self.write(move |tx| {
            let owner = secret.owner.as_str();
            if !user_exists(tx, owner)? {
                return Ok(None);
            }
            tx.execute(
                "DELETE FROM webhook_secrets WHERE owner = ?1 AND retired_until IS NOT NULL",
                [owner],
            )?;
            let retired = tx.execute(
                "UPDATE webhook_secrets SET retired_until = ?1 WHERE owner = ?2 AND retired_until IS NULL",
                params![previous_until.unix(), owner],
            )?;
            insert_secret(tx, &secret)?;
            Ok(Some(retired > 0))
        })
        .await
    }

    async fn enqueue_webhook_event(&self, event: &WebhookEvent) -> Result<bool, StoreError> {
        let e = event.clone();
        self.write(move |tx| Ok(insert_event(tx, &e)?)).await
    }

    async fn claim_due_webhook_events(
        &self,
        now_ms: i64,
        lease_owner: &str,
        lease_until_ms: i64,
        limit: u32,
    ) -> Result<Vec<WebhookEvent>, StoreError> {
        // Workers poll often and usually find nothing: a read answers that without taking
        // the writer.
        let any_due: bool = self
            .read(move |conn| {
                Ok(conn.query_row(
                    "SELECT EXISTS (SELECT 1 FROM webhook_events WHERE status = 'pending' AND next_attempt_ms <= ?1
                       AND (lease_until_ms IS NULL OR lease_until_ms <= ?1))",
                    [now_ms],
                    |r| r.get(0),
                )?)
            })
            .await?;
        if !any_due {
            return Ok(Vec::new());
        }
        let lease_owner = lease_owner.to_string();
        self.write(move |tx| {
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT {EVENT_COLUMNS} FROM webhook_events
                 WHERE status = 'pending' AND next_attempt_ms <= ?1
                   AND (lease_until_ms IS NULL OR lease_until_ms <= ?1)
                 ORDER BY next_attempt_ms LIMIT ?2"
            ))?;
            let due = stmt.query_map(params![now_ms, limit], event_row)?.collect::<Result<Vec<_>, _>>()?;
            let mut lease = tx.prepare_cached(
                "UPDATE webhook_events SET lease_owner = ?1, lease_until_ms = ?2 WHERE id = ?3",
            )?;
            for event in &due {
                lease.execute(params![lease_owner, lease_until_ms, event.id])?;
            }
            Ok(due)
        })
        .await
    }

    async fn record_webhook_attempt(
        &self,
        id: &str,
        lease_owner: &str,
        attempt: &AttemptRecord,
        after: AfterAttempt,
    ) -> Result<bool, StoreError> {
        let (id, lease_owner, a) = (id.to_string(), lease_owner.to_string(), attempt.clone());
        self.write(move |tx| {
            let held = tx
                .query_row(
                    "SELECT 1 FROM webhook_events WHERE id = ?1 AND status = 'pending' AND lease_owner = ?2",
                    params![id, lease_owner],
                    |_| Ok(()),
                )
                .optional()?;
            if held.is_none() {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO webhook_attempts (event_id, attempt, at_ms, status_code, error, duration_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (event_id, attempt) DO NOTHING",
                params![
                    id,
                    a.attempt,
                    a.at_ms,
                    a.status_code,
                    a.error,
                    i64::try_from(a.duration_ms).unwrap_or(i64::MAX)
                ],
            )?;
            let (status, next, finished) = match after {
                AfterAttempt::Retry { at_ms } => (DeliveryStatus::Pending, Some(at_ms), None),
                AfterAttempt::Delivered => (DeliveryStatus::Delivered, None, Some(a.at_ms + duration(&a))),
                AfterAttempt::Failed => (DeliveryStatus::Failed, None, Some(a.at_ms + duration(&a))),
            };
            tx.execute(
                "UPDATE webhook_events SET status = ?1, attempts = ?2,
                     first_attempt_ms = COALESCE(first_attempt_ms, ?3),
                     next_attempt_ms = COALESCE(?4, next_attempt_ms), finished_at_ms = ?5,
                     lease_owner = NULL, lease_until_ms = NULL
                 WHERE id = ?6",
                params![status.as_str(), a.attempt, a.at_ms, next, finished, id],
            )?;
            Ok(true)
        })
        .await
    }

    async fn webhook_events_for_subject(
        &self,
        owner: &UserId,
        subject: &str,
        limit: u32,
    ) -> Result<Vec<WebhookEvent>, StoreError> {
        let (owner, subject) = (owner.as_str().to_string(), subject.to_string());
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {EVENT_COLUMNS} FROM webhook_events WHERE owner = ?1 AND subject = ?2
                 ORDER BY created_at_ms, id LIMIT ?3"
            ))?;
            let rows = stmt.query_map(params![owner, subject, limit], event_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn webhook_attempts(&self, id: &str, limit: u32) -> Result<Vec<AttemptRecord>, StoreError> {
        let id = id.to_string();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT attempt, at_ms, status_code, error, duration_ms FROM webhook_attempts
                 WHERE event_id = ?1 ORDER BY attempt LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![id, limit], |r| {
                Ok(AttemptRecord {
                    attempt: number(r, 0)?,
                    at_ms: r.get(1)?,
                    status_code: r.get(2)?,
                    error: r.get(3)?,
                    duration_ms: number(r, 4)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }
}

/// The attempt's duration in milliseconds, as a time offset.
fn duration(a: &AttemptRecord) -> i64 {
    i64::try_from(a.duration_ms).unwrap_or(0)
}
