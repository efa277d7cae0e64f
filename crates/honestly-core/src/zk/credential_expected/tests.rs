use honestly_zk::eddsa::PrivateKey;
use honestly_zk::fr_to_decimal;
use honestly_zk::revocation::RevocationState;
use serde_json::{json, Value};

use super::*;
use crate::zk::credential_proofs::{nonce_field, scope_field};
use crate::zk::verify::{coverage_of, CHECKED_BY_DEFAULT, CREDENTIAL_QUERY_EXPECTATIONS, EXPECTATIONS};

const ISSUER_ID: &str = "iss_0123456789abcdef0123456789abcdef";

fn key() -> PrivateKey {
    PrivateKey::from_bytes([5; 32])
}

fn key_json() -> Value {
    serde_json::to_value(key().public_key()).unwrap()
}

fn state_json() -> Value {
    let signed =
        SignedState::sign(&key(), RevocationState { root: Fr::from(77u64), issued_at: 1_700_000_000 });
    json!({
        "root": fr_to_decimal(&signed.state.root),
        "issued_at": signed.state.issued_at,
        "signature": serde_json::to_value(signed.signature.to_json()).unwrap(),
    })
}

fn everything() -> Value {
    json!({
        "trusted_issuers": [ISSUER_ID, key_json()],
        "min_age": 18,
        "not_expired": true,
        "nationality_in": ["DEU", 250, "at"],
        "disclose": ["nationality"],
        "scope": "bar-entry",
        "nonce": "12345",
        "reference_date_tolerance_days": 0,
        "revocation_state": state_json(),
        "max_revocation_age_seconds": 600,
    })
}

fn expected(value: Value) -> Expected {
    serde_json::from_value(value).expect("expected parses")
}

/// `everything()` with `field` set to `value`, read: the refusals.
fn refused(field: &str, value: Value) -> FieldErrors {
    let mut json = everything();
    json[field] = value;
    read_credential_ask(&expected(json), "expected.").expect_err("refused")
}

#[test]
fn every_credential_expectation_reads() {
    let ask = read_credential_ask(&expected(everything()), "expected.").unwrap();
    assert_eq!(
        ask.trusted_issuers,
        Some(vec![IssuerRef::Id(ISSUER_ID.to_owned()), IssuerRef::Key(key().public_key())])
    );
    assert_eq!(ask.min_age, Some(18));
    assert!(ask.not_expired);
    let codes: Vec<u16> = ask.nationality_in.unwrap().iter().map(|c| c.numeric()).collect();
    assert_eq!(codes, [276, 250, 40]);
    assert_eq!(ask.nationality_not_in, None);
    assert!(ask.disclose_nationality);
    assert_eq!(ask.scope, scope_field("bar-entry").ok());
    assert_eq!(ask.nonce, Some(Fr::from(12_345u64)));
    assert_eq!(ask.nonce, nonce_field("12345").ok());
    assert_eq!(ask.reference_date_tolerance_days, 0);
    let state = ask.revocation.unwrap();
    assert_eq!((state.state.root, state.state.issued_at), (Fr::from(77u64), 1_700_000_000));
    assert!(state.verify(&key().public_key()));
    assert_eq!(ask.max_revocation_age_seconds, 600);
}

#[test]
fn defaults_when_nothing_is_asked() {
    let ask = read_credential_ask(&Expected::default(), "").unwrap();
    assert_eq!(ask.trusted_issuers, None);
    assert!(!ask.not_expired && !ask.disclose_nationality);
    assert_eq!(ask.reference_date_tolerance_days, 1);
    assert_eq!(ask.max_revocation_age_seconds, 3600);
    assert_eq!(ask.revocation, None);
    // An empty disclosure list asks nothing.
    let ask = read_credential_ask(&expected(json!({"disclose": []})), "").unwrap();
    assert!(!ask.disclose_nationality);
}

