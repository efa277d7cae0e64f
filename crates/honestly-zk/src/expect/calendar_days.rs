//! Calendar days of `YYYYMMDD` dates: a day number per date, so that "within N days of today"
//! is a difference of two integers (proleptic Gregorian calendar).

/// The first year [`day_number`] accepts.
pub const FIRST_YEAR: u64 = 1;
/// The last year [`day_number`] accepts.
pub const LAST_YEAR: u64 = 9999;

/// Whether `year` is a Gregorian leap year.
pub const fn is_leap_year(year: u64) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// The number of days of `month` (1–12) in `year`; 0 for a month that does not exist.
pub const fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// The day number of the date `yyyymmdd` (days since 1970-01-01, negative before), or `None`
/// when it is not a real day of the years 1–9999 (month 13, 30 February, 29 February of a
/// common year…).
pub fn day_number(yyyymmdd: u64) -> Option<i64> {
    let (year, month, day) = (yyyymmdd / 10_000, yyyymmdd / 100 % 100, yyyymmdd % 100);
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    // Howard Hinnant's `days_from_civil`: years start in March, so the leap day is the last
    // day of the shifted year, and a 400-year era has exactly 146 097 days.
    let year = i64::try_from(year).ok()? - i64::from(month <= 2);
    let (month, day) = (i64::try_from(month).ok()?, i64::try_from(day).ok()?);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some(era * 146_097 + day_of_era - 719_468)
}

/// How many calendar days lie between two `YYYYMMDD` dates (never negative), or `None` when
/// either is not a real day.
pub fn days_between(a: u64, b: u64) -> Option<u64> {
    Some(day_number(a)?.abs_diff(day_number(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_day_numbers() {
        assert_eq!(day_number(19700101), Some(0));
        assert_eq!(day_number(19700102), Some(1));
        assert_eq!(day_number(19691231), Some(-1));
        assert_eq!(day_number(20000301), Some(11_017));
        // 2025-12-02 began 1 764 633 600 s after the epoch.
        assert_eq!(day_number(20251202), Some(1_764_633_600 / 86_400));
        assert_eq!(day_number(10101), Some(-719_162));
        assert_eq!(day_number(99991231), Some(2_932_896));
    }

    #[test]
    fn month_year_and_leap_boundaries_are_one_day_apart() {
        for (before, after) in [
            (20240131, 20240201),
            (20240228, 20240229),
            (20240229, 20240301),
            (20230228, 20230301),
            (19000228, 19000301),
            (20000228, 20000229),
            (20000229, 20000301),
            (20241231, 20250101),
            (20240430, 20240501),
            (99991230, 99991231),
        ] {
            assert_eq!(days_between(before, after), Some(1), "{before} → {after}");
            assert_eq!(day_number(after).unwrap() - day_number(before).unwrap(), 1);
        }
        assert_eq!(days_between(20240101, 20250101), Some(366));
        assert_eq!(days_between(20230101, 20240101), Some(365));
        assert_eq!(days_between(21000101, 21010101), Some(365));
        assert_eq!(days_between(20000101, 24000101), Some(146_097));
    }

    #[test]
    fn non_days_have_no_number() {
        for not_a_day in [
            20230229,
            19000229,
            20240230,
            20240431,
            20241301,
            20240001,
            20240100,
            20240132,
            0,
            101,
            100_000_101,
        ] {
            assert_eq!(day_number(not_a_day), None, "{not_a_day}");
        }
        assert_eq!(days_between(20240101, 20241301), None);
        assert_eq!(day_number(20000229).map(|d| d - day_number(20000228).unwrap()), Some(1));
    }

    #[test]
    fn every_day_of_four_centuries_follows_the_previous_one() {
        let mut expected = day_number(18000101).unwrap();
        for year in 1800..2200 {
            for month in 1..=12 {
                for day in 1..=days_in_month(year, month) {
                    assert_eq!(day_number(year * 10_000 + month * 100 + day), Some(expected));
                    expected += 1;
                }
            }
        }
    }
}
