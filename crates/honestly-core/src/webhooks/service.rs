//! The outbox's front: enqueue an event, make and rotate an owner's signing secret, list the
//! deliveries of a subject. Delivery itself is the [`super::worker`]'s.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::Notify;
use zeroize::Zeroizing;

use super::callback_url::{self, CallbackUrl};
use super::model::{event_id, secret_id, DeliveryStatus, NewEvent, WebhookEvent, WebhookSecretRecord};
use super::settings::WebhookSettings;
use super::signature::WebhookSecret;
use crate::clock::Timestamp;
use crate::crypto::vault::{VaultError, VaultKeys};
use crate::error::FieldErrors;
use crate::ids::UserId;
use crate::issuance::SealedKind;
use crate::store::{Store, StoreError};

/// The largest event body, in bytes.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// The longest subject, in characters.
pub const MAX_SUBJECT: usize = 128;
/// The longest event type, in characters.
pub const MAX_EVENT_TYPE: usize = 64;
/// Events listed per subject, at most.
pub const MAX_EVENTS_LISTED: u32 = 20;
/// Attempts listed per event, at most.
pub const MAX_ATTEMPTS_LISTED: u32 = 100;
/// How long a rotated-out secret keeps signing.
pub const PREVIOUS_SECRET_GRACE: Duration = Duration::from_secs(24 * 3600);

/// Why an outbox operation failed.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// Refused input (field `callback_url`, `subject`, `event_type` or `payload`).
    #[error(transparent)]
    Invalid(#[from] FieldErrors),
    /// The owner's account does not exist.
    #[error("no such account")]
    NoAccount,
    /// A stored secret could not be opened with the configured keys.
    #[error("a webhook secret cannot be decrypted: {0}")]
    Vault(#[from] VaultError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What became of an enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enqueued {
    /// The event id (`webhook-id`).
    pub id: String,
    /// False when the same event had been enqueued before (nothing changed).
    pub created: bool,
}

/// A new secret, shown once.
#[derive(Debug, Clone)]
pub struct RotatedSecret {
    /// `whsec_…`.
    pub webhook_secret: Zeroizing<String>,
    /// Until when the previous secret keeps signing (none when there was none).
    pub previous_valid_until: Option<Timestamp>,
}

/// What may be shown about an owner's secrets (never the secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretMetadata {
    /// When the current secret was made (none before the first).
    pub created_at: Option<Timestamp>,
    /// Until when the previous secret keeps signing, while it does.
    pub previous_valid_until: Option<Timestamp>,
}

/// One attempt, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttemptView {
    /// 1 for the first.
    pub attempt: u32,
    /// When it started (RFC 3339).
    pub at: Timestamp,
    /// The receiver's HTTP status, when it answered.
    pub status_code: Option<u16>,
    /// Why it failed without an answer.
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: u64,
}

/// One event and its attempts, as listed to its owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryView {
    /// `msg_…` (the `webhook-id` header).
    pub id: String,
    /// The event type.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The callback URL.
    pub url: String,
    /// `pending`, `delivered` or `failed`.
    pub status: &'static str,
    /// When it was enqueued.
    pub created_at: Timestamp,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<Timestamp>,
    /// When it was delivered or given up.
    pub finished_at: Option<Timestamp>,
    /// Every attempt, first first.
    pub attempts: Vec<AttemptView>,
}

/// Milliseconds to a time (to the second; out-of-range times become the epoch).
pub(crate) fn at_ms(ms: i64) -> Timestamp {
    Timestamp::from_unix(ms.div_euclid(1000))
        .unwrap_or_else(|_| Timestamp::from_unix(0).unwrap_or(Timestamp::now()))
}

/// Now in Unix milliseconds.
pub fn now_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

/// The outbox.
pub struct WebhookService {
    store: Arc<dyn Store>,
    keys: Arc<VaultKeys>,
    settings: WebhookSettings,
    wake: Arc<Notify>,
}

impl WebhookService {
    /// The outbox over `store`, sealing secrets under `keys`.
    pub fn new(store: Arc<dyn Store>, keys: Arc<VaultKeys>, settings: WebhookSettings) -> Self {
        Self { store, keys, settings, wake: Arc::new(Notify::new()) }
    }

    /// The settings.
    pub fn settings(&self) -> &WebhookSettings {
        &self.settings
    }