#[test]
fn expected_round_trips_and_refuses_unknown_members() {
    let parsed = expected(everything());
    assert_eq!(expected(serde_json::to_value(&parsed).unwrap()), parsed);
    for bad in [
        json!({"trusted_issuer": [ISSUER_ID]}),
        json!({"trusted_issuers": [{"x": "1", "y": "2", "z": "3"}]}),
        json!({"revocation_state": {"root": "1", "issued_at": 1, "signature": {"R8x": "1", "R8y": "1", "S": "1"}, "extra": 1}}),
        json!({"revocation_state": {"root": "1", "issued_at": 1, "signature": {"R8x": "1", "R8y": "1", "S": "1", "T": "1"}}}),
        json!({"trusted_issuers": [7]}),
        json!({"not_expired": "yes"}),
        json!({"reference_date_tolerance_days": -1}),
    ] {
        assert!(serde_json::from_value::<Expected>(bad.clone()).is_err(), "{bad}");
    }
}

#[test]
fn malformed_issuers_are_refused_by_name() {
    let errors = refused("trusted_issuers", json!([]));
    assert!(errors.get("expected.trusted_issuers").unwrap().contains("at least one"));
    let errors = refused("trusted_issuers", json!([ISSUER_ID, "acme", {"x": "1", "y": "2"}, "iss_0123"]));
    assert!(errors.get("expected.trusted_issuers[0]").is_none());
    assert!(errors.get("expected.trusted_issuers[1]").unwrap().contains("issuer id"));
    assert!(errors.get("expected.trusted_issuers[2]").unwrap().contains("public key"));
    assert!(errors.get("expected.trusted_issuers[3]").is_some());
    let many: Vec<Value> = (0..=MAX_TRUSTED_ISSUERS).map(|_| json!(ISSUER_ID)).collect();
    assert!(refused("trusted_issuers", json!(many))
        .get("expected.trusted_issuers")
        .unwrap()
        .contains("at most 32"));
    let upper = ISSUER_ID.to_uppercase().replace("ISS_", "iss_");
    assert!(refused("trusted_issuers", json!([upper])).get("expected.trusted_issuers[0]").is_some());
}

#[test]
fn malformed_nationality_lists_are_refused_by_name() {
    let errors = refused("nationality_in", json!(["DEU", "XXX", 999, 0, "deu"]));
    assert!(errors.get("expected.nationality_in[0]").is_none());
    assert!(errors.get("expected.nationality_in[1]").unwrap().contains("XXX"));
    assert!(errors.get("expected.nationality_in[2]").unwrap().contains("999"));
    assert!(errors.get("expected.nationality_in[3]").unwrap().contains("not stated"));
    assert_eq!(errors.get("expected.nationality_in[4]"), Some("listed twice"));
    assert!(refused("nationality_in", json!([])).get("expected.nationality_in").unwrap().contains("1 to 8"));
    let nine = json!(["DEU", "FRA", "ITA", "ESP", "PRT", "NLD", "BEL", "LUX", "AUT"]);
    assert!(refused("nationality_in", nine).get("expected.nationality_in").is_some());
    // Both lists at once can never be met by one proof.
    let errors = refused("nationality_not_in", json!(["USA"]));
    assert!(errors.get("expected.nationality_not_in").unwrap().contains("together"));
    let mut only_not_in = everything();
    only_not_in.as_object_mut().unwrap().remove("nationality_in");
    only_not_in["nationality_not_in"] = json!(["USA", 826]);
    let ask = read_credential_ask(&expected(only_not_in), "").unwrap();
    assert_eq!(ask.nationality_not_in.unwrap().iter().map(|c| c.numeric()).collect::<Vec<_>>(), [840, 826]);
}

