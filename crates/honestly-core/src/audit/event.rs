//! One audit event and its hash (the byte layout is documented in the module above).

use sha2::{Digest, Sha256};

use crate::clock::Timestamp;
use crate::ids::EventId;

/// The `prev_hash` of the first event of a chain: 64 zeros.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Domain-separation tag that starts every hashed layout (version 1).
pub const HASH_DOMAIN: &[u8] = b"honestly.audit.v1\0";

/// The actor of events nobody authenticated for.
pub const ANONYMOUS: &str = "anonymous";

crate::text_enum! {
    /// How a recorded action ended (stored and hashed as its word).
    pub enum Outcome {
        /// It was done.
        Success => "success",
        /// It was refused (bad credentials, not allowed, not found, rate limited…).
        Denied => "denied",
        /// It failed on our side.
        Error => "error",
    }
}

/// One entry of the audit trail. Callers build it with [`AuditEvent::new`] and the builder
/// methods; the writer fills the chain fields (`seq`, `prev_hash`, `hash`).
///
/// Never put a secret (password, token, passphrase, raw share URL) in any field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Position in the chain, from 1, without gaps (0 until written).
    pub seq: u64,
    /// The event's id.
    pub id: EventId,
    /// When it happened (hashed as RFC 3339 UTC, `2026-11-28T06:00:00Z`).
    pub at: Timestamp,
    /// Who: `user:usr_…`, `agent:…`, `cli`, or `anonymous`.
    pub actor: String,
    /// The client's address, when the event comes from a request.
    pub client_ip: Option<String>,
    /// What: a stable free-form word such as `http GET /auth/me` or `auth.login.failed`.
    pub action: String,
    /// The id of the object acted on, if any (`usr_…`, `ses_…`, `lnk_…`).
    pub target: Option<String>,
    /// How it ended.
    pub outcome: Outcome,
    /// Why, in a few words (`invalid_credentials`, `status 404`).
    pub reason: Option<String>,
    /// The request it belongs to (`X-Request-ID`), if any.
    pub request_id: Option<String>,
    /// The hash of the previous event ([`GENESIS_HASH`] for the first).
    pub prev_hash: String,
    /// Hex SHA-256 of [`AuditEvent::canonical_bytes`].
    pub hash: String,
}

