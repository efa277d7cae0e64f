//! Strict snarkjs JSON parsing: roundtrips, every kind of malformed input, and a fuzz-style
//! property test (random bytes, mutated valid JSON: errors, never panics).

use ark_bn254::{Fq, Fq2, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{Field, PrimeField};
use honestly_zk::{snarkjs, Fr, ParseError};
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::common::*;

const Q: &str = "21888242871839275222246405745257275088696311157297823662689037894645226208583";
const R: &str = "21888242871839275222246405745257275088548364400416034343698204186575808495617";

fn proof_value() -> Value {
    snarkjs::proof_to_value(&age_proof().0)
}

fn parse_proof(v: &Value) -> Result<honestly_zk::Proof, ParseError> {
    snarkjs::parse_proof(v.to_string().as_bytes())
}

#[test]
fn roundtrips() {
    let (proof, public) = age_proof();
    let json = snarkjs::proof_to_json(proof);
    assert_eq!(&snarkjs::parse_proof(json.as_bytes()).unwrap(), proof);
    let signals = public.to_signals();
    let pj = snarkjs::public_signals_to_json(&signals);
    assert_eq!(snarkjs::parse_public_signals(pj.as_bytes()).unwrap(), signals);
    let key = &age_keys().prepared;
    assert_eq!(key.verify_json(json.as_bytes(), pj.as_bytes()), Ok(true));
    assert!(key.verify_json(b"{}", pj.as_bytes()).is_err());
    let vk = snarkjs::parse_verification_key(age_keys().json.as_bytes()).unwrap();
    assert_eq!(vk, age_keys().vk);
    let v = proof_value();
    assert_eq!(v["protocol"], "groth16");
    assert_eq!(v["curve"], "bn128");
    assert_eq!(v["pi_a"][2], "1");
    assert_eq!(v["pi_b"][2], json!(["1", "0"]));
}

#[test]
fn malformed_proofs_are_typed_errors() {
    let mut v = proof_value();
    v["pi_a"][0] = json!(Q);
    assert!(matches!(parse_proof(&v), Err(ParseError::OutOfField(_))));

    let mut v = proof_value();
    let y = v["pi_a"][1].as_str().unwrap().to_string();
    let ys = honestly_zk::field::fr_to_decimal(&(y.parse::<Fq>().unwrap() + Fq::from(1u64)));
    v["pi_a"][1] = json!(ys);
    assert!(matches!(parse_proof(&v), Err(ParseError::NotOnCurve(_))));

    let mut v = proof_value();
    v["pi_b"][0] = json!(["1", "2", "3"]);
    assert!(matches!(parse_proof(&v), Err(ParseError::Shape { .. })));

    let mut v = proof_value();
    v["pi_c"][0] = json!(12);
    assert!(matches!(parse_proof(&v), Err(ParseError::Shape { .. })));

    let mut v = proof_value();
    v["pi_c"][2] = json!("2");
    assert!(matches!(parse_proof(&v), Err(ParseError::Shape { .. })));

    let mut v = proof_value();
    v["pi_a"][0] = json!("0012");
    assert!(matches!(parse_proof(&v), Err(ParseError::NotDecimal(_))));

    let mut v = proof_value();
    v["protocol"] = json!("plonk");
    assert!(matches!(parse_proof(&v), Err(ParseError::Unsupported { .. })));

    let mut v = proof_value();
    v.as_object_mut().unwrap().remove("pi_b");
    assert_eq!(parse_proof(&v), Err(ParseError::Missing("pi_b")));

    let mut v = proof_value();
    v["pi_b"] = not_in_subgroup_g2();
    assert!(matches!(parse_proof(&v), Err(ParseError::NotInSubgroup(_))));

    assert!(matches!(snarkjs::parse_proof(b"[]"), Err(ParseError::Shape { .. })));
    assert!(matches!(snarkjs::parse_proof(b"{"), Err(ParseError::Json(_))));
}

/// The point at infinity has exactly one encoding, snarkjs' `["0", "1", "0"]` (and its G2 twin
/// `[["0", "0"], ["1", "0"], ["0", "0"]]`); `x = y = 0` with `z = 1` (arkworks' internal
/// representation of infinity) is refused in proofs and in keys.
#[test]
fn infinity_has_one_encoding_only() {
    let g1_zero_affine = json!(["0", "0", "1"]);
    let g2_zero_affine = json!([["0", "0"], ["0", "0"], ["1", "0"]]);
    for member in ["pi_a", "pi_c"] {
        let mut v = proof_value();
        v[member] = g1_zero_affine.clone();
        assert_eq!(parse_proof(&v), Err(ParseError::NotOnCurve(member.into())), "{member}");
        // The canonical encoding still parses (as the point at infinity).
        v[member] = json!(["0", "1", "0"]);
        let parsed = parse_proof(&v).unwrap();
        assert!(if member == "pi_a" { parsed.a } else { parsed.c }.is_zero(), "{member}");
    }
    let mut v = proof_value();
    v["pi_b"] = g2_zero_affine.clone();
    assert_eq!(parse_proof(&v), Err(ParseError::NotOnCurve("pi_b".into())));
    v["pi_b"] = json!([["0", "0"], ["1", "0"], ["0", "0"]]);
    assert!(parse_proof(&v).unwrap().b.is_zero());

    let vk: Value = serde_json::from_str(&age_keys().json).unwrap();
    for member in ["vk_beta_2", "vk_gamma_2", "vk_delta_2"] {
        let mut bad = vk.clone();
        bad[member] = g2_zero_affine.clone();
        assert_eq!(
            snarkjs::verification_key_from_value(&bad),
            Err(ParseError::NotOnCurve(member.into())),
            "{member}"
        );
    }
    let mut bad = vk.clone();
    bad["vk_alpha_1"] = g1_zero_affine.clone();
    assert_eq!(snarkjs::verification_key_from_value(&bad), Err(ParseError::NotOnCurve("vk_alpha_1".into())));
    let mut bad = vk.clone();
    bad["IC"][1] = g1_zero_affine;
    assert_eq!(snarkjs::verification_key_from_value(&bad), Err(ParseError::NotOnCurve("IC[1]".into())));
    // An input point at infinity in its one canonical encoding is still a key.
    let mut ok = vk;
    ok["IC"][1] = json!(["0", "1", "0"]);
    ok.as_object_mut().unwrap().remove("vk_alphabeta_12");
    assert!(snarkjs::verification_key_from_value(&ok).unwrap().gamma_abc_g1[1].is_zero());
}

/// A point on the twist curve that is outside the prime-order subgroup.
fn not_in_subgroup_g2() -> Value {
    let mut x = Fq2::new(Fq::from(1u64), Fq::from(1u64));
    loop {
        if let Some(p) = G2Affine::get_point_from_x_unchecked(x, false) {
            if p.is_on_curve() && !p.is_in_correct_subgroup_assuming_on_curve() {
                let (px, py) = p.xy().unwrap();
                let d = honestly_zk::field::fr_to_decimal::<Fq>;
                return json!([[d(&px.c0), d(&px.c1)], [d(&py.c0), d(&py.c1)], ["1", "0"]]);
            }
        }
        x += Fq2::ONE;
    }
}

#[test]
fn malformed_public_signals_and_keys_are_typed_errors() {
    assert!(matches!(
        snarkjs::parse_public_signals(json!([R]).to_string().as_bytes()),
        Err(ParseError::OutOfField(_))
    ));
    assert!(matches!(snarkjs::parse_public_signals(b"[1, 2]"), Err(ParseError::Shape { .. })));
    assert!(matches!(snarkjs::parse_public_signals(b"{}"), Err(ParseError::Shape { .. })));
    let (proof, public) = age_proof();
    let mut signals = public.to_signals();
    signals.push(Fr::from(1u64));
    assert_eq!(
        age_keys().prepared.verify(proof, &signals),
        Err(ParseError::PublicCount { expected: 5, got: 6 })
    );
    signals.truncate(4);
    assert!(age_keys().prepared.verify(proof, &signals).is_err());

    let vk: Value = serde_json::from_str(&age_keys().json).unwrap();
    let mut bad = vk.clone();
    bad["nPublic"] = json!(4);
    assert!(matches!(snarkjs::verification_key_from_value(&bad), Err(ParseError::Inconsistent(_))));
    let mut bad = vk.clone();
    bad["vk_alphabeta_12"][0][0][0] = json!("5");
    assert!(matches!(snarkjs::verification_key_from_value(&bad), Err(ParseError::Inconsistent(_))));
    let mut bad = vk.clone();
    bad["vk_delta_2"] = not_in_subgroup_g2();
    assert!(matches!(snarkjs::verification_key_from_value(&bad), Err(ParseError::NotInSubgroup(_))));
    let mut bad = vk.clone();
    bad["curve"] = json!("bls12381");
    assert!(matches!(snarkjs::verification_key_from_value(&bad), Err(ParseError::Unsupported { .. })));
    let mut bad = vk;
    bad["IC"] = json!([]);
    assert!(snarkjs::verification_key_from_value(&bad).is_err());
}

fn mutate(s: &str, pos: usize, byte: u8) -> Vec<u8> {
    let mut b = s.as_bytes().to_vec();
    if !b.is_empty() {
        let i = pos % b.len();
        b[i] = byte;
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = snarkjs::parse_proof(&bytes);
        let _ = snarkjs::parse_public_signals(&bytes);
        let _ = snarkjs::parse_verification_key(&bytes);
    }

    #[test]
    fn mutated_valid_json_never_panics(pos in any::<usize>(), byte in any::<u8>(), digit in 0u8..10) {
        let proof = snarkjs::proof_to_json(&age_proof().0);
        for b in [byte, b'0' + digit] {
            if let Ok(p) = snarkjs::parse_proof(&mutate(&proof, pos, b)) {
                // A mutation that still parses is a valid point; it must not verify as the
                // original unless it is the original.
                let ok = age_keys().prepared.verify(&p, &age_proof().1.to_signals());
                prop_assert_eq!(ok, Ok(p == age_proof().0));
            }
            let public = snarkjs::public_signals_to_json(&age_proof().1.to_signals());
            let _ = snarkjs::parse_public_signals(&mutate(&public, pos, b));
        }
    }

    #[test]
    fn mutated_keys_never_panic(pos in any::<usize>(), digit in 0u8..10) {
        let _ = snarkjs::parse_verification_key(&mutate(&age_keys().json, pos, b'0' + digit));
    }

    #[test]
    fn decimal_strings_roundtrip(bytes in prop::array::uniform32(any::<u8>())) {
        let x = honestly_zk::field_from_sha256(&bytes);
        let s = honestly_zk::fr_to_decimal(&x);
        prop_assert_eq!(honestly_zk::fr_from_decimal(&s), Ok(x));
        let _ = Fr::MODULUS;
    }
}
