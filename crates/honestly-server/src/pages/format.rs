//! Dates as people read them on the pages: `28 Nov 2026`, `28 Nov 2026, 09:06 UTC`.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

fn day(t: OffsetDateTime) -> String {
    format!("{} {} {}", t.day(), MONTHS[usize::from(u8::from(t.month())) - 1], t.year())
}

/// The UTC day of Unix seconds (`28 Nov 2026`); `None` outside the supported range.
pub fn date(unix: i64) -> Option<String> {
    OffsetDateTime::from_unix_timestamp(unix).ok().map(day)
}

/// Day and minute of Unix seconds in UTC (`28 Nov 2026, 09:06 UTC`).
pub fn date_time(unix: i64) -> String {
    match OffsetDateTime::from_unix_timestamp(unix) {
        Ok(t) => format!("{}, {:02}:{:02} UTC", day(t), t.hour(), t.minute()),
        Err(_) => unix.to_string(),
    }
}

/// An RFC 3339 time as [`date_time`]; the raw text if it does not parse.
pub fn rfc3339_date_time(text: &str) -> String {
    OffsetDateTime::parse(text, &Rfc3339).map_or_else(|_| text.to_string(), |t| date_time(t.unix_timestamp()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_like_a_person_writes_them() {
        // 2026-11-28T09:06:13Z
        assert_eq!(date(1_795_856_773).as_deref(), Some("28 Nov 2026"));
        assert_eq!(date_time(1_795_856_773), "28 Nov 2026, 09:06 UTC");
        assert_eq!(rfc3339_date_time("2026-01-05T23:59:00+01:00"), "5 Jan 2026, 22:59 UTC");
        assert_eq!(rfc3339_date_time("yesterday"), "yesterday");
        assert_eq!(date(i64::MAX), None);
    }
}
