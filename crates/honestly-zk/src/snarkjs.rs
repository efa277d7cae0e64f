//! snarkjs JSON formats (`proof.json`, `public.json`, `verification_key.json`), parsed
//! strictly and printed exactly as snarkjs prints them.
//!
//! Parsing refuses wrong shapes, non-canonical or out-of-field numbers, points off the curve
//! or outside the prime-order subgroup, and inconsistent keys — always with a
//! [`ParseError`], never a panic. Unknown extra fields are ignored (snarkjs itself ignores
//! them); `protocol` must be `groth16` and `curve` `bn128` when present in a proof, and are
//! required in a key.

use ark_bn254::{Fq, Fq12, Fq2, Fq6, G1Affine, G2Affine};
use ark_ec::{pairing::Pairing, AffineRepr};
use ark_ff::{PrimeField, Zero};
use serde_json::{json, Map, Value};

use crate::{
    error::ParseError,
    field::{fr_to_decimal, parse_prime_field},
    groth::{PreparedKey, Proof, VerifyingKey},
    Bn254, Fr,
};

/// Largest document accepted (a verification key with a few thousand public inputs); callers
/// that read files should read at most this plus one byte.
pub const MAX_JSON_BYTES: usize = 4 << 20;

fn shape(path: &str, expected: &'static str) -> ParseError {
    ParseError::Shape { path: path.to_string(), expected }
}

fn as_array<'a>(v: &'a Value, len: Option<usize>, path: &str) -> Result<&'a [Value], ParseError> {
    let a = v.as_array().ok_or_else(|| shape(path, "an array"))?;
    match len {
        Some(n) if a.len() != n => Err(shape(path, "an array of the right length")),
        _ => Ok(a),
    }
}

fn num<F: PrimeField>(v: &Value, path: &str) -> Result<F, ParseError> {
    let s = v.as_str().ok_or_else(|| shape(path, "a decimal string"))?;
    parse_prime_field::<F>(s, path)
}

fn fq2(v: &Value, path: &str) -> Result<Fq2, ParseError> {
    let a = as_array(v, Some(2), path)?;
    Ok(Fq2::new(num(&a[0], &format!("{path}[0]"))?, num(&a[1], &format!("{path}[1]"))?))
}

fn g1(v: &Value, path: &str) -> Result<G1Affine, ParseError> {
    let a = as_array(v, Some(3), path)?;
    let x: Fq = num(&a[0], &format!("{path}[0]"))?;
    let y: Fq = num(&a[1], &format!("{path}[1]"))?;
    let z: Fq = num(&a[2], &format!("{path}[2]"))?;
    if z.is_zero() {
        // snarkjs prints the point at infinity as ["0", "1", "0"].
        return if x.is_zero() && y == Fq::from(1u64) {
            Ok(G1Affine::zero())
        } else {
            Err(ParseError::NotOnCurve(path.to_string()))
        };
    }
    if z != Fq::from(1u64) {
        return Err(shape(path, "an affine point [x, y, \"1\"]"));
    }
    // arkworks stores the point at infinity as (0, 0): refuse that second encoding of it
    // ((0, 0) is not on the curve y² = x³ + 3).
    if x.is_zero() && y.is_zero() {
        return Err(ParseError::NotOnCurve(path.to_string()));
    }
    let p = G1Affine::new_unchecked(x, y);
    if !p.is_on_curve() {
        return Err(ParseError::NotOnCurve(path.to_string()));
    }
    if !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(ParseError::NotInSubgroup(path.to_string()));
    }
    Ok(p)
}

fn g2(v: &Value, path: &str) -> Result<G2Affine, ParseError> {
    let a = as_array(v, Some(3), path)?;
    let x = fq2(&a[0], &format!("{path}[0]"))?;
    let y = fq2(&a[1], &format!("{path}[1]"))?;
    let z = fq2(&a[2], &format!("{path}[2]"))?;
    if z.is_zero() {
        return if x.is_zero() && y == Fq2::from(1u64) {
            Ok(G2Affine::zero())
        } else {
            Err(ParseError::NotOnCurve(path.to_string()))
        };
    }
    if z != Fq2::from(1u64) {
        return Err(shape(path, "an affine point [x, y, [\"1\", \"0\"]]"));
    }
    // As for G1: (0, 0) is arkworks' point at infinity, never an affine point of the twist.
    if x.is_zero() && y.is_zero() {
        return Err(ParseError::NotOnCurve(path.to_string()));
    }
    let p = G2Affine::new_unchecked(x, y);
    if !p.is_on_curve() {
        return Err(ParseError::NotOnCurve(path.to_string()));
    }
    if !crate::subgroup::g2_in_subgroup(&p) {
        return Err(ParseError::NotInSubgroup(path.to_string()));
    }
    Ok(p)
}

