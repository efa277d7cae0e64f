//! Calendar dates as credentials and circuits carry them: the integer `YYYYMMDD`
//! (`19450509` is 9 May 1945), proleptic Gregorian, years 1000 to 9999.
//!
//! The integer order of `YYYYMMDD` is the chronological order, which is what lets a circuit
//! compare dates (and ages, see [`super::age`]) with plain integer comparisons. A
//! [`CalendarDate`] is built only by its parsers, so every value is a real day: month 1–12,
//! day within the month's length, 29 February only in leap years.

use std::fmt;
use std::str::FromStr;

use honestly_zk::Fr;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::clock::Timestamp;

/// The first year a date may have.
pub const MIN_YEAR: u32 = 1000;
/// The last year a date may have.
pub const MAX_YEAR: u32 = 9999;

/// Why a text or integer is not a calendar date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// The text is not exactly `YYYY-MM-DD` with ASCII digits.
    #[error("not a date in the form YYYY-MM-DD")]
    NotIso,
    /// The year is outside 1000–9999 (or the integer does not have 8 digits).
    #[error("the year must be between 1000 and 9999")]
    YearOutOfRange,
    /// The month is not 1–12.
    #[error("month {0} does not exist (1 to 12)")]
    NoSuchMonth(u32),
    /// The day does not exist in that month of that year.
    #[error("day {day} does not exist in {year:04}-{month:02}")]
    NoSuchDay {
        /// The year.
        year: u32,
        /// The month.
        month: u32,
        /// The day that was given.
        day: u32,
    },
}

/// A day of the proleptic Gregorian calendar between 1000-01-01 and 9999-12-31, held as the
/// integer `YYYYMMDD`. Ordering is chronological.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CalendarDate(u32);

/// Whether `year` is a Gregorian leap year.
pub const fn is_leap_year(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// The number of days of `month` (1–12) in `year`; 0 for a month that does not exist.
pub const fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl CalendarDate {
    /// 1000-01-01, the first date.
    pub const MIN: CalendarDate = CalendarDate(MIN_YEAR * 10_000 + 101);
    /// 9999-12-31, the last date.
    pub const MAX: CalendarDate = CalendarDate(MAX_YEAR * 10_000 + 1231);

    /// The date `year-month-day`, if it exists and its year is 1000–9999.
    pub fn from_ymd(year: u32, month: u32, day: u32) -> Result<Self, DateError> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(DateError::YearOutOfRange);
        }
        if !(1..=12).contains(&month) {
            return Err(DateError::NoSuchMonth(month));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(DateError::NoSuchDay { year, month, day });
        }
        Ok(Self(year * 10_000 + month * 100 + day))
    }

    /// The date written as the integer `YYYYMMDD` (`19450509`).
    pub fn from_yyyymmdd(value: u32) -> Result<Self, DateError> {
        Self::from_ymd(value / 10_000, value / 100 % 100, value % 100)
    }

    /// The date written as `YYYY-MM-DD` (exactly ten characters, ASCII digits).
    pub fn parse_iso(raw: &str) -> Result<Self, DateError> {
        let bytes = raw.as_bytes();
        let digits = |range: std::ops::Range<usize>| -> Option<u32> {
            bytes[range]
                .iter()
                .try_fold(0u32, |acc, b| b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0')))
        };
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(DateError::NotIso);
        }
        match (digits(0..4), digits(5..7), digits(8..10)) {
            (Some(year), Some(month), Some(day)) => Self::from_ymd(year, month, day),
            _ => Err(DateError::NotIso),
        }
    }

    /// The UTC calendar day of `at`.
    ///
    /// # Errors
    /// [`DateError::YearOutOfRange`] for a moment before the year 1000.
    pub fn of_timestamp(at: Timestamp) -> Result<Self, DateError> {
        let date = at.as_offset().date();
        let year = u32::try_from(date.year()).map_err(|_| DateError::YearOutOfRange)?;
        Self::from_ymd(year, u32::from(u8::from(date.month())), u32::from(date.day()))
    }

    /// The integer `YYYYMMDD`.
    pub const fn yyyymmdd(self) -> u32 {
        self.0
    }

    /// The year (1000–9999).
    pub const fn year(self) -> u32 {
        self.0 / 10_000
    }

    /// The month (1–12).
    pub const fn month(self) -> u32 {
        self.0 / 100 % 100
    }

    /// The day of the month (1–31).
    pub const fn day(self) -> u32 {
        self.0 % 100
    }

    /// The date as a field element: the integer `YYYYMMDD`.
    pub fn to_field(self) -> Fr {
        Fr::from(self.0)
    }

    /// The day after this one, or `None` after 9999-12-31.
    pub fn next_day(self) -> Option<Self> {
        let (year, month, day) = (self.year(), self.month(), self.day());
        if day < days_in_month(year, month) {
            Some(Self(self.0 + 1))
        } else if month < 12 {
            Some(Self(year * 10_000 + (month + 1) * 100 + 1))
        } else if year < MAX_YEAR {
            Some(Self((year + 1) * 10_000 + 101))
        } else {
            None
        }
    }

    /// The day before this one, or `None` before 1000-01-01.
    pub fn previous_day(self) -> Option<Self> {
        let (year, month, day) = (self.year(), self.month(), self.day());
        if day > 1 {
            Some(Self(self.0 - 1))
        } else if month > 1 {
            Some(Self(year * 10_000 + (month - 1) * 100 + days_in_month(year, month - 1)))
        } else if year > MIN_YEAR {
            Some(Self((year - 1) * 10_000 + 1231))
        } else {
            None
        }
    }
}

