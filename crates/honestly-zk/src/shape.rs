//! The R1CS shape of a circuit type: its `A`, `B`, `C` matrices and variable counts, made once
//! per process and reused by every proof of that circuit.
//!
//! A circuit's matrices depend only on its type, never on the witness (Groth16 keys are made
//! for one shape). Building them per proof (symbolic linear combinations, inlining, matrix
//! extraction) cost more than the Groth16 step itself; with the shape cached, a proof only
//! computes its assignment, checks it row by row against the cached matrices and proves.

use std::{
    any::TypeId,
    collections::HashMap,
    sync::{Arc, OnceLock, RwLock},
};

use ark_relations::{
    gr1cs::{
        ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisError, SynthesisMode,
        R1CS_PREDICATE_LABEL,
    },
    utils::matrix::Matrix,
};
use rayon::prelude::*;

use crate::Fr;

/// One circuit type's constraint matrices and sizes.
#[derive(Debug)]
pub struct Shape {
    /// `[A, B, C]`, one row per constraint; columns index the full assignment
    /// (`1`, the public inputs, then the witness).
    pub matrices: Vec<Matrix<Fr>>,
    /// Instance variables, the constant `1` included.
    pub num_instance: usize,
    /// Witness variables.
    pub num_witness: usize,
    /// Constraints (rows of each matrix).
    pub num_constraints: usize,
}

impl Shape {
    /// Synthesizes `circuit` without a witness (as key generation does) and extracts its
    /// matrices, with the same optimisation as key generation (every linear combination
    /// inlined).
    pub fn of<C: ConstraintSynthesizer<Fr>>(circuit: C) -> Result<Self, SynthesisError> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Setup);
        circuit.generate_constraints(cs.clone())?;
        cs.finalize();
        let mut all = cs.to_matrices()?;
        let matrices = all.remove(R1CS_PREDICATE_LABEL).ok_or(SynthesisError::PredicateNotFound)?;
        if matrices.len() != 3 {
            return Err(SynthesisError::PredicateNotFound);
        }
        Ok(Self {
            matrices,
            num_instance: cs.num_instance_variables(),
            num_witness: cs.num_witness_variables(),
            num_constraints: cs.num_constraints(),
        })
    }

    /// The cached shape of `C`'s type, made from `circuit` on first use.
    pub fn cached<C>(circuit: &C) -> Result<Arc<Self>, SynthesisError>
    where
        C: ConstraintSynthesizer<Fr> + Clone + 'static,
    {
        static SHAPES: OnceLock<RwLock<HashMap<TypeId, Arc<Shape>>>> = OnceLock::new();
        let shapes = SHAPES.get_or_init(Default::default);
        let id = TypeId::of::<C>();
        if let Some(shape) = shapes.read().unwrap_or_else(|e| e.into_inner()).get(&id) {
            return Ok(shape.clone());
        }
        let shape = Arc::new(Self::of(circuit.clone())?);
        shapes.write().unwrap_or_else(|e| e.into_inner()).insert(id, shape.clone());
        Ok(shape)
    }

    /// The first constraint `full_assignment` violates (`⟨A_i,z⟩·⟨B_i,z⟩ ≠ ⟨C_i,z⟩`), if any.
    /// `full_assignment` must hold `num_instance + num_witness` values.
    pub fn first_violated(&self, full_assignment: &[Fr]) -> Option<usize> {
        let row = |m: &Matrix<Fr>, i: usize| -> Fr {
            m[i].iter().map(|(coeff, col)| *coeff * full_assignment[*col]).sum()
        };
        let [a, b, c] = [&self.matrices[0], &self.matrices[1], &self.matrices[2]];
        (0..self.num_constraints).into_par_iter().find_first(|&i| row(a, i) * row(b, i) != row(c, i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prover::AgeV2Claim;

    fn claim() -> AgeV2Claim {
        AgeV2Claim::example()
    }

    /// The cached shape is the one a full synthesis of a real witness gives.
    #[test]
    fn the_shape_matches_a_full_synthesis() {
        let circuit = claim().circuit();
        let shape = Shape::cached(&circuit).unwrap();
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        circuit.generate_constraints(cs.clone()).unwrap();
        cs.finalize();
        assert_eq!(shape.num_constraints, cs.num_constraints());
        assert_eq!(shape.num_instance, cs.num_instance_variables());
        assert_eq!(shape.num_witness, cs.num_witness_variables());
        assert_eq!(&shape.matrices, cs.to_matrices().unwrap().get(R1CS_PREDICATE_LABEL).unwrap());
        assert!(Arc::ptr_eq(&shape, &Shape::cached(&claim().circuit()).unwrap()), "made once");
    }

    /// The row check agrees with the constraint system: an honest assignment passes, any
    /// changed value is caught.
    #[test]
    fn the_row_check_finds_a_violated_constraint() {
        let circuit = claim().circuit();
        let shape = Shape::cached(&circuit).unwrap();
        let cs = ConstraintSystem::<Fr>::new_ref();
        circuit.generate_constraints(cs.clone()).unwrap();
        let inner = cs.borrow().unwrap();
        let mut z = inner.instance_assignment().unwrap().to_vec();
        z.extend(inner.witness_assignment().unwrap());
        assert_eq!(shape.first_violated(&z), None);
        for i in [1, z.len() / 2, z.len() - 1] {
            let mut bad = z.clone();
            bad[i] += Fr::from(1u64);
            assert!(shape.first_violated(&bad).is_some(), "variable {i}");
        }
    }
}
