use std::collections::HashMap;

use honestly_zk::circuits::predicates::NATIONALITY_IN;
use honestly_zk::eddsa::PrivateKey;
use honestly_zk::revocation::RevocationState;
use serde_json::{json, Value};

use super::*;
use honestly_zk::fr_to_decimal;

const NOW: u64 = 1_717_243_200; // 2024-06-01T12:00:00Z
const TODAY: u64 = 20240601;
const KNOWN_ID: &str = "iss_11111111111111111111111111111111";
const GONE_ID: &str = "iss_22222222222222222222222222222222";

fn issuer() -> PrivateKey {
    PrivateKey::from_bytes([31; 32])
}

fn xy(key: &PrivateKey) -> (Fr, Fr) {
    let point = key.public_key().point();
    (point.x(), point.y())
}

fn root() -> Fr {
    Fr::from(99u64)
}

fn public() -> QueryPublic {
    QueryPublic {
        issuer: xy(&issuer()),
        revocation_root: root(),
        reference_date: TODAY,
        min_age: 18,
        not_expired: true,
        nationality_mode: NATIONALITY_IN,
        nationality_list: [276, 250, 0, 0, 0, 0, 0, 0],
        disclose_nationality: true,
        scope: crate::zk::credential_proofs::scope_field("bar").unwrap(),
        nonce: Fr::from(5u64),
        disclosed_nationality: 276,
        nullifier: Fr::from(1234u64),
    }
}

fn signed(root: Fr, issued_at: u64) -> SignedState {
    SignedState::sign(&issuer(), RevocationState { root, issued_at })
}

/// Knows one issuer by id, with its current state.
struct Directory {
    keys: HashMap<String, (Fr, Fr)>,
    state: Option<SignedState>,
}

#[async_trait]
impl IssuerDirectory for Directory {
    async fn issuer_key(&self, id: &str) -> Option<(Fr, Fr)> {
        self.keys.get(id).copied()
    }

    async fn current_revocation_state(&self, key: (Fr, Fr)) -> Option<SignedState> {
        self.state.clone().filter(|_| self.keys.values().any(|k| *k == key))
    }
}

fn directory(state: Option<SignedState>) -> Directory {
    Directory { keys: HashMap::from([(KNOWN_ID.to_owned(), xy(&issuer()))]), state }
}

fn outcome(public: &QueryPublic) -> VerifyOutcome {
    VerifyOutcome { signals: public.to_signals().to_vec(), ..VerifyOutcome::fail(VerifyReason::InvalidProof) }
}

async fn run(
    public: &QueryPublic,
    expected: Value,
    issuers: &dyn IssuerDirectory,
) -> (Result<(), VerifyReason>, VerifyOutcome) {
    let expected: Expected = serde_json::from_value(expected).unwrap();
    let mut out = outcome(public);
    let result = finish_credential_query(&mut out, &expected, issuers, NOW).await;
    (result, out)
}

#[tokio::test]
async fn a_proof_from_a_known_issuer_passes_with_its_current_state() {
    let expected = json!({
        "trusted_issuers": [KNOWN_ID],
        "min_age": 18,
        "nationality_in": ["DEU", "FRA", "ITA"],
        "disclose": ["nationality"],
        "scope": "bar",
        "nonce": "5",
        "not_expired": true,
    });
    let (result, out) = run(&public(), expected, &directory(Some(signed(root(), NOW - 30)))).await;
    assert_eq!(result, Ok(()));
    assert_eq!(out.failed_expectation, None);
    let facts = out.credential.unwrap();
    assert_eq!(facts.disclosed_nationality.as_deref(), Some("DEU"));
    assert_eq!(facts.issuer, issuer().public_key().to_json());
    assert_eq!(facts.nullifier, "1234");
    assert_eq!(facts.reference_date, TODAY);
    assert_eq!(out.nullifier.as_deref(), Some("1234"));
}

#[tokio::test]
async fn a_state_given_by_the_verifier_is_used_and_keys_need_no_directory() {
    let key = serde_json::to_value(issuer().public_key()).unwrap();
    let state = signed(root(), NOW - 30);
    let state = json!({
        "root": fr_to_decimal(&state.state.root),
        "issued_at": state.state.issued_at,
        "signature": serde_json::to_value(state.signature.to_json()).unwrap(),
    });
    let (result, _) =
        run(&public(), json!({"trusted_issuers": [key], "revocation_state": state}), &NoIssuers).await;
    assert_eq!(result, Ok(()));
}

