//! The query's validation: field-named refusals and the circuit parameters it becomes.

use honestly_zk::circuits::predicates::{NATIONALITY_IN, NATIONALITY_NONE, NATIONALITY_NOT_IN};
use honestly_zk::Fr;

use super::support::{day, issuer_key, query};
use crate::zk::credential_proofs::{CredentialQuery, NationalityRule};

fn refused(json: &str) -> crate::error::FieldErrors {
    query(json).predicates().unwrap_err()
}

#[test]
fn a_full_query_becomes_the_circuit_parameters() {
    let q = query(
        r#"{"min_age": 18, "not_expired": true, "nationality_in": ["DEU", 40, "250"], "disclose": ["nationality"]}"#,
    );
    let p = q
        .to_params(issuer_key().public_key(), Fr::from(9u64), day(20_261_202), Fr::from(1u64), Fr::from(2u64))
        .unwrap();
    assert_eq!(p.min_age, 18);
    assert!(p.not_expired && p.disclose_nationality);
    assert_eq!(p.nationality_mode, NATIONALITY_IN);
    assert_eq!(p.nationality_list, [276, 40, 250, 0, 0, 0, 0, 0]);
    assert_eq!(p.reference_date, 20_261_202);
    assert_eq!((p.revocation_root, p.scope, p.nonce), (Fr::from(9u64), Fr::from(1u64), Fr::from(2u64)));

    let q = query(r#"{"nationality_not_in": ["AUT"]}"#);
    assert_eq!(
        q.predicates().unwrap().nationality,
        NationalityRule::NotIn(vec![crate::credentials::Country::parse("AUT").unwrap()])
    );
    let p = q
        .to_params(issuer_key().public_key(), Fr::from(0u64), day(20_261_202), Fr::from(1u64), Fr::from(2u64))
        .unwrap();
    assert_eq!((p.nationality_mode, p.nationality_list[0], p.min_age), (NATIONALITY_NOT_IN, 40, 0));

    // An empty query asks nothing but a valid credential.
    let p = CredentialQuery::default().predicates().unwrap();
    assert_eq!((p.min_age, p.not_expired, p.disclose_nationality), (0, false, false));
    let p = p.to_params(
        issuer_key().public_key(),
        Fr::from(0u64),
        day(20_261_202),
        Fr::from(1u64),
        Fr::from(2u64),
    );
    assert_eq!(p.nationality_mode, NATIONALITY_NONE);
}

#[test]
fn bad_queries_are_refused_by_field() {
    for (json, field, reason) in [
        (r#"{"min_age": 0}"#, "query.min_age", "must be between 1 and 150"),
        (r#"{"min_age": 151}"#, "query.min_age", "must be between 1 and 150"),
        (r#"{"nationality_in": []}"#, "query.nationality_in", "must list 1 to 8 countries"),
        (r#"{"nationality_in": [1,2,3,4,5,6,7,8,9]}"#, "query.nationality_in", "must list 1 to 8 countries"),
        (r#"{"nationality_in": ["DEU", 276]}"#, "query.nationality_in[1]", "lists a country twice"),
        (r#"{"nationality_not_in": [0]}"#, "query.nationality_not_in[0]", "0 (not stated) is not a country"),
        (
            r#"{"nationality_in": ["DEU"], "nationality_not_in": ["FRA"]}"#,
            "query.nationality_not_in",
            "cannot be combined with nationality_in",
        ),
        (r#"{"disclose": ["birthDate"]}"#, "query.disclose", "may only list \"nationality\""),
        (r#"{"disclose": ["nationality", "nationality"]}"#, "query.disclose", "lists \"nationality\" twice"),
    ] {
        assert_eq!(refused(json).get(field), Some(reason), "{json}");
    }
    assert!(refused(r#"{"nationality_in": ["XXX"]}"#).get("query.nationality_in[0]").is_some());
    assert!(refused(r#"{"nationality_in": [999]}"#).get("query.nationality_in[0]").is_some());
    // Unknown fields are refused when the query is read.
    assert!(serde_json::from_str::<CredentialQuery>(r#"{"max_age": 3}"#).is_err());
}
