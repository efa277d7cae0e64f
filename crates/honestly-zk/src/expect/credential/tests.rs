use super::*;
use crate::{eddsa::PrivateKey, revocation::RevocationState};

const TODAY: u64 = 20240601;
const NOW: u64 = 1_717_243_200; // 2024-06-01T12:00:00Z
const DEU: u64 = 276;
const FRA: u64 = 250;
const USA: u64 = 840;
const GBR: u64 = 826;

fn issuer_key() -> PrivateKey {
    PrivateKey::from_bytes([21; 32])
}

fn other_key() -> PrivateKey {
    PrivateKey::from_bytes([22; 32])
}

fn key_pair(key: &PrivateKey) -> (Fr, Fr) {
    let point = key.public_key().point();
    (point.x(), point.y())
}

fn root() -> Fr {
    Fr::from(4_242u64)
}

/// A proof of min age 18, not expired, nationality in {DEU, FRA}, disclosed.
fn public() -> QueryPublic {
    QueryPublic {
        issuer: key_pair(&issuer_key()),
        revocation_root: root(),
        reference_date: TODAY,
        min_age: 18,
        not_expired: true,
        nationality_mode: NATIONALITY_IN,
        nationality_list: [DEU, FRA, 0, 0, 0, 0, 0, 0],
        disclose_nationality: true,
        scope: Fr::from(7u64),
        nonce: Fr::from(8u64),
        disclosed_nationality: DEU,
        nullifier: Fr::from(9u64),
    }
}

fn state_by(key: &PrivateKey, root: Fr, issued_at: u64) -> SignedState {
    SignedState::sign(key, RevocationState { root, issued_at })
}

fn current_state() -> SignedState {
    state_by(&issuer_key(), root(), NOW - 60)
}

/// Everything asked, and met by [`public`].
fn all_asked() -> CredentialExpectations {
    CredentialExpectations {
        trusted_issuers: Some(vec![key_pair(&other_key()), key_pair(&issuer_key())]),
        min_age: Some(18),
        not_expired: true,
        nationality_in: Some(vec![DEU, FRA, USA]),
        nationality_not_in: None,
        disclose_nationality: true,
        scope: Some(Fr::from(7u64)),
        nonce: Some(Fr::from(8u64)),
        reference_date_tolerance_days: 1,
        revocation: Some(current_state()),
        max_revocation_age_seconds: 3600,
    }
}

fn check(public: &QueryPublic, exp: &CredentialExpectations) -> Result<(), CredentialFailure> {
    check_credential_query(public, exp, TODAY, NOW)
}

#[test]
fn a_proof_meeting_every_expectation_passes() {
    assert_eq!(check(&public(), &all_asked()), Ok(()));
    // Only the always-on checks: reference date and revocation state.
    let minimal = CredentialExpectations { revocation: Some(current_state()), ..Default::default() };
    assert_eq!(check(&public(), &minimal), Ok(()));
}

#[test]
fn defaults_are_one_day_and_one_hour() {
    let d = CredentialExpectations::default();
    assert_eq!(d.reference_date_tolerance_days, 1);
    assert_eq!(d.max_revocation_age_seconds, 3600);
    assert_eq!(d.trusted_issuers, None);
    assert_eq!(d.revocation, None);
}

#[test]
fn an_issuer_outside_the_trusted_set_fails() {
    let exp = CredentialExpectations { trusted_issuers: Some(vec![key_pair(&other_key())]), ..all_asked() };
    assert_eq!(check(&public(), &exp), Err(CredentialFailure::UntrustedIssuer));
    let nobody = CredentialExpectations { trusted_issuers: Some(Vec::new()), ..all_asked() };
    assert_eq!(check(&public(), &nobody), Err(CredentialFailure::UntrustedIssuer));
    // Swapped coordinates are another key.
    let (x, y) = key_pair(&issuer_key());
    let swapped = CredentialExpectations { trusted_issuers: Some(vec![(y, x)]), ..all_asked() };
    assert_eq!(check(&public(), &swapped), Err(CredentialFailure::UntrustedIssuer));
    assert_eq!(CredentialFailure::UntrustedIssuer.expectation(), "trusted_issuers");
}

#[test]
fn min_age_below_the_asked_one_fails() {
    let exp = CredentialExpectations { min_age: Some(21), ..all_asked() };
    let err = check(&public(), &exp).unwrap_err();
    assert_eq!(err, CredentialFailure::MinAgeTooLow { proved: 18, asked: 21 });
    assert_eq!(err.expectation(), "min_age");
    // More than asked is fine.
    let exp = CredentialExpectations { min_age: Some(16), ..all_asked() };
    assert_eq!(check(&public(), &exp), Ok(()));
    // A proof that did not ask minAge at all shows 0.
    let unasked = QueryPublic { min_age: 0, ..public() };
    assert_eq!(
        check(&unasked, &CredentialExpectations { min_age: Some(1), ..all_asked() }),
        Err(CredentialFailure::MinAgeTooLow { proved: 0, asked: 1 })
    );
}

