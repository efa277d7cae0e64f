//! Predicate gadgets of `credential_query`: date comparisons, `minAge`, `notExpired`,
//! nationality in / not in a list and the optional disclosure of the nationality.
//!
//! Dates are `YYYYMMDD` integers; every date a gadget compares must first pass
//! [`enforce_date`] (`0 ≤ date < 2^27`, and 99 991 231 < 2^27 = 134 217 728), so differences
//! of two dates (or of a date plus `minAge·10000`) stay far below the field size and a
//! negative difference wraps to a value above `r − 2^28` that no range check accepts.

use ark_ff::Field;
use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::SynthesisError;

use crate::{gadgets::enforce_range, Fr};

/// Bits of a `YYYYMMDD` date (every date up to 9999-12-31 fits).
pub const DATE_BITS: usize = 27;

/// Bits of `minAge` (0–255 years).
pub const MIN_AGE_BITS: usize = 8;

/// Bits of an ISO 3166-1 numeric country code (0–999, 0 = not stated).
pub const COUNTRY_BITS: usize = 10;

/// Size of the nationality list (unused slots are 0).
pub const NATIONALITY_LIST_LEN: usize = 8;

/// Nationality mode: not asked.
pub const NATIONALITY_NONE: u64 = 0;
/// Nationality mode: the nationality is in the list.
pub const NATIONALITY_IN: u64 = 1;
/// Nationality mode: the nationality is not in the list.
pub const NATIONALITY_NOT_IN: u64 = 2;

/// Bits used to compare `birthDate + minAge·10000` with a date (both below 2^28).
pub const SUM_BITS: usize = DATE_BITS + 1;

/// Enforces `0 ≤ date < 2^DATE_BITS` ([`DATE_BITS`] + 1 constraints).
pub fn enforce_date(date: &FpVar<Fr>) -> Result<(), SynthesisError> {
    enforce_range(date, DATE_BITS).map(|_| ())
}

/// Enforces `a ≤ b` for `a, b` already known to be below `2^bits` (`bits + 1` constraints):
/// `b − a` must lie in `[0, 2^bits)`.
pub fn enforce_leq(a: &FpVar<Fr>, b: &FpVar<Fr>, bits: usize) -> Result<(), SynthesisError> {
    enforce_range(&(b - a), bits).map(|_| ())
}

/// Whether `a ≤ b`, for `a, b` already known to be below `2^bits` (`bits + 2` constraints):
/// `b − a + 2^bits` lies in `[0, 2^(bits+1))` and its top bit is set exactly when `b ≥ a`.
pub fn is_leq(a: &FpVar<Fr>, b: &FpVar<Fr>, bits: usize) -> Result<Boolean<Fr>, SynthesisError> {
    let shifted = b - a + Fr::from(2u64).pow([bits as u64]);
    let decomposed = enforce_range(&shifted, bits + 1)?;
    Ok(decomposed[bits].clone())
}

/// Constrains a field variable to 0 or 1 and returns it as a [`Boolean`] (2 constraints).
pub fn enforce_boolean(x: &FpVar<Fr>) -> Result<Boolean<Fr>, SynthesisError> {
    let b = Boolean::new_witness(x.cs(), || Ok(x.value()? == Fr::from(1u64)))?;
    FpVar::from(b.clone()).enforce_equal(x)?;
    Ok(b)
}

/// `minAge` (range-checked here to [`MIN_AGE_BITS`]; 0 = not asked): when asked,
/// `birthDate + minAge·10000 ≤ referenceDate`. `birth` and `reference` must have passed
/// [`enforce_date`].
pub fn enforce_min_age(
    birth: &FpVar<Fr>,
    min_age: &FpVar<Fr>,
    reference: &FpVar<Fr>,
) -> Result<(), SynthesisError> {
    enforce_range(min_age, MIN_AGE_BITS)?;
    // birth + minAge·10000 < 2^27 + 255·10000 < 2^28.
    let threshold = birth + min_age * Fr::from(10_000u64);
    let reached = is_leq(&threshold, reference, SUM_BITS)?;
    let asked = !min_age.is_zero()?;
    reached.conditional_enforce_equal(&Boolean::TRUE, &asked)
}