    /// The store.
    pub(crate) fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// What a worker of this process waits on besides its poll interval.
    pub(crate) fn wake(&self) -> Arc<Notify> {
        Arc::clone(&self.wake)
    }

    /// Checks a callback URL as a creating route should: the syntactic rules, then every
    /// address the host resolves to (bounded by the connect timeout). Refusals name
    /// `callback_url`.
    pub async fn validate_callback_url(&self, raw: &str) -> Result<CallbackUrl, FieldErrors> {
        callback_url::validate_for_creation(raw, self.settings.environment, self.settings.connect_timeout)
            .await
    }

    /// Stores `event` for delivery, once: the id is deterministic ([`event_id`]) and a second
    /// enqueue of the same subject and type changes nothing.
    pub async fn enqueue(&self, event: NewEvent) -> Result<Enqueued, WebhookError> {
        let stored = self.prepare(event)?;
        let id = stored.id.clone();
        let created = self.store.enqueue_webhook_event(&stored).await?;
        if created {
            self.wake.notify_one();
        }
        Ok(Enqueued { id, created })
    }

    /// Tells this process's delivery workers that an event was stored by another write (one
    /// that stored a [`Self::prepare`]d event itself, in its own transaction).
    pub fn stored_elsewhere(&self) {
        self.wake.notify_one();
    }

    /// Checks `event` and makes the event as it is stored, pending and due now, for a write
    /// that stores it in its own transaction. The body (`{"type", "timestamp", "data"}`) is
    /// made here, so every attempt sends the same bytes; the id is [`event_id`].
    pub fn prepare(&self, event: NewEvent) -> Result<WebhookEvent, WebhookError> {
        let mut problems = FieldErrors::new();
        let url = match CallbackUrl::parse(&event.url, self.settings.environment) {
            Ok(url) => Some(url),
            Err(e) => {
                problems.add(callback_url::FIELD, e.to_string());
                None
            }
        };
        if event.subject.is_empty() || event.subject.chars().count() > MAX_SUBJECT {
            problems.add("subject", format!("1-{MAX_SUBJECT} characters"));
        }
        let type_ok = !event.event_type.is_empty()
            && event.event_type.len() <= MAX_EVENT_TYPE
            && event
                .event_type
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_');
        if !type_ok {
            problems.add("event_type", format!("1-{MAX_EVENT_TYPE} of a-z, 0-9, '.', '_'"));
        }
        let now = now_ms();
        let body = serde_json::to_vec(&serde_json::json!({
            "type": event.event_type,
            "timestamp": at_ms(now).rfc3339(),
            "data": event.payload,
        }))
        .unwrap_or_default();
        if body.len() > MAX_BODY_BYTES {
            problems.add("payload", format!("at most {MAX_BODY_BYTES} bytes"));
        }
        problems.into_result()?;
        let Some(url) = url else { return Err(FieldErrors::one(callback_url::FIELD, "refused").into()) };
        let id = event_id(&event.subject, &event.event_type);
        Ok(WebhookEvent {
            id,
            owner: event.owner,
            subject: event.subject,
            event_type: event.event_type,
            url: url.as_str().to_string(),
            body,
            status: DeliveryStatus::Pending,
            attempts: 0,
            created_at_ms: now,
            next_attempt_ms: now,
            first_attempt_ms: None,
            finished_at_ms: None,
        })
    }

    fn seal(&self, id: &str, owner: &UserId, secret: &WebhookSecret) -> crate::crypto::vault::Sealed {
        self.keys.seal(secret.bytes().to_vec(), &SealedKind::WebhookSecret.binding(id), owner.as_str())
    }

    fn open(&self, record: &WebhookSecretRecord) -> Result<WebhookSecret, WebhookError> {
        let bytes = self.keys.open(
            record.sealed.clone(),
            &SealedKind::WebhookSecret.binding(&record.id),
            record.owner.as_str(),
        )?;
        WebhookSecret::from_bytes(bytes).ok_or(WebhookError::Vault(VaultError::Authentication))
    }

    fn fresh_record(&self, owner: &UserId) -> (WebhookSecret, WebhookSecretRecord) {
        let secret = WebhookSecret::generate();
        let id = secret_id();
        let sealed = self.seal(&id, owner, &secret);
        let record = WebhookSecretRecord {
            id,
            owner: owner.clone(),
            sealed,
            created_at: Timestamp::now(),
            retired_until: None,
        };
        (secret, record)
    }

