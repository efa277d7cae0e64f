//! Reading back what a backend stored. Every id, time, enum word and JSON value a row holds is
//! parsed exactly once, by the core parser of its type; a value that does not parse is an
//! [`Unparsable`] naming its column, which the backends report as
//! [`StoreError::Internal`](honestly_core::store::StoreError::Internal) — never a panic and
//! never a default standing in for the stored value.

use std::error::Error;
use std::fmt;

use honestly_core::audit::Outcome;
use honestly_core::auth::model::Role;
use honestly_core::clock::Timestamp;
use honestly_core::documents::DocumentType;
use honestly_core::ids::{
    AgentId, CredentialId, CredentialRequestId, DocumentId, EventId, IssuerId, LinkId, ProofId,
    ProofRequestId, SessionId, TokenId, UserId,
};
use honestly_core::issuance::RequestStatus;
use honestly_core::links::AccessLevel;
use honestly_core::proof_requests::ProofRequestStatus;
use honestly_core::store::StoreError;
use honestly_core::timeline::TimelineKind;

/// A parser's account of why a stored value is not what it should be.
pub(crate) type ParseError = Box<dyn Error + Send + Sync>;

/// A value a backend keeps as text: an id, an enum word, an RFC 3339 time, or JSON.
pub(crate) trait FromText: Sized {
    /// The value written in `raw`, by the type's own parser.
    fn from_text(raw: &str) -> Result<Self, ParseError>;
}

/// Types whose `FromStr` is their one parser (ids, enum words, JSON).
macro_rules! parsed_by_from_str {
    ($($type:ty),* $(,)?) => {$(
        impl FromText for $type {
            fn from_text(raw: &str) -> Result<Self, ParseError> {
                Ok(raw.parse::<$type>()?)
            }
        }
    )*};
}

parsed_by_from_str!(
    UserId,
    DocumentId,
    ProofId,
    LinkId,
    AgentId,
    EventId,
    SessionId,
    TokenId,
    IssuerId,
    CredentialId,
    CredentialRequestId,
    RequestStatus,
    Role,
    DocumentType,
    AccessLevel,
    Outcome,
    TimelineKind,
    ProofRequestId,
    ProofRequestStatus,
    serde_json::Value,
);

/// A proof request's question, stored as JSON.
impl FromText for honestly_core::proof_requests::ProofRequestSpec {
    fn from_text(raw: &str) -> Result<Self, ParseError> {
        Ok(serde_json::from_str(raw)?)
    }
}

/// A proof request's answer, stored as JSON.
impl FromText for honestly_core::proof_requests::ProofRequestResult {
    fn from_text(raw: &str) -> Result<Self, ParseError> {
        Ok(serde_json::from_str(raw)?)
    }
}

impl FromText for Timestamp {
    fn from_text(raw: &str) -> Result<Self, ParseError> {
        Ok(Timestamp::parse_rfc3339(raw)?)
    }
}

/// A field element written in decimal (a coordinate of an issuer's public key).
impl FromText for honestly_zk::Fr {
    fn from_text(raw: &str) -> Result<Self, ParseError> {
        Ok(honestly_zk::fr_from_decimal(raw)?)
    }
}

/// A credential serial (128 bits) written in decimal.
impl FromText for u128 {
    fn from_text(raw: &str) -> Result<Self, ParseError> {
        Ok(raw.parse::<u128>()?)
    }
}

/// A JSON array of strings (a proof's public signals).
impl FromText for Vec<String> {
    fn from_text(raw: &str) -> Result<Self, ParseError> {
        Ok(serde_json::from_str(raw)?)
    }
}

/// A stored value that its parser refused, with the column (or property) it was read from.
#[derive(Debug)]
pub(crate) struct Unparsable {
    column: String,
    value: String,
    cause: ParseError,
}

impl Unparsable {
    /// The value `value` of `column` was refused because of `cause`.
    pub(crate) fn new(column: &str, value: impl fmt::Display, cause: impl Into<ParseError>) -> Self {
        Self {
            column: column.to_string(),
            value: value.to_string().chars().take(64).collect(),
            cause: cause.into(),
        }
    }
}

impl fmt::Display for Unparsable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "stored {} {:?} does not parse", self.column, self.value)
    }
}

impl Error for Unparsable {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&*self.cause)
    }
}

impl From<Unparsable> for StoreError {
    fn from(e: Unparsable) -> Self {
        StoreError::internal(e)
    }
}

/// Column `column` as stored in text form.
pub(crate) fn text<T: FromText>(column: &str, raw: &str) -> Result<T, Unparsable> {
    T::from_text(raw).map_err(|cause| Unparsable::new(column, raw, cause))
}

/// Column `column` as stored in text form, or absent.
pub(crate) fn text_opt<T: FromText>(column: &str, raw: Option<&str>) -> Result<Option<T>, Unparsable> {
    raw.map(|raw| text(column, raw)).transpose()
}

/// Column `column`, a time stored as Unix seconds.
pub(crate) fn unix(column: &str, secs: i64) -> Result<Timestamp, Unparsable> {
    Timestamp::from_unix(secs).map_err(|cause| Unparsable::new(column, secs, cause))
}

/// Column `column`, a time stored as Unix seconds, or absent.
pub(crate) fn unix_opt(column: &str, secs: Option<i64>) -> Result<Option<Timestamp>, Unparsable> {
    secs.map(|secs| unix(column, secs)).transpose()
}

/// Column `column`, a count or position stored as a signed integer, in the type it has in
/// the domain (`u64`, `u32`).
pub(crate) fn number<T: TryFrom<i64, Error = std::num::TryFromIntError>>(
    column: &str,
    raw: i64,
) -> Result<T, Unparsable> {
    T::try_from(raw).map_err(|cause| Unparsable::new(column, raw, cause))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_value_names_its_column_and_keeps_the_parser_error() {
        let refused = text::<UserId>("user_id", "doc_123").unwrap_err();
        assert_eq!(refused.to_string(), "stored user_id \"doc_123\" does not parse");
        assert!(refused.source().unwrap().to_string().contains("not a valid user id"));
        let error = StoreError::from(refused);
        assert!(matches!(error, StoreError::Internal(_)));
        assert!(error.cause().to_string().contains("user_id"));
    }

    #[test]
    fn each_form_is_read_by_its_parser() {
        let at = text::<Timestamp>("created_at", "2026-11-28T06:00:00Z").unwrap();
        assert_eq!(unix("expires_at", at.unix()).unwrap(), at);
        assert!(text::<Timestamp>("created_at", "1795845600").is_err());
        assert!(unix("expires_at", i64::MAX).is_err());
        assert_eq!(text::<Role>("role", "admin").unwrap(), Role::Admin);
        assert!(text::<Role>("role", "root").is_err());
        assert_eq!(text::<Vec<String>>("public_signals", "[\"1\"]").unwrap(), ["1"]);
        assert!(text::<serde_json::Value>("metadata", "{").is_err());
        assert_eq!(number::<u64>("size_bytes", 7).unwrap(), 7);
        assert!(number::<u64>("size_bytes", -1).is_err());
        assert!(number::<u32>("access_count", i64::from(u32::MAX) + 1).is_err());
    }
}
