//! What the outbox stores: events (one per subject and type), their delivery attempts, and
//! each owner's signing secrets. Scheduling times are Unix milliseconds (retries can be
//! seconds apart, and tests run them milliseconds apart).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::clock::Timestamp;
use crate::crypto::vault::Sealed;
use crate::ids::UserId;

crate::text_enum! {
    /// Where an event's delivery stands.
    pub enum DeliveryStatus {
        /// Not delivered yet; attempts continue.
        Pending => "pending",
        /// A receiver answered 2xx.
        Delivered => "delivered",
        /// Given up: 24 hours of failed attempts, or a callback URL refused at delivery.
        Failed => "failed",
    }
}

/// An event to send, as the feature that raises it describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// The account whose secret signs it and who may list its deliveries.
    pub owner: UserId,
    /// What it is about (for example a proof request id); events are listed by subject.
    pub subject: String,
    /// Its type, `proof_request.completed` for example.
    pub event_type: String,
    /// Where it goes (checked against the callback URL rules at enqueue and at delivery).
    pub url: String,
    /// The event's data, sent as the body's `data`.
    pub payload: serde_json::Value,
}

/// One stored event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    /// `msg_…`, deterministic ([`event_id`]); sent as `webhook-id`.
    pub id: String,
    /// The owner.
    pub owner: UserId,
    /// The subject.
    pub subject: String,
    /// The type.
    pub event_type: String,
    /// The callback URL.
    pub url: String,
    /// The exact body every attempt sends.
    pub body: Vec<u8>,
    /// Where its delivery stands.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: u32,
    /// When it was enqueued (ms).
    pub created_at_ms: i64,
    /// When the next attempt is due (ms; meaningful while pending).
    pub next_attempt_ms: i64,
    /// When the first attempt was made (ms), once made.
    pub first_attempt_ms: Option<i64>,
    /// When it was delivered or given up (ms).
    pub finished_at_ms: Option<i64>,
}

/// One delivery attempt, as logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptRecord {
    /// 1 for the first attempt.
    pub attempt: u32,
    /// When it started (ms).
    pub at_ms: i64,
    /// The receiver's HTTP status, when it answered.
    pub status_code: Option<u16>,
    /// Why it failed without an answer (never containing a secret).
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: u64,
}

/// What an attempt leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterAttempt {
    /// Try again at this time (ms).
    Retry {
        /// When.
        at_ms: i64,
    },
    /// Delivered.
    Delivered,
    /// Given up.
    Failed,
}

/// One of an owner's signing secrets, sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSecretRecord {
    /// `whk_…`, the object its encryption is bound to.
    pub id: String,
    /// The owner (the other part of the binding).
    pub owner: UserId,
    /// The key bytes, sealed under the master key.
    pub sealed: Sealed,
    /// When it was made.
    pub created_at: Timestamp,
    /// `None` for the current secret; for the previous one, until when it still signs.
    pub retired_until: Option<Timestamp>,
}

/// The deterministic id of the event of `event_type` about `subject`: `msg_` and the first 32
/// hex digits of SHA-256 of `subject|event_type`, so raising the same event twice stores one.
pub fn event_id(subject: &str, event_type: &str) -> String {
    let digest = Sha256::new()
        .chain_update(subject.as_bytes())
        .chain_update(b"|")
        .chain_update(event_type.as_bytes())
        .finalize();
    let hex = hex::encode(digest);
    format!("msg_{}", &hex[..32])
}

/// A fresh secret id.
pub fn secret_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("whk_{}", hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_are_deterministic_per_subject_and_type() {
        let id = event_id("req_1", "proof_request.completed");
        assert_eq!(id, event_id("req_1", "proof_request.completed"));
        assert_ne!(id, event_id("req_1", "proof_request.declined"));
        assert_ne!(id, event_id("req_2", "proof_request.completed"));
        assert!(id.starts_with("msg_") && id.len() == 36, "{id}");
    }
}
