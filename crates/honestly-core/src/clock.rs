//! Time: one type, [`Timestamp`], for every moment the project records (`created_at`,
//! `expires_at`, `revoked_at`, an event's `at`, the `now` a store decides against).
//!
//! A timestamp is a moment in UTC with whole-second precision. It is written as RFC 3339
//! (`2026-11-28T06:00:00Z`) in JSON and in text columns, and as Unix seconds where a store keeps
//! a number; both forms round-trip exactly.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Why a text or number is not a timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// Not an RFC 3339 date and time.
    #[error("not an RFC 3339 time")]
    NotRfc3339,
    /// Outside the years 1 to 9999.
    #[error("out of range")]
    OutOfRange,
}

/// 0001-01-01T00:00:00Z in Unix seconds.
const FIRST_SECOND: i64 = -62_135_596_800;
/// 9999-12-31T23:59:59Z in Unix seconds.
const LAST_SECOND: i64 = 253_402_300_799;

/// A moment in UTC, to the second.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// The current time, truncated to whole seconds.
    pub fn now() -> Self {
        Self::truncated(OffsetDateTime::now_utc())
    }

    fn truncated(at: OffsetDateTime) -> Self {
        let utc = at.to_offset(time::UtcOffset::UTC);
        Self(utc.replace_nanosecond(0).unwrap_or(utc))
    }

    /// The moment `secs` seconds after 1970-01-01T00:00:00Z.
    pub fn from_unix(secs: i64) -> Result<Self, TimeError> {
        OffsetDateTime::from_unix_timestamp(secs).map(Self).map_err(|_| TimeError::OutOfRange)
    }

    /// Parses RFC 3339 (any offset, any fraction); kept in UTC, to the second.
    pub fn parse_rfc3339(raw: &str) -> Result<Self, TimeError> {
        OffsetDateTime::parse(raw, &Rfc3339).map(Self::truncated).map_err(|_| TimeError::NotRfc3339)
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn unix(self) -> i64 {
        self.0.unix_timestamp()
    }

    /// RFC 3339 in UTC (`2026-11-28T06:00:00Z`).
    pub fn rfc3339(self) -> String {
        self.0.format(&Rfc3339).unwrap_or_else(|_| self.unix().to_string())
    }

    /// The moment `secs` after 1970, held within the years 1 to 9999.
    fn clamped(self, secs: i64) -> Self {
        Self::from_unix(secs.clamp(FIRST_SECOND, LAST_SECOND)).unwrap_or(self)
    }

    /// `duration` later (whole seconds), at most the last second of the year 9999.
    pub fn plus(self, duration: Duration) -> Self {
        let secs = i64::try_from(duration.as_secs()).unwrap_or(i64::MAX);
        self.clamped(self.unix().saturating_add(secs))
    }

    /// `duration` earlier (whole seconds), at least the first second of the year 1.
    pub fn minus(self, duration: Duration) -> Self {
        let secs = i64::try_from(duration.as_secs()).unwrap_or(i64::MAX);
        self.clamped(self.unix().saturating_sub(secs))
    }

    /// How long after `earlier` this is (zero when it is not later).
    pub fn since(self, earlier: Timestamp) -> Duration {
        Duration::from_secs(u64::try_from(self.unix() - earlier.unix()).unwrap_or(0))
    }

    /// The underlying date and time.
    pub fn as_offset(self) -> OffsetDateTime {
        self.0
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.rfc3339())
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

impl std::str::FromStr for Timestamp {
    type Err = TimeError;

    /// RFC 3339, as [`Timestamp::parse_rfc3339`].
    fn from_str(raw: &str) -> Result<Self, TimeError> {
        Self::parse_rfc3339(raw)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse_rfc3339(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn both_forms_round_trip() {
        let at = Timestamp::parse_rfc3339("2026-11-28T06:00:00Z").unwrap();
        assert_eq!(at.rfc3339(), "2026-11-28T06:00:00Z");
        assert_eq!(Timestamp::from_unix(at.unix()).unwrap(), at);
        let offset = Timestamp::parse_rfc3339("2026-11-28T07:00:00.75+01:00").unwrap();
        assert_eq!(offset, at);
        assert_eq!(serde_json::to_string(&at).unwrap(), "\"2026-11-28T06:00:00Z\"");
        assert_eq!(serde_json::from_str::<Timestamp>("\"2026-11-28T06:00:00Z\"").unwrap(), at);
        assert!(Timestamp::parse_rfc3339("2026-11-28").is_err());
        assert!(Timestamp::from_unix(i64::MAX).is_err());
    }

    #[test]
    fn arithmetic_is_in_whole_seconds_and_saturates() {
        let at = Timestamp::from_unix(1_000).unwrap();
        assert_eq!(at.plus(Duration::from_millis(2_500)).unix(), 1_002);
        assert_eq!(at.minus(Duration::from_secs(10)).unix(), 990);
        assert_eq!(at.plus(Duration::from_secs(10)).since(at), Duration::from_secs(10));
        assert_eq!(at.since(at.plus(Duration::from_secs(10))), Duration::ZERO);
        assert_eq!(at.plus(Duration::MAX).rfc3339(), "9999-12-31T23:59:59Z");
        assert_eq!(at.minus(Duration::MAX).rfc3339(), "0001-01-01T00:00:00Z");
    }

    proptest! {
        #[test]
        fn any_unix_second_of_the_supported_years_round_trips(secs in FIRST_SECOND..=LAST_SECOND) {
            let at = Timestamp::from_unix(secs).unwrap();
            prop_assert_eq!(at.unix(), secs);
            prop_assert_eq!(Timestamp::parse_rfc3339(&at.rfc3339()).unwrap(), at);
        }
    }
}
