//! The `credential_query` circuit over a credential in this crate's format, signed by
//! circomlibjs (the committed fixture): the claim order the circuit reads is the order of
//! [`CLAIM_NAMES`], and an honest query over the fixture satisfies every constraint.

use honestly_zk::circuits::credential_query::{
    claim, CredentialQueryCircuit, QueryParams, QueryWitness, CLAIM_COUNT,
};
use honestly_zk::circuits::predicates::{NATIONALITY_IN, NATIONALITY_NOT_IN};
use honestly_zk::eddsa::{PublicKey, Signature};
use honestly_zk::revocation::RevocationTree;
use honestly_zk::{fr_from_decimal, Fr};
use serde_json::Value;

use super::claims::{CLAIM_NAMES, SCHEMA_IDENTITY_DOCUMENT};

const FIXTURE: &str = include_str!("../../tests/fixtures/credential_schema1.json");

#[test]
fn the_circuit_reads_the_claims_in_claim_names_order() {
    let at = [
        (claim::SCHEMA, "schema"),
        (claim::CREDENTIAL_ID, "credentialId"),
        (claim::HOLDER, "holder"),
        (claim::DOCUMENT_HASH, "documentHash"),
        (claim::BIRTH_DATE, "birthDate"),
        (claim::DOCUMENT_EXPIRY, "documentExpiry"),
        (claim::NATIONALITY, "nationality"),
        (claim::DOCUMENT_TYPE, "documentType"),
        (claim::ISSUED_AT, "issuedAt"),
        (claim::VALID_UNTIL, "validUntil"),
    ];
    assert_eq!(CLAIM_COUNT, CLAIM_NAMES.len());
    for (index, name) in at {
        assert_eq!(CLAIM_NAMES[index], name);
    }
    assert_eq!(honestly_zk::circuits::credential_query::SCHEMA, SCHEMA_IDENTITY_DOCUMENT);
}

/// The fixture's claims, key, signature and holder secret.
fn fixture() -> ([Fr; CLAIM_COUNT], PublicKey, Signature, Fr) {
    let v: Value = serde_json::from_str(FIXTURE).unwrap();
    let c = &v["credential"];
    let s = |x: &Value| x.as_str().unwrap().to_string();
    let claims = CLAIM_NAMES.map(|name| fr_from_decimal(&s(&c["claims"][name])).unwrap());
    let key = &c["issuer"]["public_key"];
    let key = PublicKey::from_decimal(&s(&key["x"]), &s(&key["y"])).unwrap();
    let sig = &c["signature"];
    let sig = Signature::from_decimal(&s(&sig["R8x"]), &s(&sig["R8y"]), &s(&sig["S"])).unwrap();
    (claims, key, sig, fr_from_decimal(&s(&v["holderSecret"])).unwrap())
}

#[test]
fn a_circomlibjs_signed_credential_satisfies_credential_query() {
    let (claims, issuer, signature, holder_secret) = fixture();
    let tree = RevocationTree::from_ids([7u128]).unwrap();
    let id = "1512366075204170947332355369683137040".parse::<u128>().unwrap();
    let witness = QueryWitness { claims, signature, holder_secret, revocation_path: tree.path(id) };
    // Born 1945-05-09, German, document valid until 2031-06-30, credential until 2027-12-02.
    let params = QueryParams {
        issuer,
        revocation_root: tree.root(),
        reference_date: 20_261_202,
        min_age: 81,
        not_expired: true,
        nationality_mode: NATIONALITY_IN,
        nationality_list: [40, 276, 0, 0, 0, 0, 0, 0],
        disclose_nationality: false,
        scope: Fr::from(1u64),
        nonce: Fr::from(2u64),
    };
    let unsatisfied = |p: &QueryParams| CredentialQueryCircuit::new(p, &witness).first_unsatisfied().unwrap();
    assert_eq!(unsatisfied(&params), None);
    // One year more than the holder's age, or Germany excluded, is refused.
    assert!(unsatisfied(&QueryParams { min_age: 82, ..params.clone() }).is_some());
    assert!(unsatisfied(&QueryParams { nationality_mode: NATIONALITY_NOT_IN, ..params.clone() }).is_some());
    // The day after validUntil is refused.
    assert!(unsatisfied(&QueryParams { reference_date: 20_271_203, ..params }).is_some());
}