#[test]
fn malformed_scalars_are_refused_by_name() {
    for (field, value, named) in [
        ("disclose", json!(["birth_date"]), "expected.disclose"),
        ("disclose", json!(["nationality", "nationality"]), "expected.disclose"),
        ("scope", json!(""), "expected.scope"),
        ("nonce", json!("n".repeat(257)), "expected.nonce"),
        ("reference_date_tolerance_days", json!(8), "expected.reference_date_tolerance_days"),
        ("max_revocation_age_seconds", json!(59), "expected.max_revocation_age_seconds"),
        ("max_revocation_age_seconds", json!(30 * 24 * 3600 + 1), "expected.max_revocation_age_seconds"),
    ] {
        let errors = refused(field, value.clone());
        assert!(errors.get(named).is_some(), "{field} = {value}: {errors:?}");
    }
    // The edges are accepted.
    for (field, value) in [
        ("reference_date_tolerance_days", json!(7)),
        ("max_revocation_age_seconds", json!(60)),
        ("max_revocation_age_seconds", json!(30 * 24 * 3600)),
        ("nonce", json!("n".repeat(256))),
    ] {
        let mut json = everything();
        json[field] = value;
        assert!(read_credential_ask(&expected(json), "").is_ok(), "{field}");
    }
}

#[test]
fn a_malformed_revocation_state_is_refused_by_name() {
    let mut state = state_json();
    state["root"] = json!("0x12");
    let errors = refused("revocation_state", state);
    assert!(errors.get("expected.revocation_state.root").is_some(), "{errors:?}");
    let mut state = state_json();
    state["signature"]["S"] =
        json!("2736030358979909402780800718157159386076813972158567259200215660948447373041");
    let errors = refused("revocation_state", state);
    assert!(errors.get("expected.revocation_state.signature").unwrap().contains("signature"), "{errors:?}");
    let mut state = state_json();
    state["signature"]["R8x"] = json!("1");
    assert!(refused("revocation_state", state).get("expected.revocation_state.signature").is_some());
}

#[test]
fn coverage_of_credential_proofs() {
    let coverage = coverage_of(
        "credential_query",
        CREDENTIAL_QUERY_EXPECTATIONS,
        &expected(json!({"min_age": 18, "scope": "s"})),
        "expected.",
    )
    .unwrap();
    assert_eq!(coverage.checked, ["min_age", "scope"]);
    // Always checked with a default: never reported unchecked.
    assert_eq!(
        coverage.unchecked,
        ["trusted_issuers", "not_expired", "nationality_in", "nationality_not_in", "disclose", "nonce"]
    );
    // Age-proof expectations are refused for credential proofs, and a malformed value is named.
    let errors = coverage_of(
        "credential_query",
        CREDENTIAL_QUERY_EXPECTATIONS,
        &expected(json!({"max_proof_age_seconds": 60, "document_sha256": "00", "nationality_in": ["XXX"]})),
        "expected.",
    )
    .unwrap_err();
    assert!(errors.get("expected.max_proof_age_seconds").unwrap().contains("cannot be checked"));
    assert!(errors.get("expected.document_sha256").is_some());
    assert!(errors.get("expected.nationality_in[0]").is_some());
    // Credential expectations are refused for an age proof, by name.
    let age = ["min_age", "document_sha256", "max_proof_age_seconds"];
    let errors = coverage_of(
        "age_proof",
        &age,
        &expected(json!({"scope": "s", "revocation_state": state_json()})),
        "",
    )
    .unwrap_err();
    assert!(errors.get("scope").unwrap().contains("age_proof proofs cannot be checked for scope"));
    assert!(errors.get("revocation_state").is_some());
    // Age proofs keep their coverage.
    let coverage = coverage_of("age_proof", &age, &expected(json!({"min_age": 18})), "").unwrap();
    assert_eq!(coverage.unchecked, ["document_sha256", "max_proof_age_seconds"]);
}

#[test]
fn the_credential_lists_name_members_of_expected() {
    for name in CREDENTIAL_QUERY_EXPECTATIONS {
        assert!(EXPECTATIONS.contains(name), "{name}");
    }
    for name in CHECKED_BY_DEFAULT {
        assert!(CREDENTIAL_QUERY_EXPECTATIONS.contains(name), "{name}");
    }
    // Every member of `expected` given at once is named by `given`, in order.
    let mut all = everything();
    all["document_sha256"] = json!("00");
    all["max_proof_age_seconds"] = json!(1);
    all["registry_root"] = json!("1");
    all["nationality_not_in"] = json!(["USA"]);
    assert_eq!(expected(all).given(), EXPECTATIONS);
}
