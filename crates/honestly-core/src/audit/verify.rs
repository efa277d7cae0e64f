//! Checking a stored chain: page by page (bounded memory), every link and every hash.

use super::event::{AuditEvent, GENESIS_HASH};
use crate::ids::EventId;
use crate::store::{AuditStore, StoreError};

/// Events read per page by [`verify_chain`].
pub const VERIFY_PAGE: u32 = 1000;

/// A chain that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// How many events it holds.
    pub events: u64,
    /// The hash of its last event ([`GENESIS_HASH`] when empty).
    pub last_hash: String,
}

/// What is wrong at a broken link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreakReason {
    /// The sequence skips: events before this one were removed (or renumbered).
    MissingEvents {
        /// The seq that should have come next.
        expected: u64,
    },
    /// `prev_hash` is not the previous event's hash.
    PrevHashMismatch,
    /// The stored hash is not the hash of the stored fields: the event was altered.
    HashMismatch,
}

impl std::fmt::Display for BreakReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BreakReason::MissingEvents { expected } => {
                write!(f, "expected seq {expected}: events are missing before this one")
            }
            BreakReason::PrevHashMismatch => {
                f.write_str("prev_hash does not match the previous event's hash")
            }
            BreakReason::HashMismatch => f.write_str("hash does not match the event's contents (altered)"),
        }
    }
}

/// The first broken link of a chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit chain broken at seq {seq} ({id}): {reason}")]
pub struct ChainBreak {
    /// The seq of the first event that does not verify.
    pub seq: u64,
    /// Its id.
    pub id: EventId,
    /// What is wrong.
    pub reason: BreakReason,
}

/// Why [`verify_chain`] did not return a report.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The chain is broken.
    #[error(transparent)]
    Broken(#[from] ChainBreak),
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks events one at a time, in seq order, against the one before.
#[derive(Debug, Clone, Default)]
pub struct ChainVerifier {
    last: Option<(u64, String)>,
    count: u64,
}

impl ChainVerifier {
    /// A verifier at the start of a chain.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks the next event: its seq follows, its `prev_hash` is the previous hash, and its
    /// hash is the hash of its fields.
    pub fn check(&mut self, event: &AuditEvent) -> Result<(), ChainBreak> {
        let (expected_seq, expected_prev) = match &self.last {
            Some((seq, hash)) => (seq + 1, hash.as_str()),
            None => (1, GENESIS_HASH),
        };
        let broken = |reason| ChainBreak { seq: event.seq, id: event.id.clone(), reason };
        if event.seq != expected_seq {
            return Err(broken(BreakReason::MissingEvents { expected: expected_seq }));
        }
        if event.prev_hash != expected_prev {
            return Err(broken(BreakReason::PrevHashMismatch));
        }
        if event.compute_hash() != event.hash {
            return Err(broken(BreakReason::HashMismatch));
        }
        self.last = Some((event.seq, event.hash.clone()));
        self.count += 1;
        Ok(())
    }

    /// The report for everything checked so far.
    pub fn report(&self) -> ChainReport {
        ChainReport {
            events: self.count,
            last_hash: self.last.as_ref().map_or_else(|| GENESIS_HASH.to_string(), |(_, h)| h.clone()),
        }
    }
}

/// Verifies the whole stored chain, [`VERIFY_PAGE`] events at a time, and reports the first
/// broken link. (Removing events from the *end* of the chain leaves a valid shorter chain;
/// compare the count and last hash with a copy kept elsewhere to detect that.)
pub async fn verify_chain<S: AuditStore + ?Sized>(store: &S) -> Result<ChainReport, VerifyError> {
    let mut verifier = ChainVerifier::new();
    let mut after = 0u64;
    loop {
        let page = store.audit_events_after(after, VERIFY_PAGE).await?;
        for event in &page {
            verifier.check(event)?;
        }
        match page.last() {
            Some(last) if page.len() == VERIFY_PAGE as usize => after = last.seq,
            _ => return Ok(verifier.report()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Outcome;

    fn chain(n: u64) -> Vec<AuditEvent> {
        let mut events: Vec<AuditEvent> = Vec::new();
        for i in 0..n {
            let mut event = AuditEvent::new(format!("user:usr_{i}"), "http GET /auth/me", Outcome::Success)
                .client_ip("127.0.0.1")
                .request_id(format!("req_{i}"));
            if i % 2 == 0 {
                event = event.target(format!("usr_{i}")).reason("because");
            }
            event.chain_after(events.last().map(|e| (e.seq, e.hash.as_str())));
            events.push(event);
        }
        events
    }

    fn verify(events: &[AuditEvent]) -> Result<ChainReport, ChainBreak> {
        let mut verifier = ChainVerifier::new();
        for event in events {
            verifier.check(event)?;
        }
        Ok(verifier.report())
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let events = chain(6);
        let report = verify(&events).unwrap();
        assert_eq!(report.events, 6);
        assert_eq!(report.last_hash, events[5].hash);
        assert_eq!(verify(&[]).unwrap().last_hash, GENESIS_HASH);
    }

    #[test]
    fn tampering_with_any_field_is_detected_at_that_seq() {
        type Tamper = fn(&mut AuditEvent);
        let tampers: &[(&str, Tamper)] = &[
            ("id", |e| e.id = EventId::generate()),
            ("at", |e| e.at = crate::clock::Timestamp::parse_rfc3339("2020-01-01T00:00:00Z").unwrap()),
            ("actor", |e| e.actor = "user:usr_someone_else".into()),
            ("client_ip", |e| e.client_ip = Some("10.9.9.9".into())),
            ("client_ip removed", |e| e.client_ip = None),
            ("action", |e| e.action = "http GET /auth/logout".into()),
            ("target", |e| e.target = Some("usr_other".into())),
            ("target removed", |e| e.target = None),
            ("outcome", |e| e.outcome = Outcome::Denied),
            ("reason", |e| e.reason = Some("edited".into())),
            ("request_id", |e| e.request_id = None),
            ("prev_hash", |e| e.prev_hash = "1".repeat(64)),
            ("hash", |e| e.hash = "2".repeat(64)),
        ];
        for (name, tamper) in tampers {
            let mut events = chain(5);
            tamper(&mut events[2]);
            let broken = verify(&events).expect_err(name);
            assert_eq!(broken.seq, 3, "{name}: {broken}");
        }
    }

    #[test]
    fn rehashing_a_tampered_event_breaks_the_next_link() {
        let mut events = chain(5);
        events[2].actor = "anonymous".into();
        events[2].hash = events[2].compute_hash();
        let broken = verify(&events).unwrap_err();
        assert_eq!((broken.seq, broken.reason), (4, BreakReason::PrevHashMismatch));
    }

    #[test]
    fn deleting_an_event_in_the_middle_is_detected() {
        let mut events = chain(5);
        events.remove(2);
        let broken = verify(&events).unwrap_err();
        assert_eq!((broken.seq, broken.reason), (4, BreakReason::MissingEvents { expected: 3 }));
        // Deleting the first one too.
        let mut events = chain(3);
        events.remove(0);
        assert_eq!(verify(&events).unwrap_err().seq, 2);
    }

    #[test]
    fn reordering_is_detected() {
        // Swapped rows.
        let mut events = chain(5);
        events.swap(1, 3);
        assert_eq!(verify(&events).unwrap_err().seq, 4);
        // Swapped contents with the seq numbers left in place.
        let mut events = chain(5);
        let (a, b) = (events[1].seq, events[3].seq);
        events.swap(1, 3);
        events[1].seq = a;
        events[3].seq = b;
        assert_eq!(verify(&events).unwrap_err().seq, 2);
    }
}