impl AuditEvent {
    /// A new event happening now, with a fresh id. Inside a request (see
    /// [`crate::request::current`]) the request id and client address are taken from it.
    pub fn new(actor: impl Into<String>, action: impl Into<String>, outcome: Outcome) -> Self {
        let current = crate::request::current();
        Self {
            seq: 0,
            id: EventId::generate(),
            at: Timestamp::now(),
            actor: actor.into(),
            client_ip: current.as_ref().map(|c| c.client_ip().to_string()),
            action: action.into(),
            target: None,
            outcome,
            reason: None,
            request_id: current.map(|c| c.request_id().to_string()),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    /// Sets the object acted on.
    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    /// Sets the reason.
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// Sets the client address.
    pub fn client_ip(mut self, ip: impl Into<String>) -> Self {
        self.client_ip = Some(ip.into());
        self
    }

    /// Sets the request id.
    pub fn request_id(mut self, id: impl Into<String>) -> Self {
        self.request_id = Some(id.into());
        self
    }

    /// The exact bytes hashed into [`AuditEvent::hash`]: every field but `hash`, in a fixed
    /// order, each length-prefixed (see the module documentation).
    pub fn canonical_bytes(&self) -> Vec<u8> {
        fn field(out: &mut Vec<u8>, value: Option<&str>) {
            match value {
                None => out.push(0),
                Some(text) => {
                    out.push(1);
                    out.extend_from_slice(&(text.len() as u64).to_be_bytes());
                    out.extend_from_slice(text.as_bytes());
                }
            }
        }
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(HASH_DOMAIN);
        out.extend_from_slice(&self.seq.to_be_bytes());
        field(&mut out, Some(self.id.as_str()));
        field(&mut out, Some(&self.at.rfc3339()));
        field(&mut out, Some(&self.actor));
        field(&mut out, self.client_ip.as_deref());
        field(&mut out, Some(&self.action));
        field(&mut out, self.target.as_deref());
        field(&mut out, Some(self.outcome.as_str()));
        field(&mut out, self.reason.as_deref());
        field(&mut out, self.request_id.as_deref());
        field(&mut out, Some(&self.prev_hash));
        out
    }

    /// Hex SHA-256 of the canonical bytes (what `hash` must equal).
    pub fn compute_hash(&self) -> String {
        hex::encode(Sha256::digest(self.canonical_bytes()))
    }

    /// Places the event after `prev` (`(seq, hash)` of the previous event, `None` at the start
    /// of the chain) and computes its hash.
    pub fn chain_after(&mut self, prev: Option<(u64, &str)>) {
        let (prev_seq, prev_hash) = prev.unwrap_or((0, GENESIS_HASH));
        self.seq = prev_seq + 1;
        self.prev_hash = prev_hash.to_string();
        self.hash = self.compute_hash();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_length_prefixed_and_distinguishes_absent_from_empty() {
        let mut a = AuditEvent::new("anonymous", "x", Outcome::Success);
        a.chain_after(None);
        let mut b = a.clone();
        b.target = Some(String::new());
        b.hash = b.compute_hash();
        assert_ne!(a.hash, b.hash);
        // Moving bytes from one field to the next changes the hash.
        let mut c = a.clone();
        c.actor = "anonymou".into();
        c.action = "sx".into();
        assert_ne!(a.compute_hash(), c.compute_hash());
        assert_eq!(a.prev_hash, GENESIS_HASH);
        assert_eq!(a.seq, 1);
        assert_eq!(a.hash.len(), 64);
    }

    #[tokio::test]
    async fn events_inside_a_request_context_carry_its_request_id_and_client() {
        let context = crate::request::RequestContext::new("req_abc", "192.0.2.1".parse().unwrap());
        let inside = context.scope(async { AuditEvent::new(ANONYMOUS, "x", Outcome::Denied) }).await;
        assert_eq!(inside.request_id.as_deref(), Some("req_abc"));
        assert_eq!(inside.client_ip.as_deref(), Some("192.0.2.1"));
        let outside = AuditEvent::new(ANONYMOUS, "x", Outcome::Denied);
        assert_eq!((outside.request_id, outside.client_ip), (None, None));
        assert!(EventId::parse(inside.id.as_str()).is_ok());
    }

    #[test]
    fn known_answer() {
        // Pins the documented layout: changing it breaks every stored chain.
        let event = AuditEvent {
            seq: 1,
            id: EventId::parse("evt_00000000000000000000000000000001").unwrap(),
            at: Timestamp::parse_rfc3339("2026-11-28T06:00:00Z").unwrap(),
            actor: "anonymous".into(),
            client_ip: Some("127.0.0.1".into()),
            action: "auth.login.failed".into(),
            target: None,
            outcome: Outcome::Denied,
            reason: Some("invalid_credentials".into()),
            request_id: Some("req_1".into()),
            prev_hash: GENESIS_HASH.into(),
            hash: String::new(),
        };
        let mut expected = Vec::new();
        expected.extend_from_slice(b"honestly.audit.v1\0");
        expected.extend_from_slice(&1u64.to_be_bytes());
        for value in [
            Some("evt_00000000000000000000000000000001"),
            Some("2026-11-28T06:00:00Z"),
            Some("anonymous"),
            Some("127.0.0.1"),
            Some("auth.login.failed"),
            None,
            Some("denied"),
            Some("invalid_credentials"),
            Some("req_1"),
            Some(GENESIS_HASH),
        ] {
            match value {
                None => expected.push(0),
                Some(v) => {
                    expected.push(1);
                    expected.extend_from_slice(&(v.len() as u64).to_be_bytes());
                    expected.extend_from_slice(v.as_bytes());
                }
            }
        }
        assert_eq!(event.canonical_bytes(), expected);
        assert_eq!(event.compute_hash(), hex::encode(Sha256::digest(&expected)));
    }
}