#[tokio::test]
async fn unknown_or_other_issuers_are_untrusted() {
    let current = directory(Some(signed(root(), NOW - 30)));
    let (result, out) = run(&public(), json!({"trusted_issuers": [GONE_ID]}), &current).await;
    assert_eq!(result, Err(VerifyReason::UntrustedIssuer));
    assert_eq!(out.failed_expectation, Some("trusted_issuers"));
    // The facts are there all the same: the verifier sees whose proof it was.
    assert!(out.credential.is_some());
    let other = serde_json::to_value(PrivateKey::from_bytes([32; 32]).public_key()).unwrap();
    let (result, _) = run(&public(), json!({"trusted_issuers": [other, GONE_ID]}), &current).await;
    assert_eq!(result, Err(VerifyReason::UntrustedIssuer));
    // A gone id next to the right one is fine.
    let (result, _) = run(&public(), json!({"trusted_issuers": [GONE_ID, KNOWN_ID]}), &current).await;
    assert_eq!(result, Ok(()));
}

#[tokio::test]
async fn revocation_state_failures_share_one_reason_and_say_which() {
    // No state anywhere.
    let (result, out) = run(&public(), json!({}), &directory(None)).await;
    assert_eq!(result, Err(VerifyReason::RevocationState));
    assert_eq!(out.failed_expectation, Some("revocation_state"));
    assert!(out.failure_detail.unwrap().contains("no revocation state"));
    // The issuer revoked something since: its current root is not the proof's.
    let (result, out) = run(&public(), json!({}), &directory(Some(signed(Fr::from(100u64), NOW - 5)))).await;
    assert_eq!(result, Err(VerifyReason::RevocationState));
    assert!(out.failure_detail.unwrap().contains("another revocation state"));
    // Too old for the verifier.
    let (result, out) =
        run(&public(), json!({"max_revocation_age_seconds": 60}), &directory(Some(signed(root(), NOW - 61))))
            .await;
    assert_eq!(result, Err(VerifyReason::RevocationState));
    assert!(out.failure_detail.unwrap().contains("61 s old"));
    // Signed by someone else.
    let forged = SignedState::sign(
        &PrivateKey::from_bytes([33; 32]),
        RevocationState { root: root(), issued_at: NOW },
    );
    let (result, out) = run(&public(), json!({}), &directory(Some(forged))).await;
    assert_eq!(result, Err(VerifyReason::RevocationState));
    assert!(out.failure_detail.unwrap().contains("not signed"));
}

#[tokio::test]
async fn predicate_scope_nonce_and_date_failures_name_the_expectation() {
    let current = directory(Some(signed(root(), NOW - 30)));
    for (expected, name) in [
        (json!({"min_age": 21}), "min_age"),
        (json!({"nationality_in": ["DEU"]}), "nationality_in"),
        (json!({"nationality_not_in": ["USA"]}), "nationality_not_in"),
        (json!({"scope": "other-bar"}), "scope"),
        (json!({"nonce": "6"}), "nonce"),
    ] {
        let (result, out) = run(&public(), expected.clone(), &current).await;
        assert_eq!(result, Err(VerifyReason::ExpectationFailed), "{expected}");
        assert_eq!(out.failed_expectation, Some(name), "{expected}");
    }
    let hidden =
        QueryPublic { not_expired: false, disclose_nationality: false, disclosed_nationality: 0, ..public() };
    let (_, out) = run(&hidden, json!({"not_expired": true}), &current).await;
    assert_eq!(out.failed_expectation, Some("not_expired"));
    assert_eq!(out.credential.unwrap().disclosed_nationality, None);
    let (_, out) = run(&hidden, json!({"disclose": ["nationality"]}), &current).await;
    assert_eq!(out.failed_expectation, Some("disclose"));
    // Two days ago is outside the default tolerance, inside a tolerance of 2.
    let old = QueryPublic { reference_date: 20240530, ..public() };
    let (result, out) = run(&old, json!({}), &current).await;
    assert_eq!(result, Err(VerifyReason::ExpectationFailed));
    assert_eq!(out.failed_expectation, Some("reference_date"));
    let (result, _) = run(&old, json!({"reference_date_tolerance_days": 2}), &current).await;
    assert_eq!(result, Ok(()));
}

#[tokio::test]
async fn signals_that_are_not_credential_signals_are_malformed() {
    let mut out =
        VerifyOutcome { signals: vec![Fr::from(1u64); 5], ..VerifyOutcome::fail(VerifyReason::InvalidProof) };
    let result = finish_credential_query(&mut out, &Expected::default(), &NoIssuers, NOW).await;
    assert_eq!(result, Err(VerifyReason::Malformed));
    assert!(out.credential.is_none());
}

#[test]
fn today_is_the_utc_day_of_now() {
    assert_eq!(today_of(NOW), TODAY);
    assert_eq!(today_of(1_717_199_999), 20240531); // 23:59:59 the day before
    assert_eq!(today_of(1_717_200_000), 20240601);
    assert_eq!(today_of(u64::MAX), 0);
}

#[test]
fn unknown_disclosed_codes_show_as_numbers() {
    let p = QueryPublic { disclosed_nationality: 999, ..public() };
    assert_eq!(CredentialFacts::of(&p).disclosed_nationality.as_deref(), Some("999"));
    let p = QueryPublic { disclosed_nationality: 40, ..public() };
    assert_eq!(CredentialFacts::of(&p).disclosed_nationality.as_deref(), Some("AUT"));
}
