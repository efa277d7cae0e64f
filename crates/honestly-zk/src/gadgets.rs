//! Small R1CS gadgets shared by the circuits: range checks by bit decomposition.

use ark_ff::{BigInteger, PrimeField};
use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::SynthesisError;

use crate::Fr;

/// Enforces `0 ≤ x < 2^bits` by decomposing `x` into `bits` boolean witnesses whose weighted
/// sum must equal `x` (`bits` boolean constraints + 1 linear equality). `bits` must be far
/// below the field size (≤ 252) so the decomposition is unique.
pub fn enforce_range(x: &FpVar<Fr>, bits: usize) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
    assert!(bits <= 252, "range checks above 252 bits are not sound in BN254's Fr");
    let cs = x.cs();
    let value = x.value().ok();
    let le_bits = value.map(|v| v.into_bigint().to_bits_le());
    let mut out = Vec::with_capacity(bits);
    let mut sum = FpVar::Constant(Fr::from(0u64));
    let mut weight = Fr::from(1u64);
    for i in 0..bits {
        let bit = Boolean::new_witness(cs.clone(), || {
            le_bits.as_ref().map(|b| b[i]).ok_or(SynthesisError::AssignmentMissing)
        })?;
        sum += FpVar::from(bit.clone()) * weight;
        weight = weight + weight;
        out.push(bit);
    }
    sum.enforce_equal(x)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_relations::gr1cs::ConstraintSystem;

    fn check(v: Fr, bits: usize) -> bool {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let x = FpVar::new_witness(cs.clone(), || Ok(v)).unwrap();
        enforce_range(&x, bits).unwrap();
        cs.is_satisfied().unwrap()
    }

    #[test]
    fn range_edges() {
        assert!(check(Fr::from(u64::MAX), 64));
        assert!(!check(Fr::from(u64::MAX) + Fr::from(1u64), 64));
        assert!(check(Fr::from(255u64), 8));
        assert!(!check(Fr::from(256u64), 8));
        assert!(!check(-Fr::from(1u64), 64));
        assert!(check(Fr::from(0u64), 8));
    }
}