fn parse_json(bytes: &[u8]) -> Result<Value, ParseError> {
    if bytes.len() > MAX_JSON_BYTES {
        return Err(ParseError::Json("document too large".into()));
    }
    serde_json::from_slice(bytes).map_err(|e| ParseError::Json(e.to_string()))
}

fn object(v: &Value) -> Result<&Map<String, Value>, ParseError> {
    v.as_object().ok_or_else(|| shape("$", "an object"))
}

fn field<'a>(o: &'a Map<String, Value>, name: &'static str) -> Result<&'a Value, ParseError> {
    o.get(name).ok_or(ParseError::Missing(name))
}

fn check_tag(
    o: &Map<String, Value>,
    name: &'static str,
    allowed: &[&str],
    required: bool,
) -> Result<(), ParseError> {
    match o.get(name) {
        None if !required => Ok(()),
        None => Err(ParseError::Missing(name)),
        Some(Value::String(s)) if allowed.contains(&s.as_str()) => Ok(()),
        Some(other) => Err(ParseError::Unsupported { field: name, value: other.to_string() }),
    }
}

/// Parses a snarkjs Groth16 `proof.json`.
pub fn parse_proof(bytes: &[u8]) -> Result<Proof, ParseError> {
    proof_from_value(&parse_json(bytes)?)
}

/// Parses a snarkjs Groth16 proof already decoded as JSON.
pub fn proof_from_value(v: &Value) -> Result<Proof, ParseError> {
    let o = object(v)?;
    check_tag(o, "protocol", &["groth16"], false)?;
    check_tag(o, "curve", &["bn128", "bn254"], false)?;
    Ok(Proof {
        a: g1(field(o, "pi_a")?, "pi_a")?,
        b: g2(field(o, "pi_b")?, "pi_b")?,
        c: g1(field(o, "pi_c")?, "pi_c")?,
    })
}

/// Parses a snarkjs `public.json` (an array of decimal strings, each < r).
pub fn parse_public_signals(bytes: &[u8]) -> Result<Vec<Fr>, ParseError> {
    public_signals_from_value(&parse_json(bytes)?)
}

/// Parses public signals already decoded as JSON.
pub fn public_signals_from_value(v: &Value) -> Result<Vec<Fr>, ParseError> {
    as_array(v, None, "$")?.iter().enumerate().map(|(i, s)| num::<Fr>(s, &format!("[{i}]"))).collect()
}

impl PreparedKey {
    /// Parses snarkjs `proof.json` and `public.json` bytes strictly ([`parse_proof`],
    /// [`parse_public_signals`]) and verifies them ([`PreparedKey::verify`]):
    /// `Ok(true)` valid, `Ok(false)` invalid, `Err` malformed.
    ///
    /// Defined here, with the format it reads, so that [`crate::groth`] does not depend on
    /// this module.
    pub fn verify_json(&self, proof_json: &[u8], public_json: &[u8]) -> Result<bool, ParseError> {
        let proof = parse_proof(proof_json)?;
        let public = parse_public_signals(public_json)?;
        self.verify(&proof, &public)
    }
}

/// Parses a snarkjs Groth16 BN254 `verification_key.json` (ours or any other circuit's).
///
/// `nPublic` must match `IC`; `vk_alphabeta_12`, when present, must equal `e(α, β)`.
pub fn parse_verification_key(bytes: &[u8]) -> Result<VerifyingKey, ParseError> {
    verification_key_from_value(&parse_json(bytes)?)
}

/// Parses a verification key already decoded as JSON.
pub fn verification_key_from_value(v: &Value) -> Result<VerifyingKey, ParseError> {
    let o = object(v)?;
    check_tag(o, "protocol", &["groth16"], true)?;
    check_tag(o, "curve", &["bn128", "bn254"], true)?;
    let alpha = g1(field(o, "vk_alpha_1")?, "vk_alpha_1")?;
    let beta = g2(field(o, "vk_beta_2")?, "vk_beta_2")?;
    let gamma = g2(field(o, "vk_gamma_2")?, "vk_gamma_2")?;
    let delta = g2(field(o, "vk_delta_2")?, "vk_delta_2")?;
    let ic = as_array(field(o, "IC")?, None, "IC")?;
    if ic.is_empty() {
        return Err(ParseError::Inconsistent("IC is empty"));
    }
    let gamma_abc_g1 =
        ic.iter().enumerate().map(|(i, p)| g1(p, &format!("IC[{i}]"))).collect::<Result<Vec<_>, _>>()?;
    let n_public = field(o, "nPublic")?.as_u64().ok_or_else(|| shape("nPublic", "a non-negative integer"))?;
    if usize::try_from(n_public).ok() != Some(gamma_abc_g1.len() - 1) {
        return Err(ParseError::Inconsistent("nPublic does not match IC"));
    }
    if alpha.is_zero() || beta.is_zero() || gamma.is_zero() || delta.is_zero() {
        return Err(ParseError::Inconsistent("a key point is the point at infinity"));
    }
    if let Some(ab) = o.get("vk_alphabeta_12") {
        let given = fq12(ab, "vk_alphabeta_12")?;
        if given != Bn254::pairing(alpha, beta).0 {
            return Err(ParseError::Inconsistent("vk_alphabeta_12 is not e(alpha, beta)"));
        }
    }
    Ok(VerifyingKey { alpha_g1: alpha, beta_g2: beta, gamma_g2: gamma, delta_g2: delta, gamma_abc_g1 })
}