#[test]
fn not_expired_asked_needs_the_flag() {
    let p = QueryPublic { not_expired: false, ..public() };
    let err = check(&p, &all_asked()).unwrap_err();
    assert_eq!(err, CredentialFailure::ExpiryNotProved);
    assert_eq!(err.expectation(), "not_expired");
    let unasked = CredentialExpectations { not_expired: false, ..all_asked() };
    assert_eq!(check(&p, &unasked), Ok(()));
}

#[test]
fn nationality_in_needs_mode_in_and_a_list_within_the_asked_one() {
    let fail = Err(CredentialFailure::NationalityInNotProved);
    // The proof's list {DEU, FRA} is within {DEU, FRA, USA} (asked above) and equal lists pass.
    let exact = CredentialExpectations { nationality_in: Some(vec![FRA, DEU]), ..all_asked() };
    assert_eq!(check(&public(), &exact), Ok(()));
    // {DEU, FRA} is not within {DEU}: the holder may be French.
    let narrower = CredentialExpectations { nationality_in: Some(vec![DEU]), ..all_asked() };
    assert_eq!(check(&public(), &narrower), fail);
    // Mode "not in" or no mode with the same list proves nothing about "in".
    for mode in [0, NATIONALITY_NOT_IN] {
        assert_eq!(check(&QueryPublic { nationality_mode: mode, ..public() }, &all_asked()), fail);
    }
    // An "in" proof with only padding is refused too.
    let empty = QueryPublic { nationality_list: [0; 8], ..public() };
    assert_eq!(check(&empty, &all_asked()), fail);
    assert_eq!(CredentialFailure::NationalityInNotProved.expectation(), "nationality_in");
}

#[test]
fn nationality_not_in_needs_mode_not_in_and_every_asked_country() {
    let not_in = QueryPublic {
        nationality_mode: NATIONALITY_NOT_IN,
        nationality_list: [USA, GBR, FRA, 0, 0, 0, 0, 0],
        ..public()
    };
    let asked = |list: Vec<u64>| CredentialExpectations {
        nationality_in: None,
        nationality_not_in: Some(list),
        ..all_asked()
    };
    assert_eq!(check(&not_in, &asked(vec![USA, GBR])), Ok(()));
    assert_eq!(check(&not_in, &asked(vec![GBR, FRA, USA])), Ok(()));
    let fail = Err(CredentialFailure::NationalityNotInNotProved);
    // The proof does not exclude DEU.
    assert_eq!(check(&not_in, &asked(vec![USA, DEU])), fail);
    // An "in" proof never answers "not in", even with the same list.
    assert_eq!(check(&QueryPublic { nationality_mode: NATIONALITY_IN, ..not_in }, &asked(vec![USA])), fail);
    assert_eq!(check(&QueryPublic { nationality_mode: 0, ..not_in }, &asked(vec![USA])), fail);
    assert_eq!(CredentialFailure::NationalityNotInNotProved.expectation(), "nationality_not_in");
}

#[test]
fn disclosure_asked_needs_the_flag() {
    let p = QueryPublic { disclose_nationality: false, disclosed_nationality: 0, ..public() };
    let err = check(&p, &all_asked()).unwrap_err();
    assert_eq!(err, CredentialFailure::NationalityNotDisclosed);
    assert_eq!(err.expectation(), "disclose");
    let unasked = CredentialExpectations { disclose_nationality: false, ..all_asked() };
    assert_eq!(check(&p, &unasked), Ok(()));
}

#[test]
fn scope_and_nonce_must_be_the_asked_ones() {
    let exp = CredentialExpectations { scope: Some(Fr::from(70u64)), ..all_asked() };
    assert_eq!(check(&public(), &exp), Err(CredentialFailure::ScopeMismatch));
    let exp = CredentialExpectations { nonce: Some(Fr::from(80u64)), ..all_asked() };
    assert_eq!(check(&public(), &exp), Err(CredentialFailure::NonceMismatch));
    assert_eq!(CredentialFailure::ScopeMismatch.expectation(), "scope");
    assert_eq!(CredentialFailure::NonceMismatch.expectation(), "nonce");
    let unasked = CredentialExpectations { scope: None, nonce: None, ..all_asked() };
    let elsewhere = QueryPublic { scope: Fr::from(1u64), nonce: Fr::from(2u64), ..public() };
    assert_eq!(check(&elsewhere, &unasked), Ok(()));
}

