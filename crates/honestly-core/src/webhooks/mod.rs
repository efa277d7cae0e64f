//! Webhooks: a durable outbox of signed HTTP callbacks.
//!
//! A feature raises an event ([`WebhookService::enqueue`]) about a subject (a proof request
//! id, for example) for an owner; the event is stored once (its id is deterministic), with its
//! callback URL and the exact body every attempt sends. Every replica runs a [`Worker`] that
//! leases due events from the store, signs each attempt with the owner's secrets as they are
//! then ([Standard Webhooks](signature) headers; after a rotation the previous secret signs
//! too for 24 hours), retries with exponential back-off for 24 hours, and logs every attempt.
//! Callback URLs follow the rules of [`callback_url`], checked when given and again, after
//! resolution, at every attempt.

pub mod callback_url;
mod model;
mod service;
mod settings;
pub mod signature;
mod worker;

pub use callback_url::{CallbackUrl, CallbackUrlError};
pub use model::{
    event_id, AfterAttempt, AttemptRecord, DeliveryStatus, NewEvent, WebhookEvent, WebhookSecretRecord,
};
pub use service::{
    now_ms, AttemptView, DeliveryView, Enqueued, RotatedSecret, SecretMetadata, WebhookError, WebhookService,
    MAX_ATTEMPTS_LISTED, MAX_BODY_BYTES, MAX_EVENTS_LISTED, MAX_EVENT_TYPE, MAX_SUBJECT,
    PREVIOUS_SECRET_GRACE,
};
pub use settings::WebhookSettings;
pub use signature::WebhookSecret;
pub use worker::{Outgoing, Transport, Worker, WorkerHandle};