    /// The owner's current secret, made now when there is none. The flag says whether it was
    /// made now (a route shows a secret once: when made or rotated).
    pub async fn current_secret(&self, owner: &UserId) -> Result<(Zeroizing<String>, bool), WebhookError> {
        for _ in 0..3 {
            if let Some(current) =
                self.store.webhook_secrets(owner).await?.into_iter().find(|s| s.retired_until.is_none())
            {
                return Ok((self.open(&current)?.to_text(), false));
            }
            let (secret, record) = self.fresh_record(owner);
            match self.store.insert_webhook_secret_if_absent(&record).await? {
                None => return Err(WebhookError::NoAccount),
                Some(true) => return Ok((secret.to_text(), true)),
                // Another caller made it first: read theirs.
                Some(false) => {}
            }
        }
        Err(WebhookError::Store(StoreError::conflict("the webhook secret keeps changing")))
    }

    /// A new current secret; the previous one keeps signing for [`PREVIOUS_SECRET_GRACE`]
    /// (deliveries carry both signatures meanwhile). The new secret is returned once.
    pub async fn rotate_secret(&self, owner: &UserId) -> Result<RotatedSecret, WebhookError> {
        let (secret, record) = self.fresh_record(owner);
        let until = Timestamp::now().plus(PREVIOUS_SECRET_GRACE);
        match self.store.rotate_webhook_secret(&record, until).await? {
            None => Err(WebhookError::NoAccount),
            Some(had_current) => Ok(RotatedSecret {
                webhook_secret: secret.to_text(),
                previous_valid_until: had_current.then_some(until),
            }),
        }
    }

    /// When the owner's current secret was made and until when the previous one signs.
    pub async fn secret_metadata(&self, owner: &UserId) -> Result<SecretMetadata, WebhookError> {
        let secrets = self.store.webhook_secrets(owner).await?;
        let now = Timestamp::now();
        Ok(SecretMetadata {
            created_at: secrets.iter().find(|s| s.retired_until.is_none()).map(|s| s.created_at),
            previous_valid_until: secrets.iter().filter_map(|s| s.retired_until).find(|until| *until > now),
        })
    }

    /// The secrets that sign a delivery now: the current one, then the previous one while it
    /// is valid. Empty when the owner has none (an erased account).
    pub async fn signing_secrets(&self, owner: &UserId) -> Result<Vec<WebhookSecret>, WebhookError> {
        let now = Timestamp::now();
        let mut records = self.store.webhook_secrets(owner).await?;
        records.retain(|s| s.retired_until.is_none_or(|until| until > now));
        records.sort_by_key(|s| s.retired_until.is_some());
        records.iter().map(|r| self.open(r)).collect()
    }

    /// The owner's events about `subject` (another owner's are not listed), oldest first,
    /// each with its attempts; at most [`MAX_EVENTS_LISTED`] events and
    /// [`MAX_ATTEMPTS_LISTED`] attempts each.
    pub async fn deliveries_for_subject(
        &self,
        owner: &UserId,
        subject: &str,
    ) -> Result<Vec<DeliveryView>, WebhookError> {
        if subject.is_empty() || subject.chars().count() > MAX_SUBJECT {
            return Ok(Vec::new());
        }
        let events = self.store.webhook_events_for_subject(owner, subject, MAX_EVENTS_LISTED).await?;
        let mut views = Vec::with_capacity(events.len());
        for event in events {
            let attempts = self.store.webhook_attempts(&event.id, MAX_ATTEMPTS_LISTED).await?;
            views.push(DeliveryView {
                status: event.status.as_str(),
                next_attempt_at: (event.status == DeliveryStatus::Pending)
                    .then(|| at_ms(event.next_attempt_ms)),
                finished_at: event.finished_at_ms.map(at_ms),
                created_at: at_ms(event.created_at_ms),
                id: event.id,
                event_type: event.event_type,
                url: event.url,
                attempts: attempts
                    .into_iter()
                    .map(|a| AttemptView {
                        attempt: a.attempt,
                        at: at_ms(a.at_ms),
                        status_code: a.status_code,
                        error: a.error,
                        duration_ms: a.duration_ms,
                    })
                    .collect(),
            });
        }
        Ok(views)
    }
}
