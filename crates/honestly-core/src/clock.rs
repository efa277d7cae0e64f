//! Time helpers: every timestamp the project writes is RFC 3339 UTC with second precision.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The current time in UTC, truncated to whole seconds.
pub fn now_utc() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}

/// Formats a time as RFC 3339 UTC (`2026-11-28T06:00:00Z`).
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC).format(&Rfc3339).unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// The current time as an RFC 3339 UTC string.
pub fn now_rfc3339() -> String {
    rfc3339(now_utc())
}
