//! Ages from `YYYYMMDD` dates: someone born on `birth` is at least `years` old on `reference`
//! exactly when `birth + years·10000 ≤ reference`.
//!
//! Adding `years·10000` moves the date `years` years on while keeping month and day, and the
//! integer order of `YYYYMMDD` is the chronological order, so the rule is exact calendar
//! arithmetic: the age is reached on the birthday itself, not a day earlier or later. Someone
//! born on 29 February reaches an age on 29 February in leap years and on 1 March otherwise
//! (`20000229 + 18·10000 = 20180229`, and 2018-02-28 < 20180229 ≤ 2018-03-01). The
//! `credential_query` circuit checks the same inequality, so this function is what a proof's
//! `minAge` means.

use super::date::CalendarDate;

/// Whether someone born on `birth` is at least `years` years old on `reference`:
/// `birth + years·10000 ≤ reference`.
pub fn has_reached_age(birth: CalendarDate, years: u32, reference: CalendarDate) -> bool {
    u64::from(birth.yyyymmdd()) + u64::from(years) * 10_000 <= u64::from(reference.yyyymmdd())
}

/// The whole years someone born on `birth` has completed on `reference`, or `None` when
/// `reference` is before `birth`. Agrees with [`has_reached_age`]: `age_on(b, r) ≥ n` exactly
/// when `has_reached_age(b, n, r)`.
pub fn age_on(birth: CalendarDate, reference: CalendarDate) -> Option<u32> {
    reference.yyyymmdd().checked_sub(birth.yyyymmdd()).map(|gap| gap / 10_000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::date::{days_in_month, MAX_YEAR, MIN_YEAR};
    use proptest::prelude::*;

    fn d(value: u32) -> CalendarDate {
        CalendarDate::from_yyyymmdd(value).unwrap()
    }

    /// The age as a person counts it: the difference of the years, less one when this year's
    /// birthday (month, day) has not come yet.
    fn naive_age(birth: CalendarDate, reference: CalendarDate) -> Option<u32> {
        if reference < birth {
            return None;
        }
        let before_birthday = (reference.month(), reference.day()) < (birth.month(), birth.day());
        Some(reference.year() - birth.year() - u32::from(before_birthday))
    }

    /// The day of the `years`-th birthday with the `time` crate's calendar (29 February moves to
    /// 1 March in a common year), or `None` past 9999.
    fn anniversary(birth: CalendarDate, years: u32) -> Option<time::Date> {
        let year = i32::try_from(birth.year() + years).ok().filter(|y| *y <= MAX_YEAR as i32)?;
        let month = time::Month::try_from(birth.month() as u8).unwrap();
        time::Date::from_calendar_date(year, month, birth.day() as u8)
            .ok()
            .or_else(|| time::Date::from_calendar_date(year, time::Month::March, 1).ok())
    }

    fn to_time(x: CalendarDate) -> time::Date {
        time::Date::from_calendar_date(
            x.year() as i32,
            time::Month::try_from(x.month() as u8).unwrap(),
            x.day() as u8,
        )
        .unwrap()
    }

    #[test]
    fn the_age_is_reached_on_the_birthday() {
        let birth = d(20_080_615);
        assert!(!has_reached_age(birth, 18, d(20_260_614)));
        assert!(has_reached_age(birth, 18, d(20_260_615)));
        assert!(has_reached_age(birth, 18, d(20_260_616)));
        assert!(!has_reached_age(birth, 19, d(20_260_616)));
        assert!(has_reached_age(birth, 0, birth));
        assert!(!has_reached_age(birth, 0, d(20_080_614)));
        assert_eq!(age_on(birth, d(20_260_614)), Some(17));
        assert_eq!(age_on(birth, d(20_260_615)), Some(18));
        assert_eq!(age_on(birth, d(20_080_614)), None);
    }

    #[test]
    fn born_on_29_february() {
        let birth = d(20_000_229);
        // Common year: reached on 1 March, not on 28 February.
        assert!(!has_reached_age(birth, 18, d(20_180_228)));
        assert!(has_reached_age(birth, 18, d(20_180_301)));
        // Leap year: reached on 29 February itself.
        assert!(!has_reached_age(birth, 4, d(20_040_228)));
        assert!(has_reached_age(birth, 4, d(20_040_229)));
        // 2100 is not a leap year.
        assert!(!has_reached_age(birth, 100, d(21_000_228)));
        assert!(has_reached_age(birth, 100, d(21_000_301)));
        // Born on 28 February or 1 March: no special case.
        assert!(has_reached_age(d(20_000_228), 18, d(20_180_228)));
        assert!(!has_reached_age(d(20_000_301), 18, d(20_180_228)));
        assert!(has_reached_age(d(20_000_301), 18, d(20_180_301)));
    }

    #[test]
    fn extreme_dates_and_ages_never_overflow() {
        assert!(has_reached_age(CalendarDate::MIN, 8999, CalendarDate::MAX));
        assert!(!has_reached_age(CalendarDate::MIN, 9000, CalendarDate::MAX));
        assert!(!has_reached_age(CalendarDate::MAX, u32::MAX, CalendarDate::MAX));
        assert!(has_reached_age(d(10_000_101), 945, d(19_450_101)));
        assert_eq!(age_on(CalendarDate::MIN, CalendarDate::MAX), Some(8999));
    }

    /// Every birth date of a leap-year cycle's worth of years (including 1900, 2000 and the
    /// first and last allowed years), every age in a set, and the day before, of and after
    /// every birthday (plus 28 February and 1 March): the rule agrees with the naive count.
    #[test]
    fn every_birthday_of_several_years_agrees_with_the_naive_count() {
        let years = [MIN_YEAR, 1899, 1900, 1999, 2000, 2001, 2003, 2004, 2096, 9990];
        for year in years {
            for month in 1..=12 {
                for day in 1..=days_in_month(year, month) {
                    let birth = CalendarDate::from_ymd(year, month, day).unwrap();
                    for n in [0u32, 1, 4, 16, 18, 21, 65, 100, 104] {
                        let target_year = year + n;
                        if target_year > MAX_YEAR {
                            continue;
                        }
                        let on = CalendarDate::from_ymd(
                            target_year,
                            month,
                            day.min(days_in_month(target_year, month)),
                        )
                        .unwrap();
                        let mut around = vec![on];
                        around.extend(on.previous_day());
                        around.extend(on.next_day());
                        around.extend(CalendarDate::from_ymd(target_year, 2, 28).ok());
                        around.extend(CalendarDate::from_ymd(target_year, 3, 1).ok());
                        for reference in around {
                            let naive = naive_age(birth, reference).is_some_and(|age| age >= n);
                            assert_eq!(
                                has_reached_age(birth, n, reference),
                                naive,
                                "{birth} +{n} on {reference}"
                            );
                            let by_anniversary =
                                anniversary(birth, n).is_some_and(|a| to_time(reference) >= a);
                            assert_eq!(naive, by_anniversary, "{birth} +{n} on {reference}");
                            assert_eq!(age_on(birth, reference), naive_age(birth, reference));
                        }
                    }
                }
            }
        }
    }

    fn arb_date() -> impl Strategy<Value = CalendarDate> {
        (MIN_YEAR..=MAX_YEAR, 1..=12u32, 1..=31u32)
            .prop_map(|(y, m, day)| CalendarDate::from_ymd(y, m, day.min(days_in_month(y, m))).unwrap())
    }

    /// A birth date and a reference date near one of its birthdays.
    fn near_a_birthday() -> impl Strategy<Value = (CalendarDate, u32, CalendarDate)> {
        (arb_date(), 0..=130u32, -3..=3i64).prop_filter_map("past 9999", |(birth, n, shift)| {
            let target = anniversary(birth, n)?;
            let reference = target.checked_add(time::Duration::days(shift))?;
            let reference = CalendarDate::from_ymd(
                u32::try_from(reference.year()).ok()?,
                u32::from(u8::from(reference.month())),
                u32::from(reference.day()),
            )
            .ok()?;
            Some((birth, n, reference))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn the_rule_agrees_with_calendar_arithmetic(birth in arb_date(), n in 0..=9000u32, reference in arb_date()) {
            let naive = naive_age(birth, reference).is_some_and(|age| age >= n);
            prop_assert_eq!(has_reached_age(birth, n, reference), naive);
            let by_anniversary = anniversary(birth, n).is_some_and(|a| to_time(reference) >= a);
            prop_assert_eq!(naive, by_anniversary);
            prop_assert_eq!(age_on(birth, reference), naive_age(birth, reference));
        }

        #[test]
        fn the_rule_agrees_near_birthdays((birth, n, reference) in near_a_birthday()) {
            let by_anniversary = anniversary(birth, n).is_some_and(|a| to_time(reference) >= a);
            prop_assert_eq!(has_reached_age(birth, n, reference), by_anniversary);
            prop_assert_eq!(age_on(birth, reference).is_some_and(|age| age >= n), by_anniversary);
        }
    }
}