#[test]
fn reference_date_tolerance_boundaries() {
    let at = |reference_date: u64, today: u64, tolerance_days: u64| {
        let p = QueryPublic { reference_date, ..public() };
        let exp = CredentialExpectations { reference_date_tolerance_days: tolerance_days, ..all_asked() };
        check_credential_query(&p, &exp, today, NOW)
    };
    let out = |reference_date, today, tolerance_days| {
        Err(CredentialFailure::ReferenceDateOutOfRange { reference_date, today, tolerance_days })
    };
    // ±1 day across month, year and leap-day boundaries.
    assert_eq!(at(20240531, 20240601, 1), Ok(()));
    assert_eq!(at(20240602, 20240601, 1), Ok(()));
    assert_eq!(at(20240530, 20240601, 1), out(20240530, 20240601, 1));
    assert_eq!(at(20240603, 20240601, 1), out(20240603, 20240601, 1));
    assert_eq!(at(20231231, 20240101, 1), Ok(()));
    assert_eq!(at(20231230, 20240101, 1), out(20231230, 20240101, 1));
    assert_eq!(at(20240229, 20240301, 1), Ok(()));
    assert_eq!(at(20240228, 20240301, 1), out(20240228, 20240301, 1));
    assert_eq!(at(20230228, 20230301, 1), Ok(()));
    assert_eq!(at(20230227, 20230301, 1), out(20230227, 20230301, 1));
    // Tolerance 0: today only; 7: a week either way.
    assert_eq!(at(TODAY, TODAY, 0), Ok(()));
    assert_eq!(at(20240602, TODAY, 0), out(20240602, TODAY, 0));
    assert_eq!(at(20240525, TODAY, 7), Ok(()));
    assert_eq!(at(20240524, TODAY, 7), out(20240524, TODAY, 7));
    assert_eq!(at(20240608, TODAY, 7), Ok(()));
    assert_eq!(at(20240609, TODAY, 7), out(20240609, TODAY, 7));
    // The integer difference would mislead: 20240601 − 20240531 = 70 but it is one day.
    assert_eq!(at(20240601, 20240531, 1), Ok(()));
    // A reference date that is no real day never passes.
    assert_eq!(at(20240532, 20240601, 7), out(20240532, 20240601, 7));
    assert_eq!(at(20230229, 20230301, 7), out(20230229, 20230301, 7));
    assert_eq!(at(0, 20240601, 7), out(0, 20240601, 7));
    assert_eq!(out(0, 0, 0).unwrap_err().expectation(), "reference_date");
}

#[test]
fn a_credential_proof_needs_a_revocation_state() {
    let exp = CredentialExpectations { revocation: None, ..all_asked() };
    let err = check(&public(), &exp).unwrap_err();
    assert_eq!(err, CredentialFailure::RevocationStateMissing);
    assert_eq!(err.expectation(), "revocation_state");
}

#[test]
fn the_state_must_be_signed_by_the_proofs_issuer() {
    // Signed by another key: even one the verifier trusts.
    let foreign =
        CredentialExpectations { revocation: Some(state_by(&other_key(), root(), NOW - 60)), ..all_asked() };
    assert_eq!(check(&public(), &foreign), Err(CredentialFailure::RevocationStateInvalid));
    // The issuer's signature over another state, carried with this root.
    let mut tampered = current_state();
    tampered.state.issued_at += 1;
    let exp = CredentialExpectations { revocation: Some(tampered), ..all_asked() };
    assert_eq!(check(&public(), &exp), Err(CredentialFailure::RevocationStateInvalid));
    // A proof whose issuer is not a curve point cannot have a state signed by it.
    let off_curve = QueryPublic { issuer: (Fr::from(1u64), Fr::from(2u64)), ..public() };
    let any = CredentialExpectations { trusted_issuers: None, ..all_asked() };
    assert_eq!(check(&off_curve, &any), Err(CredentialFailure::RevocationStateInvalid));
    assert_eq!(CredentialFailure::RevocationStateInvalid.expectation(), "revocation_state");
}

#[test]
fn an_old_proof_against_a_newer_state_fails_as_mismatch() {
    // The issuer revoked something: its current state has another root than the proof's.
    let current = state_by(&issuer_key(), Fr::from(4_243u64), NOW - 10);
    let exp = CredentialExpectations { revocation: Some(current), ..all_asked() };
    let err = check(&public(), &exp).unwrap_err();
    assert_eq!(err, CredentialFailure::RevocationStateMismatch);
    assert_eq!(err.expectation(), "revocation_state");
}

#[test]
fn the_state_must_be_fresh() {
    let aged = |issued_at: u64, max_age: u64| CredentialExpectations {
        revocation: Some(state_by(&issuer_key(), root(), issued_at)),
        max_revocation_age_seconds: max_age,
        ..all_asked()
    };
    assert_eq!(check(&public(), &aged(NOW - 3600, 3600)), Ok(()));
    assert_eq!(
        check(&public(), &aged(NOW - 3601, 3600)),
        Err(CredentialFailure::RevocationStateStale(StaleState::TooOld { age: 3601, max_age: 3600 }))
    );
    assert_eq!(check(&public(), &aged(NOW - 61, 60)).unwrap_err().expectation(), "revocation_state");
    assert_eq!(check(&public(), &aged(NOW + 300, 60)), Ok(()));
    assert_eq!(
        check(&public(), &aged(NOW + 301, 60)),
        Err(CredentialFailure::RevocationStateStale(StaleState::InTheFuture))
    );
}

#[test]
fn failures_read_well() {
    let text = CredentialFailure::MinAgeTooLow { proved: 18, asked: 21 }.to_string();
    assert_eq!(text, "the proof shows min age 18, 21 was asked");
    let stale = CredentialFailure::RevocationStateStale(StaleState::TooOld { age: 4000, max_age: 3600 });
    assert!(stale.to_string().contains("4000 s old"), "{stale}");
}
