//! Field elements: `field(sha256)`, strict decimal parsing and printing.

use ark_ff::{BigInteger, PrimeField};
use num_bigint::BigUint;
use sha2::{Digest, Sha256};

use crate::{error::ParseError, Fr};

/// The longest decimal string a BN254 field element can have (77 digits) plus slack.
const MAX_DECIMAL_DIGITS: usize = 80;

/// `field(d)`: a 32-byte SHA-256 digest read as a big-endian integer, reduced mod r.
pub fn field_from_sha256(digest: &[u8; 32]) -> Fr {
    Fr::from_be_bytes_mod_order(digest)
}

/// `field(sha256(bytes))`: hashes `bytes` and maps the digest into the field.
pub fn sha256_field(bytes: &[u8]) -> Fr {
    let digest: [u8; 32] = Sha256::digest(bytes).into();
    field_from_sha256(&digest)
}

/// Prints a field element (scalar or base field) as a canonical decimal string.
pub fn fr_to_decimal<F: PrimeField>(x: &F) -> String {
    BigUint::from_bytes_be(&x.into_bigint().to_bytes_be()).to_string()
}

/// Parses a canonical decimal string (digits only, no sign, no leading zeros) into a big
/// integer. `at` names the place in the document for the error.
pub(crate) fn parse_decimal(s: &str, at: &str) -> Result<BigUint, ParseError> {
    let canonical = !s.is_empty()
        && s.len() <= MAX_DECIMAL_DIGITS
        && s.bytes().all(|b| b.is_ascii_digit())
        && !(s.len() > 1 && s.starts_with('0'));
    if !canonical {
        return Err(ParseError::NotDecimal(at.to_string()));
    }
    BigUint::parse_bytes(s.as_bytes(), 10).ok_or_else(|| ParseError::NotDecimal(at.to_string()))
}

/// Parses a canonical decimal string into a prime field element, refusing values ≥ modulus.
pub(crate) fn parse_prime_field<F: PrimeField>(s: &str, at: &str) -> Result<F, ParseError> {
    let n = parse_decimal(s, at)?;
    let modulus = BigUint::from_bytes_be(&F::MODULUS.to_bytes_be());
    if n >= modulus {
        return Err(ParseError::OutOfField(at.to_string()));
    }
    Ok(F::from_be_bytes_mod_order(&n.to_bytes_be()))
}

/// Parses a canonical decimal string into a scalar (`Fr`), refusing values ≥ r.
pub fn fr_from_decimal(s: &str) -> Result<Fr, ParseError> {
    parse_prime_field::<Fr>(s, "value")
}

/// The integer value of `x` when it is below 2^64.
pub fn fr_to_u64(x: &Fr) -> Option<u64> {
    let big = x.into_bigint();
    if big.0[1..].iter().all(|limb| *limb == 0) {
        Some(big.0[0])
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_roundtrip_and_bounds() {
        let r_minus_1 = "21888242871839275222246405745257275088548364400416034343698204186575808495616";
        let r = "21888242871839275222246405745257275088548364400416034343698204186575808495617";
        let x = fr_from_decimal(r_minus_1).unwrap();
        assert_eq!(fr_to_decimal(&x), r_minus_1);
        assert_eq!(fr_from_decimal(r), Err(ParseError::OutOfField("value".into())));
        for bad in ["", "-1", "+1", "01", "1 ", " 1", "0x10", "1e3", "١"] {
            assert!(fr_from_decimal(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(fr_from_decimal("0").unwrap(), Fr::from(0u64));
    }

    #[test]
    fn sha256_is_big_endian_mod_r() {
        // sha256("") = e3b0c442...; as a big-endian integer mod r.
        let digest: [u8; 32] = Sha256::digest(b"").into();
        let n = BigUint::from_bytes_be(&digest);
        let r = BigUint::from_bytes_be(&Fr::MODULUS.to_bytes_be());
        assert_eq!(fr_to_decimal(&sha256_field(b"")), (n % r).to_string());
        assert_eq!(fr_to_u64(&Fr::from(u64::MAX)), Some(u64::MAX));
        assert_eq!(fr_to_u64(&(Fr::from(u64::MAX) + Fr::from(1u64))), None);
    }
}
