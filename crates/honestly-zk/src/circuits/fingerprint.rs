//! A circuit's fingerprint: the SHA-256 of its constraint system exactly as key generation
//! sees it (variable counts and every coefficient of the R1CS matrices). Keys are only valid
//! for the constraint system they were made for, so key files carry the fingerprint of their
//! circuit and keys made for another version of a circuit are recognised as stale.

use ark_ff::{BigInteger, PrimeField};
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisError, SynthesisMode,
};
use sha2::{Digest, Sha256};

use super::{
    credential_query::CredentialQueryCircuit, AgeCircuit, AgeV2Circuit, AuthenticityCircuit, CircuitId,
};
use crate::Fr;

/// Tags the hashed layout, so that a change of this encoding is a change of fingerprint too.
const DOMAIN: &[u8] = b"honestly circuit fingerprint v1";

/// The lowercase hex SHA-256 of `circuit`'s constraint system (synthesized as key generation
/// does: setup mode, optimised for constraints).
pub fn fingerprint(circuit: CircuitId) -> Result<String, SynthesisError> {
    match circuit {
        CircuitId::Age => fingerprint_of(circuit.name(), AgeCircuit::blank()),
        CircuitId::Authenticity => fingerprint_of(circuit.name(), AuthenticityCircuit::blank()),
        CircuitId::AgeV2 => fingerprint_of(circuit.name(), AgeV2Circuit::blank()),
        CircuitId::CredentialQuery => fingerprint_of(circuit.name(), CredentialQueryCircuit::blank()),
    }
}

/// The fingerprint of any circuit, under `name`.
pub fn fingerprint_of<C: ConstraintSynthesizer<Fr>>(
    name: &str,
    circuit: C,
) -> Result<String, SynthesisError> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Setup);
    circuit.generate_constraints(cs.clone())?;
    cs.finalize();
    let mut h = Sha256::new();
    let count = |h: &mut Sha256, n: usize| h.update((n as u64).to_le_bytes());
    h.update(DOMAIN);
    count(&mut h, name.len());
    h.update(name.as_bytes());
    count(&mut h, cs.num_instance_variables());
    count(&mut h, cs.num_witness_variables());
    count(&mut h, cs.num_constraints());
    for (label, matrices) in cs.to_matrices()? {
        count(&mut h, label.len());
        h.update(label.as_bytes());
        count(&mut h, matrices.len());
        for matrix in matrices {
            count(&mut h, matrix.len());
            for row in matrix {
                count(&mut h, row.len());
                for (coefficient, variable) in row {
                    h.update(coefficient.into_bigint().to_bytes_le());
                    count(&mut h, variable);
                }
            }
        }
    }
    Ok(hex::encode(h.finalize()))
}
