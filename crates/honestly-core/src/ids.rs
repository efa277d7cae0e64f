//! Typed identifiers: random, prefixed, URL-safe (`usr_…`, `doc_…`, `err_…`).
//!
//! Every id carries 128 bits from the operating system's random generator, encoded as 32
//! lower-case hex characters after its prefix. Ids are never derived from clocks or other ids.
//! Each kind is its own type, built only by [`generate`](UserId::generate) or by its one parser
//! ([`parse`](UserId::parse), also behind `FromStr` and `Deserialize`), so a function that takes
//! a [`UserId`] and a [`DocumentId`] cannot be handed them the other way round, and text that
//! is not an id of the right kind never reaches a service or a store.

use std::fmt;
use std::str::FromStr;

use rand::RngCore;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a text is not an id of the expected kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {kind} id ({prefix} followed by 32 lower-case hex digits)")]
pub struct IdError {
    /// What the id names (`user`, `document`, …).
    pub kind: &'static str,
    /// The prefix it must start with.
    pub prefix: &'static str,
}

/// `prefix` followed by 128 fresh random bits in lower-case hex.
fn random_with(prefix: &str) -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// Whether `value` is `prefix` followed by exactly 32 lower-case hex characters.
fn well_formed(prefix: &str, value: &str) -> bool {
    value
        .strip_prefix(prefix)
        .is_some_and(|rest| rest.len() == 32 && rest.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

macro_rules! typed_ids {
    ($($(#[$doc:meta])* $name:ident => $prefix:literal, $kind:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// The prefix every id of this kind starts with.
            pub const PREFIX: &'static str = $prefix;

            /// A fresh random id.
            pub fn generate() -> Self {
                Self(random_with($prefix))
            }

            /// The id written in `raw`, if `raw` is exactly one id of this kind.
            pub fn parse(raw: &str) -> Result<Self, IdError> {
                if well_formed($prefix, raw) {
                    Ok(Self(raw.to_owned()))
                } else {
                    Err(IdError { kind: $kind, prefix: $prefix })
                }
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id as owned text.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl FromStr for $name {
            type Err = IdError;

            fn from_str(raw: &str) -> Result<Self, IdError> {
                Self::parse(raw)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Self::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    )*};
}

typed_ids! {
    /// A user account (`usr_…`).
    UserId => "usr_", "user";
    /// A stored document (`doc_…`).
    DocumentId => "doc_", "document";
    /// A stored proof (`prf_…`).
    ProofId => "prf_", "proof";
    /// A share link (`lnk_…`).
    LinkId => "lnk_", "link";
    /// A delegated AI agent (`agt_…`).
    AgentId => "agt_", "agent";
    /// An audit or timeline event (`evt_…`).
    EventId => "evt_", "event";
    /// A login session, the family of its refresh tokens (`ses_…`).
    SessionId => "ses_", "session";
    /// An access token's `jti` (`jti_…`).
    TokenId => "jti_", "token";
    /// An error occurrence, reported to the client and logged with its cause (`err_…`).
    ErrorId => "err_", "error";
    /// A request, when the client did not send a usable `X-Request-ID` (`req_…`).
    RequestId => "req_", "request";
    /// An issuer of credentials.
    IssuerId => "iss_", "issuer";
    /// A credential (issued here or imported).
    CredentialId => "crd_", "credential";
    /// A holder's request that an issuer attest one of their documents.
    CredentialRequestId => "crq_", "credential request";
    /// A verifier's request that a holder prove something (`req_…`; the same prefix as
    /// [`RequestId`], a different kind).
    ProofRequestId => "req_", "proof request";
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ids_are_prefixed_unique_and_parse_back() {
        let a = DocumentId::generate();
        let b = DocumentId::generate();
        assert!(a.as_str().starts_with("doc_"));
        assert_ne!(a, b);
        assert_eq!(DocumentId::parse(a.as_str()), Ok(a.clone()));
        assert!(UserId::parse(a.as_str()).is_err());
        assert!(DocumentId::parse("doc_xyz").is_err());
        assert!(DocumentId::parse(&a.as_str().to_uppercase()).is_err());
        assert!(DocumentId::parse(&format!("{a}0")).is_err());
    }

    #[test]
    fn json_carries_the_text_and_refuses_other_kinds() {
        let id = LinkId::generate();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<LinkId>(&json).unwrap(), id);
        let other = serde_json::to_string(&ProofId::generate()).unwrap();
        let refused = serde_json::from_str::<LinkId>(&other).unwrap_err().to_string();
        assert!(refused.contains("not a valid link id"), "{refused}");
    }

    proptest! {
        #[test]
        fn the_parser_accepts_exactly_prefix_and_32_hex(raw in "(usr_|doc_|)[0-9a-fA-Fg ]{0,40}") {
            let expected = raw.starts_with("usr_")
                && raw.len() == 36
                && raw[4..].bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
            prop_assert_eq!(UserId::parse(&raw).is_ok(), expected);
        }
    }
}
