//! The audit trail: every request and every security-relevant decision becomes an
//! [`AuditEvent`], written off the hot path by a batching writer ([`AuditLog`]) and
//! hash-chained so [`verify_chain`] (and `honestly audit verify`) can show that nothing stored
//! was altered, removed from the middle, or reordered.
//!
//! # The chain
//!
//! Events are numbered `seq = 1, 2, 3, …` without gaps. Each carries `prev_hash`, the `hash`
//! of the event before it (64 ASCII zeros, [`GENESIS_HASH`], for `seq = 1`), and its own
//! `hash`: the lower-case hex SHA-256 of these bytes ([`AuditEvent::canonical_bytes`]):
//!
//! ```text
//! "honestly.audit.v1" 0x00          domain tag, 18 bytes
//! seq                               u64, 8 bytes big-endian
//! id, at, actor, client_ip, action, target, outcome, reason, request_id, prev_hash
//!                                   each one field, in this order:
//!                                     absent (None)  → 0x00
//!                                     present        → 0x01, u64 big-endian byte length,
//!                                                      the UTF-8 bytes
//! ```
//!
//! `outcome` is hashed as its word (`success`, `denied`, `error`); `at` as the stored RFC 3339
//! string. Length prefixes make the layout unambiguous (no two different events share bytes),
//! and an empty string differs from an absent field. `hash` itself is not hashed.
//!
//! # Writers
//!
//! [`AuditLog::record`] only queues (bounded Tokio channel; when full, a spawned task waits for
//! room, so an event is never silently dropped). One background task per [`AuditLog`] takes up
//! to `max_batch` events or waits `linger` after the first, chains them after the head it read
//! from the store, and appends the batch in one transaction. [`AuditLog::flush`] resolves once
//! every event recorded before the call is durable (shutdown and tests use it).
//!
//! The chain is global, not per process: [`crate::store::AuditStore::append_audit_events`]
//! refuses (`Conflict`) a batch that does not start right after the stored head, and the writer
//! then re-reads the head and re-chains. So several writers (the server and a CLI command, or
//! replicas sharing a database) interleave into one valid chain, at the cost of a retry when
//! they race.
//!
//! # What never goes in an event
//!
//! Passwords, tokens, passphrases and raw request paths (a share URL holds its token): request
//! events name the route template, and usernames typed at login are not recorded (people type
//! passwords into the username field).

mod actor;
mod event;
mod log;
mod verify;

pub use actor::Actor;
pub use event::{AuditEvent, Outcome, ANONYMOUS, GENESIS_HASH, HASH_DOMAIN};
pub use log::{AuditClosed, AuditLog, AuditLogOptions};
pub use verify::{
    verify_chain, BreakReason, ChainBreak, ChainReport, ChainVerifier, VerifyError, VERIFY_PAGE,
};