/// `notExpired` (a 0/1 flag, constrained here): when set, `expiry = 0` (no expiry) or
/// `expiry ≥ reference`. `expiry` and `reference` must have passed [`enforce_date`].
pub fn enforce_not_expired(
    flag: &FpVar<Fr>,
    expiry: &FpVar<Fr>,
    reference: &FpVar<Fr>,
) -> Result<(), SynthesisError> {
    let flag = enforce_boolean(flag)?;
    let valid = expiry.is_zero()? | is_leq(reference, expiry, DATE_BITS)?;
    valid.conditional_enforce_equal(&Boolean::TRUE, &flag)
}

/// Nationality in / not in `list` by `mode` ([`NATIONALITY_NONE`], [`NATIONALITY_IN`],
/// [`NATIONALITY_NOT_IN`]; any other mode is unsatisfiable). Unused list slots are 0; when
/// asked, the nationality must be stated (non-zero), so it never matches an unused slot.
/// The nationality is range-checked to [`COUNTRY_BITS`].
pub fn enforce_nationality(
    nationality: &FpVar<Fr>,
    mode: &FpVar<Fr>,
    list: &[FpVar<Fr>; NATIONALITY_LIST_LEN],
) -> Result<(), SynthesisError> {
    enforce_range(nationality, COUNTRY_BITS)?;
    // mode ∈ {0, 1, 2}.
    let m = mode * (mode - Fr::from(1u64));
    m.mul_equals(&(mode - Fr::from(2u64)), &FpVar::Constant(Fr::from(0u64)))?;
    let is_in = mode.is_eq(&FpVar::Constant(Fr::from(NATIONALITY_IN)))?;
    let is_not_in = mode.is_eq(&FpVar::Constant(Fr::from(NATIONALITY_NOT_IN)))?;
    // ∏ (nationality − list[i]) is zero exactly when the nationality is in the list.
    let mut product = nationality - &list[0];
    for entry in &list[1..] {
        product *= nationality - entry;
    }
    let member = product.is_zero()?;
    member.conditional_enforce_equal(&Boolean::TRUE, &is_in)?;
    member.conditional_enforce_equal(&Boolean::FALSE, &is_not_in)?;
    let stated = !nationality.is_zero()?;
    stated.conditional_enforce_equal(&Boolean::TRUE, &(is_in | is_not_in))
}

/// Optional disclosure: `disclose` is constrained to 0/1 and `disclosed = value · disclose`.
pub fn enforce_disclosure(
    value: &FpVar<Fr>,
    disclose: &FpVar<Fr>,
    disclosed: &FpVar<Fr>,
) -> Result<(), SynthesisError> {
    let flag = enforce_boolean(disclose)?;
    value.mul_equals(&FpVar::from(flag), disclosed)
}

