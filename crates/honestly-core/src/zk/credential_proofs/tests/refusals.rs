//! Every refusal comes before proving, with its stable reason; a credential that can answer
//! passes them all (and stops at the keys of a service that has none loaded).

use honestly_zk::eddsa::PrivateKey;
use honestly_zk::Fr;

use super::support::*;
use crate::credentials::{CalendarDate, Country};
use crate::zk::credential_proofs::{prove_credential_query, CredentialProofError, CredentialQuery};

async fn reason(
    credential: &crate::credentials::Credential,
    q: &str,
    date: u32,
) -> (Option<&'static str>, Option<&'static str>) {
    let err = prove_on(&unloaded(), credential, &query(q), date).await.unwrap_err();
    (err.reason(), err.predicate())
}

#[tokio::test]
async fn an_honest_query_passes_every_check() {
    let err = prove_on(
        &unloaded(),
        &credential(|_| {}),
        &query(r#"{"min_age": 81, "not_expired": true, "nationality_in": ["DEU"]}"#),
        20_261_202,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, CredentialProofError::KeysLoading), "{err:?}");
}

#[tokio::test]
async fn another_holder_and_a_bad_signature_are_refused() {
    let c = credential(|_| {});
    let err = prove_credential_query(
        &unloaded(),
        &c,
        Fr::from(1u64),
        &tree(),
        &CredentialQuery::default(),
        Fr::from(7u64),
        Fr::from(8u64),
        day(20_261_202),
    )
    .await
    .unwrap_err();
    assert_eq!(err.reason(), Some("not_yours"));
    // Claims changed after signing; signed by another key than the credential names.
    let mut tampered = c.clone();
    tampered.claims.nationality = Country::parse("FRA").unwrap();
    assert_eq!(reason(&tampered, "{}", 20_261_202).await.0, Some("invalid_signature"));
    let mut other = sign(c.claims.clone(), &PrivateKey::from_bytes([6; 32]));
    other.issuer = c.issuer.clone();
    assert_eq!(reason(&other, "{}", 20_261_202).await.0, Some("invalid_signature"));
}

#[tokio::test]
async fn revoked_expired_and_not_yet_valid_credentials_are_refused() {
    let c = credential(|_| {});
    let mut revoked = tree();
    revoked.revoke(c.claims.credential_id.value()).unwrap();
    let err = prove_credential_query(
        &unloaded(),
        &c,
        secret(),
        &revoked,
        &CredentialQuery::default(),
        Fr::from(7u64),
        Fr::from(8u64),
        day(20_261_202),
    )
    .await
    .unwrap_err();
    assert_eq!(err.reason(), Some("revoked"));
    assert_eq!(reason(&c, "{}", 20_271_203).await.0, Some("credential_expired"));
    assert_eq!(reason(&c, "{}", 20_261_201).await.0, Some("not_yet_valid"));
    // validUntil itself is still valid.
    assert!(matches!(
        prove_on(&unloaded(), &c, &query("{}"), 20_271_202).await,
        Err(CredentialProofError::KeysLoading)
    ));
}

#[tokio::test]
async fn unmet_predicates_are_named() {
    let c = credential(|_| {});
    assert_eq!(reason(&c, r#"{"min_age": 82}"#, 20_261_202).await, (Some("unsatisfied"), Some("min_age")));
    assert_eq!(
        reason(&c, r#"{"nationality_in": ["FRA", "AUT"]}"#, 20_261_202).await,
        (Some("unsatisfied"), Some("nationality_in"))
    );
    assert_eq!(
        reason(&c, r#"{"nationality_not_in": ["DEU"]}"#, 20_261_202).await,
        (Some("unsatisfied"), Some("nationality_not_in"))
    );
    let expiring =
        credential(|claims| claims.document_expiry = Some(CalendarDate::from_yyyymmdd(20_270_101).unwrap()));
    assert_eq!(
        reason(&expiring, r#"{"not_expired": true}"#, 20_270_102).await,
        (Some("unsatisfied"), Some("not_expired"))
    );
    assert!(matches!(
        prove_on(&unloaded(), &expiring, &query(r#"{"not_expired": true}"#), 20_270_101).await,
        Err(CredentialProofError::KeysLoading)
    ));
    // An unstated nationality is in no list and not outside one either.
    let unstated = credential(|claims| claims.nationality = Country::NOT_STATED);
    assert_eq!(
        reason(&unstated, r#"{"nationality_not_in": ["FRA"]}"#, 20_261_202).await.1,
        Some("nationality_not_in")
    );
    // A bad query is invalid input, not a refusal.
    let err = prove_on(&unloaded(), &c, &query(r#"{"min_age": 200}"#), 20_261_202).await.unwrap_err();
    assert!(
        matches!(&err, CredentialProofError::Validation(f) if f.get("query.min_age").is_some()),
        "{err:?}"
    );
    assert_eq!(err.reason(), None);
}
