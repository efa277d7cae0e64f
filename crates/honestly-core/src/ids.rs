//! Random, prefixed, URL-safe identifiers (`usr_…`, `doc_…`, `err_…`).
//!
//! Every id carries 128 bits from the operating system's random generator, encoded as 32
//! lower-case hex characters after its prefix. Ids are never derived from clocks or other ids.

use rand::RngCore;

/// The kinds of identifiers the project hands out, each with its own prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// A user account.
    User,
    /// A stored document.
    Document,
    /// A stored proof.
    Proof,
    /// A share link.
    Link,
    /// A delegated AI agent.
    Agent,
    /// An audit or timeline event.
    Event,
    /// An error occurrence, reported to the client and logged with its cause.
    Error,
    /// A request, when the client did not send a usable `X-Request-ID`.
    Request,
    /// A login session (a family of refresh tokens).
    Session,
    /// An access token's `jti`.
    TokenId,
}

impl IdKind {
    /// The prefix, including its trailing underscore.
    pub fn prefix(self) -> &'static str {
        match self {
            IdKind::User => "usr_",
            IdKind::Document => "doc_",
            IdKind::Proof => "prf_",
            IdKind::Link => "lnk_",
            IdKind::Agent => "agt_",
            IdKind::Event => "evt_",
            IdKind::Error => "err_",
            IdKind::Request => "req_",
            IdKind::Session => "ses_",
            IdKind::TokenId => "jti_",
        }
    }
}

/// Makes a fresh identifier of the given kind.
pub fn new_id(kind: IdKind) -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{}{}", kind.prefix(), hex::encode(bytes))
}

/// Whether `value` looks like an id of `kind` (right prefix, 32 lower-case hex characters).
pub fn is_valid_id(kind: IdKind, value: &str) -> bool {
    value
        .strip_prefix(kind.prefix())
        .is_some_and(|rest| rest.len() == 32 && rest.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_prefixed_unique_and_valid() {
        let a = new_id(IdKind::Document);
        let b = new_id(IdKind::Document);
        assert!(a.starts_with("doc_"));
        assert_ne!(a, b);
        assert!(is_valid_id(IdKind::Document, &a));
        assert!(!is_valid_id(IdKind::User, &a));
        assert!(!is_valid_id(IdKind::Document, "doc_xyz"));
    }
}