#[cfg(test)]
mod tests {
    use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef};

    use super::*;

    fn cs() -> ConstraintSystemRef<Fr> {
        ConstraintSystem::<Fr>::new_ref()
    }

    fn input(cs: &ConstraintSystemRef<Fr>, v: Fr) -> FpVar<Fr> {
        FpVar::new_input(cs.clone(), || Ok(v)).unwrap()
    }

    fn witness(cs: &ConstraintSystemRef<Fr>, v: Fr) -> FpVar<Fr> {
        FpVar::new_witness(cs.clone(), || Ok(v)).unwrap()
    }

    fn f(v: u64) -> Fr {
        Fr::from(v)
    }

    /// `minAge` over a range-checked birth date and reference; (satisfied, constraints).
    fn min_age(birth: Fr, years: Fr, reference: Fr) -> (bool, usize) {
        let cs = cs();
        let (r, m) = (input(&cs, reference), input(&cs, years));
        let b = witness(&cs, birth);
        enforce_date(&b).unwrap();
        enforce_date(&r).unwrap();
        enforce_min_age(&b, &m, &r).unwrap();
        (cs.is_satisfied().unwrap(), cs.num_constraints())
    }

    fn not_expired(flag: Fr, expiry: Fr, reference: Fr) -> (bool, usize) {
        let cs = cs();
        let (fl, r) = (input(&cs, flag), input(&cs, reference));
        let e = witness(&cs, expiry);
        enforce_date(&e).unwrap();
        enforce_date(&r).unwrap();
        enforce_not_expired(&fl, &e, &r).unwrap();
        (cs.is_satisfied().unwrap(), cs.num_constraints())
    }

    fn nationality(value: Fr, mode: u64, list: &[u64]) -> (bool, usize) {
        let cs = cs();
        let m = input(&cs, f(mode));
        let l: [FpVar<Fr>; NATIONALITY_LIST_LEN] =
            std::array::from_fn(|i| input(&cs, f(list.get(i).copied().unwrap_or(0))));
        let n = witness(&cs, value);
        enforce_nationality(&n, &m, &l).unwrap();
        (cs.is_satisfied().unwrap(), cs.num_constraints())
    }

    fn disclosure(value: Fr, disclose: Fr, disclosed: Fr) -> (bool, usize) {
        let cs = cs();
        let (d, out) = (input(&cs, disclose), input(&cs, disclosed));
        let v = witness(&cs, value);
        enforce_disclosure(&v, &d, &out).unwrap();
        (cs.is_satisfied().unwrap(), cs.num_constraints())
    }

    fn leq(a: Fr, b: Fr) -> bool {
        let cs = cs();
        let (a, b) = (witness(&cs, a), witness(&cs, b));
        enforce_date(&a).unwrap();
        enforce_date(&b).unwrap();
        enforce_leq(&a, &b, DATE_BITS).unwrap();
        cs.is_satisfied().unwrap()
    }

    #[test]
    fn leq_edges_and_ranges() {
        assert!(leq(f(20240101), f(20240101)));
        assert!(leq(f(20240101), f(20240102)));
        assert!(!leq(f(20240102), f(20240101)));
        assert!(leq(f(0), f(99991231)));
        assert!(!leq(f(99991231), f(0)));
        // Out-of-range dates are refused even when the difference would fit.
        assert!(!leq(f(1 << 27), f(1 << 27)));
        assert!(!leq(-f(1), f(5)));
    }

    #[test]
    fn min_age_on_the_birthday_and_on_feb_29() {
        // Turns 18 on 2018-05-15 exactly.
        assert!(min_age(f(20000515), f(18), f(20180515)).0);
        assert!(!min_age(f(20000515), f(18), f(20180514)).0);
        // Born on Feb 29: 20000229 + 180000 = 20180229 (no such day), so 18 on March 1.
        assert!(!min_age(f(20000229), f(18), f(20180228)).0);
        assert!(min_age(f(20000229), f(18), f(20180301)).0);
        // In a leap year the birthday exists.
        assert!(min_age(f(20000229), f(20), f(20200229)).0);
        // minAge 0 is "not asked": even a birth date after the reference passes.
        assert!(min_age(f(20300101), f(0), f(20240101)).0);
        // Old birth dates (year 1000) work.
        assert!(min_age(f(10000101), f(255), f(20240101)).0);
    }

    #[test]
    fn min_age_refuses_out_of_range_inputs() {
        // minAge ≥ 256 is refused even when the comparison would hold.
        assert!(!min_age(f(10000101), f(256), f(20240101)).0);
        // A "negative" birth date would make the sum small.
        assert!(!min_age(-f(1_000_000), f(18), f(20240101)).0);
        // A reference date beyond 2^27.
        assert!(!min_age(f(20000101), f(18), f(1 << 27)).0);
        // A "negative" minAge.
        assert!(!min_age(f(20000101), -f(1), f(20240101)).0);
    }

    #[test]
    fn not_expired_cases() {
        assert!(not_expired(f(1), f(20250101), f(20240101)).0);
        assert!(not_expired(f(1), f(20240101), f(20240101)).0, "expires on the reference day");
        assert!(!not_expired(f(1), f(20231231), f(20240101)).0);
        assert!(not_expired(f(1), f(0), f(20240101)).0, "no expiry");
        assert!(not_expired(f(0), f(20231231), f(20240101)).0, "not asked");
        assert!(!not_expired(f(2), f(20250101), f(20240101)).0, "flag must be boolean");
        assert!(!not_expired(-f(1), f(20250101), f(20240101)).0, "flag must be boolean");
        assert!(!not_expired(f(1), f(1 << 27), f(20240101)).0, "expiry out of range");
    }

    #[test]
    fn nationality_in_and_not_in() {
        let list = [276, 250, 380];
        assert!(nationality(f(276), NATIONALITY_IN, &list).0);
        assert!(nationality(f(380), NATIONALITY_IN, &list).0);
        assert!(!nationality(f(840), NATIONALITY_IN, &list).0);
        assert!(nationality(f(840), NATIONALITY_NOT_IN, &list).0);
        assert!(!nationality(f(250), NATIONALITY_NOT_IN, &list).0);
        // A full list of 8; the last slot matches.
        let full = [1, 2, 3, 4, 5, 6, 7, 8];
        assert!(nationality(f(8), NATIONALITY_IN, &full).0);
        assert!(!nationality(f(8), NATIONALITY_NOT_IN, &full).0);
        // Not asked: anything goes, even an unstated nationality.
        assert!(nationality(f(840), NATIONALITY_NONE, &list).0);
        assert!(nationality(f(0), NATIONALITY_NONE, &[]).0);
        // An unstated nationality never matches the unused zero slots, nor proves "not in".
        assert!(!nationality(f(0), NATIONALITY_IN, &list).0);
        assert!(!nationality(f(0), NATIONALITY_NOT_IN, &list).0);
        // Other modes and out-of-range countries are refused.
        assert!(!nationality(f(276), 3, &list).0);
        assert!(!nationality(f(840), 3, &list).0);
        assert!(!nationality(f(1024 + 276), NATIONALITY_NOT_IN, &list).0);
    }

    #[test]
    fn disclosure_is_value_times_flag() {
        assert!(disclosure(f(276), f(1), f(276)).0);
        assert!(disclosure(f(276), f(0), f(0)).0);
        assert!(!disclosure(f(276), f(0), f(276)).0);
        assert!(!disclosure(f(276), f(1), f(0)).0);
        assert!(!disclosure(f(276), f(1), f(250)).0);
        // A non-boolean flag cannot scale the value: 2·138 = 276 is refused.
        assert!(!disclosure(f(138), f(2), f(276)).0);
    }

    #[test]
    fn constraint_counts() {
        // enforce_date: 27 bits + 1 sum.
        let dates = 2 * (DATE_BITS + 1);
        // minAge: 8 + 1 range, 29 + 1 comparison, 2 is_zero, 1 conditional equality.
        assert_eq!(min_age(f(20000101), f(18), f(20240101)).1 - dates, 42);
        // notExpired: 2 boolean, 2 is_zero, 28 + 1 comparison, 1 or, 1 conditional equality.
        assert_eq!(not_expired(f(1), f(20250101), f(20240101)).1 - dates, 35);
        // nationality: 11 range, 2 mode, 2 × 2 is_eq, 7 products, 2 is_zero, 2 conditional,
        // 2 is_zero, 1 or, 1 conditional.
        assert_eq!(nationality(f(276), NATIONALITY_IN, &[276]).1, 32);
        // disclosure: 2 boolean, 1 product.
        assert_eq!(disclosure(f(276), f(1), f(276)).1, 3);
    }
}