impl fmt::Display for CalendarDate {
    /// `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year(), self.month(), self.day())
    }
}

impl fmt::Debug for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CalendarDate({self})")
    }
}

impl FromStr for CalendarDate {
    type Err = DateError;

    /// Parses `YYYY-MM-DD`.
    fn from_str(raw: &str) -> Result<Self, DateError> {
        Self::parse_iso(raw)
    }
}

impl Serialize for CalendarDate {
    /// Written as `YYYY-MM-DD`, the form the API's request bodies use.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CalendarDate {
    /// Read from `YYYY-MM-DD` only.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse_iso(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(value: u32) -> CalendarDate {
        CalendarDate::from_yyyymmdd(value).unwrap()
    }

    #[test]
    fn leap_years_follow_the_gregorian_rule() {
        for (year, leap) in
            [(2000, true), (2024, true), (1900, false), (2100, false), (2400, true), (2023, false)]
        {
            assert_eq!(is_leap_year(year), leap, "{year}");
        }
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(days_in_month(1900, 2), 28);
        assert_eq!(days_in_month(2023, 4), 30);
        assert_eq!(days_in_month(2023, 13), 0);
    }

    #[test]
    fn iso_text_parses_strictly() {
        assert_eq!(CalendarDate::parse_iso("1945-05-09").unwrap().yyyymmdd(), 19_450_509);
        assert_eq!(CalendarDate::parse_iso("2000-02-29").unwrap(), d(20_000_229));
        assert_eq!(CalendarDate::parse_iso("1000-01-01").unwrap(), CalendarDate::MIN);
        assert_eq!(CalendarDate::parse_iso("9999-12-31").unwrap(), CalendarDate::MAX);
        assert_eq!(
            CalendarDate::parse_iso("1900-02-29"),
            Err(DateError::NoSuchDay { year: 1900, month: 2, day: 29 })
        );
        assert_eq!(
            CalendarDate::parse_iso("2023-04-31").unwrap_err().to_string(),
            "day 31 does not exist in 2023-04"
        );
        assert_eq!(CalendarDate::parse_iso("2023-13-01"), Err(DateError::NoSuchMonth(13)));
        assert_eq!(CalendarDate::parse_iso("2023-00-10"), Err(DateError::NoSuchMonth(0)));
        assert_eq!(CalendarDate::parse_iso("0999-12-31"), Err(DateError::YearOutOfRange));
        for bad in [
            "",
            "1945-5-09",
            "1945-05-9",
            "19450509",
            "1945/05/09",
            " 1945-05-09",
            "1945-05-09 ",
            "1945-05-09T00:00:00Z",
            "+945-05-09",
            "1945-0a-09",
            "١٩٤٥-05-09",
            "1945-05-0٩",
        ] {
            assert_eq!(CalendarDate::parse_iso(bad), Err(DateError::NotIso), "{bad:?}");
        }
    }

    #[test]
    fn integers_parse_strictly() {
        assert_eq!(d(19_450_509).to_string(), "1945-05-09");
        for (bad, error) in [
            (0, DateError::YearOutOfRange),
            (9_991_231, DateError::YearOutOfRange),
            (100_000_101, DateError::YearOutOfRange),
            (u32::MAX, DateError::YearOutOfRange),
            (20_231_301, DateError::NoSuchMonth(13)),
            (20_230_001, DateError::NoSuchMonth(0)),
            (20_230_100, DateError::NoSuchDay { year: 2023, month: 1, day: 0 }),
            (20_230_229, DateError::NoSuchDay { year: 2023, month: 2, day: 29 }),
            (21_000_229, DateError::NoSuchDay { year: 2100, month: 2, day: 29 }),
        ] {
            assert_eq!(CalendarDate::from_yyyymmdd(bad), Err(error), "{bad}");
        }
        assert!(CalendarDate::from_yyyymmdd(24_000_229).is_ok());
    }

    /// Every (year, month, day) with month 0–13 and day 0–32 in every allowed year, checked
    /// against the `time` crate's calendar; also counts the valid days.
    #[test]
    fn validity_matches_an_independent_calendar_for_every_year() {
        let mut valid = 0u64;
        for year in MIN_YEAR..=MAX_YEAR {
            for month in 0..=13u32 {
                for day in 0..=32u32 {
                    let ours = CalendarDate::from_ymd(year, month, day).is_ok();
                    let theirs = u8::try_from(month)
                        .ok()
                        .and_then(|m| time::Month::try_from(m).ok())
                        .is_some_and(|m| time::Date::from_calendar_date(year as i32, m, day as u8).is_ok());
                    assert_eq!(ours, theirs, "{year}-{month}-{day}");
                    valid += u64::from(ours);
                }
            }
        }
        // Days from 1000-01-01 to 9999-12-31: 9000 years of 365 days plus the leap days.
        let leap_days = (MIN_YEAR..=MAX_YEAR).filter(|y| is_leap_year(*y)).count() as u64;
        assert_eq!(valid, 9000 * 365 + leap_days);
        assert_eq!(leap_days, 2182);
    }

    #[test]
    fn next_and_previous_day_cross_month_and_year_ends() {
        for (day, next) in [
            (20_000_228, 20_000_229),
            (20_000_229, 20_000_301),
            (19_000_228, 19_000_301),
            (20_231_231, 20_240_101),
            (20_230_430, 20_230_501),
        ] {
            assert_eq!(d(day).next_day(), Some(d(next)));
            assert_eq!(d(next).previous_day(), Some(d(day)));
        }
        assert_eq!(CalendarDate::MAX.next_day(), None);
        assert_eq!(CalendarDate::MIN.previous_day(), None);
    }

    #[test]
    fn the_utc_day_of_a_timestamp() {
        let at = Timestamp::parse_rfc3339("2026-12-31T23:59:59-01:00").unwrap();
        assert_eq!(CalendarDate::of_timestamp(at).unwrap(), d(20_270_101));
        let early = Timestamp::parse_rfc3339("0999-12-31T23:59:59Z").unwrap();
        assert_eq!(CalendarDate::of_timestamp(early), Err(DateError::YearOutOfRange));
    }

    #[test]
    fn field_form_and_serde() {
        assert_eq!(d(19_450_509).to_field(), Fr::from(19_450_509u64));
        assert_eq!(serde_json::to_string(&d(19_450_509)).unwrap(), "\"1945-05-09\"");
        assert_eq!(serde_json::from_str::<CalendarDate>("\"2000-02-29\"").unwrap(), d(20_000_229));
        let refused = serde_json::from_str::<CalendarDate>("\"2001-02-29\"").unwrap_err().to_string();
        assert!(refused.starts_with("day 29 does not exist in 2001-02"), "{refused}");
        assert!(serde_json::from_str::<CalendarDate>("20000229").is_err());
    }

    fn arb_date() -> impl Strategy<Value = CalendarDate> {
        (MIN_YEAR..=MAX_YEAR, 1..=12u32, 1..=31u32)
            .prop_map(|(y, m, day)| CalendarDate::from_ymd(y, m, day.min(days_in_month(y, m))).unwrap())
    }

    proptest! {
        #[test]
        fn integer_order_is_chronological(a in arb_date(), b in arb_date()) {
            let date = |x: CalendarDate| {
                time::Date::from_calendar_date(x.year() as i32, time::Month::try_from(x.month() as u8).unwrap(), x.day() as u8).unwrap()
            };
            prop_assert_eq!(a.cmp(&b), date(a).cmp(&date(b)));
            prop_assert_eq!(a.next_day().map(date), date(a).next_day().filter(|n| n.year() <= 9999));
        }

        #[test]
        fn text_and_integer_forms_round_trip(a in arb_date()) {
            prop_assert_eq!(CalendarDate::parse_iso(&a.to_string()), Ok(a));
            prop_assert_eq!(CalendarDate::from_yyyymmdd(a.yyyymmdd()), Ok(a));
        }
    }
}
