//! The `scope` and `nonce` mapping (docs/zk.md): canonical decimals are taken as they are,
//! other texts hashed with a domain tag; bad texts are refused by name.

use honestly_zk::{fr_from_decimal, poseidon_hash, sha256_field, Fr};

use crate::zk::credential_proofs::{
    holder_commitment, nonce_field, random_nonce, scope_field, MAX_BINDING_BYTES,
};

#[test]
fn canonical_decimals_are_taken_as_they_are() {
    assert_eq!(scope_field("0"), Ok(Fr::from(0u64)));
    assert_eq!(nonce_field("123456"), Ok(Fr::from(123_456u64)));
    let r_minus_1 = "21888242871839275222246405745257275088548364400416034343698204186575808495616";
    assert_eq!(scope_field(r_minus_1), Ok(fr_from_decimal(r_minus_1).unwrap()));
}

#[test]
fn other_texts_are_hashed_with_their_tag() {
    assert_eq!(scope_field("age-check"), Ok(sha256_field(b"honestly/scope/v1\0age-check")));
    assert_eq!(nonce_field("age-check"), Ok(sha256_field(b"honestly/nonce/v1\0age-check")));
    assert_ne!(scope_field("age-check"), nonce_field("age-check"));
    // Not canonical, or not below r: hashed, not read as a number.
    assert_eq!(scope_field("007"), Ok(sha256_field(b"honestly/scope/v1\x00007")));
    let r = "21888242871839275222246405745257275088548364400416034343698204186575808495617";
    assert_eq!(scope_field(r), Ok(sha256_field(format!("honestly/scope/v1\0{r}").as_bytes())));
    assert!(scope_field(&"é".repeat(MAX_BINDING_BYTES / 2)).is_ok());
}

#[test]
fn bad_texts_are_refused_by_name() {
    assert_eq!(scope_field("").unwrap_err().get("scope"), Some("must be 1 to 256 bytes"));
    assert_eq!(nonce_field(&"x".repeat(257)).unwrap_err().get("nonce"), Some("must be 1 to 256 bytes"));
    assert_eq!(scope_field("a\nb").unwrap_err().get("scope"), Some("must not contain control characters"));
}

#[test]
fn holder_commitment_and_random_nonces() {
    assert_eq!(holder_commitment(Fr::from(1u64)), poseidon_hash(&[Fr::from(1u64)]));
    assert_ne!(random_nonce(), random_nonce());
}