fn fq6(v: &Value, path: &str) -> Result<Fq6, ParseError> {
    let a = as_array(v, Some(3), path)?;
    Ok(Fq6::new(
        fq2(&a[0], &format!("{path}[0]"))?,
        fq2(&a[1], &format!("{path}[1]"))?,
        fq2(&a[2], &format!("{path}[2]"))?,
    ))
}

fn fq12(v: &Value, path: &str) -> Result<Fq12, ParseError> {
    let a = as_array(v, Some(2), path)?;
    Ok(Fq12::new(fq6(&a[0], &format!("{path}[0]"))?, fq6(&a[1], &format!("{path}[1]"))?))
}

fn d<F: PrimeField>(x: &F) -> Value {
    Value::String(fr_to_decimal(x))
}

fn fq2_json(x: &Fq2) -> Value {
    json!([d(&x.c0), d(&x.c1)])
}

fn g1_json(p: &G1Affine) -> Value {
    match p.xy() {
        Some((x, y)) => json!([d(&x), d(&y), "1"]),
        None => json!(["0", "1", "0"]),
    }
}

fn g2_json(p: &G2Affine) -> Value {
    match p.xy() {
        Some((x, y)) => json!([fq2_json(&x), fq2_json(&y), ["1", "0"]]),
        None => json!([["0", "0"], ["1", "0"], ["0", "0"]]),
    }
}

fn fq12_json(x: &Fq12) -> Value {
    let f6 = |c: &Fq6| json!([fq2_json(&c.c0), fq2_json(&c.c1), fq2_json(&c.c2)]);
    json!([f6(&x.c0), f6(&x.c1)])
}

/// The proof as snarkjs prints it.
pub fn proof_to_value(proof: &Proof) -> Value {
    json!({
        "pi_a": g1_json(&proof.a),
        "pi_b": g2_json(&proof.b),
        "pi_c": g1_json(&proof.c),
        "protocol": "groth16",
        "curve": "bn128",
    })
}

/// `proof.json` bytes (pretty-printed).
pub fn proof_to_json(proof: &Proof) -> String {
    pretty(&proof_to_value(proof))
}

/// The public signals as snarkjs prints them.
pub fn public_signals_to_value(signals: &[Fr]) -> Value {
    Value::Array(signals.iter().map(d).collect())
}

/// `public.json` bytes (pretty-printed).
pub fn public_signals_to_json(signals: &[Fr]) -> String {
    pretty(&public_signals_to_value(signals))
}

/// The verification key as snarkjs prints it (including `vk_alphabeta_12`).
pub fn verification_key_to_value(vk: &VerifyingKey) -> Value {
    json!({
        "protocol": "groth16",
        "curve": "bn128",
        "nPublic": vk.gamma_abc_g1.len().saturating_sub(1),
        "vk_alpha_1": g1_json(&vk.alpha_g1),
        "vk_beta_2": g2_json(&vk.beta_g2),
        "vk_gamma_2": g2_json(&vk.gamma_g2),
        "vk_delta_2": g2_json(&vk.delta_g2),
        "vk_alphabeta_12": fq12_json(&Bn254::pairing(vk.alpha_g1, vk.beta_g2).0),
        "IC": vk.gamma_abc_g1.iter().map(g1_json).collect::<Vec<_>>(),
    })
}

/// `verification_key.json` bytes (pretty-printed; its SHA-256 is the key's id).
pub fn verification_key_to_json(vk: &VerifyingKey) -> String {
    pretty(&verification_key_to_value(vk))
}

fn pretty(v: &Value) -> String {
    // Serializing a `Value` cannot fail.
    serde_json::to_string_pretty(v).unwrap_or_default()
}
