//! The Groth16 prover's last step: from a satisfying assignment and the circuit's matrices to
//! the proof `(A, B, C)`, as arkworks' `create_proof_with_reduction_and_matrices` computes it,
//! with this crate's [`crate::msm`] for the five multi-scalar multiplications.
//!
//! With `aᵢ` the assignment (`a₀ = 1`), `h` the QAP quotient's coefficients and random `r, s`:
//! - `A = α + Σ aᵢ·Aᵢ + r·δ` (G1),
//! - `B = β + Σ aᵢ·Bᵢ + s·δ` (G2, and in G1 for `C`),
//! - `C = Σ_{witness} aᵢ·Lᵢ + Σ hⱼ·Hⱼ + s·A + r·B₁ − r·s·δ` (G1).

use ark_bn254::{g1, G1Projective, G2Projective};
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::CurveGroup;
use ark_ff::PrimeField;
use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
use ark_poly::GeneralEvaluationDomain;
use ark_relations::gr1cs::{Matrix, SynthesisError};

use crate::{
    groth::{Proof, ProvingKey},
    msm::{msm, ScalarBits},
    Fr,
};

/// The proof for `full_assignment` (`1`, the public inputs, then the witness) of a circuit with
/// `num_instance` instance variables (the `1` included) and these matrices.
pub(crate) fn groth16_proof(
    pk: &ProvingKey,
    r: Fr,
    s: Fr,
    matrices: &[Matrix<Fr>],
    num_instance: usize,
    num_constraints: usize,
    full_assignment: &[Fr],
) -> Result<Proof, SynthesisError> {
    let h = LibsnarkReduction::witness_map_from_matrices::<Fr, GeneralEvaluationDomain<Fr>>(
        matrices,
        num_instance,
        num_constraints,
        full_assignment,
    )?;
    let h: Vec<ScalarBits<g1::Config>> = h.iter().map(|x| x.into_bigint()).collect();
    // Without the leading `1`: the queries' first point is added as it is.
    let assignment: Vec<ScalarBits<g1::Config>> =
        full_assignment[1..].iter().map(|x| x.into_bigint()).collect();
    let witness = &assignment[num_instance - 1..];

    let delta_g1 = G1Projective::from(pk.delta_g1);
    let a = pk.vk.alpha_g1 + linear_combination(&pk.a_query, &assignment) + delta_g1 * r;
    let b_g1 = pk.beta_g1 + linear_combination(&pk.b_g1_query, &assignment) + delta_g1 * s;
    let b_g2: G2Projective =
        pk.vk.beta_g2 + linear_combination(&pk.b_g2_query, &assignment) + pk.vk.delta_g2 * s;
    let c = msm(&pk.h_query, &h) + msm(&pk.l_query, witness) + a * s + b_g1 * r - delta_g1 * (r * s);
    Ok(Proof { a: a.into_affine(), b: b_g2.into_affine(), c: c.into_affine() })
}

/// `query[0] + Σ assignment[i]·query[i + 1]`: a query's first point belongs to the constant `1`.
fn linear_combination<P: SWCurveConfig>(query: &[Affine<P>], assignment: &[ScalarBits<P>]) -> Projective<P> {
    match query.split_first() {
        Some((one, rest)) => msm(rest, assignment) + one,
        None => Projective::<P>::default(),
    }
}

#[cfg(test)]
mod tests {
    use ark_groth16::Groth16;
    use rand::{rngs::StdRng, SeedableRng};

    use super::*;
    use crate::{prover::AgeV2Claim, shape::Shape, Bn254};

    /// The same `r` and `s` give arkworks' proof, point for point.
    #[test]
    fn agrees_with_arkworks_point_for_point() {
        let mut rng = StdRng::seed_from_u64(21);
        let claim = AgeV2Claim::example();
        let circuit = claim.circuit();
        let (pk, _) = crate::groth::setup_with_rng(circuit.clone(), &mut rng).unwrap();
        let shape = Shape::cached(&circuit).unwrap();
        let full = crate::prover::assignment(circuit).unwrap();
        let (r, s) = (Fr::from(7u64), Fr::from(11u64));
        let ours =
            groth16_proof(&pk, r, s, &shape.matrices, shape.num_instance, shape.num_constraints, &full)
                .unwrap();
        let theirs = Groth16::<Bn254, LibsnarkReduction>::create_proof_with_reduction_and_matrices(
            &pk,
            r,
            s,
            &shape.matrices,
            shape.num_instance,
            shape.num_constraints,
            &full,
        )
        .unwrap();
        assert_eq!(ours, theirs);
    }
}
