//! Dates as people read them on the pages: `28 Nov 2026`, `28 Nov 2026, 09:06 UTC`.

use honestly_core::clock::Timestamp;
use honestly_core::credentials::CalendarDate;
use time::OffsetDateTime;

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

fn day(t: OffsetDateTime) -> String {
    format!("{} {} {}", t.day(), MONTHS[usize::from(u8::from(t.month())) - 1], t.year())
}

/// The UTC day of Unix seconds (`28 Nov 2026`), as a proof's signals carry them; `None`
/// outside the supported range.
pub fn date(unix: i64) -> Option<String> {
    Timestamp::from_unix(unix).ok().map(|at| day(at.as_offset()))
}

/// A calendar day (`1 Mar 1950`), as `age_proof_v2` signals carry them (`YYYYMMDD`).
pub fn calendar_date(date: CalendarDate) -> String {
    format!("{} {} {}", date.day(), MONTHS[(date.month() as usize).clamp(1, 12) - 1], date.year())
}

/// Day and minute in UTC (`28 Nov 2026, 09:06 UTC`).
pub fn date_time(at: Timestamp) -> String {
    let t = at.as_offset();
    format!("{}, {:02}:{:02} UTC", day(t), t.hour(), t.minute())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_like_a_person_writes_them() {
        // 2026-11-28T09:06:13Z
        assert_eq!(date(1_795_856_773).as_deref(), Some("28 Nov 2026"));
        assert_eq!(date_time(Timestamp::from_unix(1_795_856_773).unwrap()), "28 Nov 2026, 09:06 UTC");
        let offset = Timestamp::parse_rfc3339("2026-01-05T23:59:00+01:00").unwrap();
        assert_eq!(date_time(offset), "5 Jan 2026, 22:59 UTC");
        assert_eq!(date(i64::MAX), None);
        assert_eq!(calendar_date(CalendarDate::from_yyyymmdd(19500301).unwrap()), "1 Mar 1950");
    }
}
