//! Proving the built-in statements. A false statement never yields a proof: the statement is
//! checked natively first (typed reason), then the full witness is checked against every
//! constraint before the expensive Groth16 step.

use ark_ff::{Field, UniformRand, Zero};
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisError, SynthesisMode,
};
use ark_std::rand::{CryptoRng, RngCore};

use crate::{
    circuits::{
        AgeCircuit, AgePublic, AgeV2Circuit, AgeV2Public, AuthenticityCircuit, AuthenticityPublic,
        MIN_BIRTH_DATE, SECONDS_PER_YEAR,
    },
    error::ProveError,
    groth::{Proof, ProvingKey},
    groth_prove::groth16_proof,
    poseidon::poseidon_hash,
    registry::MerklePath,
    shape::Shape,
    Fr,
};

/// What the holder proves with `age_proof`.
#[derive(Debug, Clone, Copy)]
pub struct AgeClaim {
    /// Birth time, Unix seconds (private).
    pub birth_ts: u64,
    /// Random salt (private); a fresh one per document gives unlinkable commitments.
    pub salt: Fr,
    /// Epoch the nullifier is bound to (private).
    pub epoch: u64,
    /// The threshold in years (public, < 256).
    pub min_age: u64,
    /// The reference time, Unix seconds (public; normally "now").
    pub reference_ts: u64,
    /// `field(sha256(document))` (public).
    pub document_hash: Fr,
}

impl AgeClaim {
    /// The public signals this claim yields.
    pub fn public(&self) -> AgePublic {
        let b = Fr::from(self.birth_ts);
        AgePublic {
            min_age: self.min_age,
            reference_ts: self.reference_ts,
            document_hash: self.document_hash,
            commitment: poseidon_hash(&[b, self.salt, self.document_hash]),
            nullifier: poseidon_hash(&[self.salt, self.document_hash, Fr::from(self.epoch)]),
        }
    }

    /// Checks the statement natively with a typed reason.
    pub fn check(&self) -> Result<(), ProveError> {
        if self.min_age >= 256 {
            return Err(ProveError::OutOfRange("min_age must be below 256"));
        }
        if self.birth_ts >= self.reference_ts {
            return Err(ProveError::FalseStatement("birth time is not before the reference time".into()));
        }
        let age_seconds = self.reference_ts - self.birth_ts;
        if age_seconds < self.min_age * SECONDS_PER_YEAR {
            return Err(ProveError::FalseStatement(format!("holder is younger than {} years", self.min_age)));
        }
        Ok(())
    }

    fn circuit(&self) -> AgeCircuit {
        let p = self.public();
        AgeCircuit {
            public: [
                Fr::from(p.min_age),
                Fr::from(p.reference_ts),
                p.document_hash,
                p.commitment,
                p.nullifier,
            ],
            birth_ts: Fr::from(self.birth_ts),
            salt: self.salt,
            epoch: Fr::from(self.epoch),
        }
    }
}

/// The latest date `age_proof_v2` accepts: 9999-12-31.
const MAX_DATE: u32 = 99_991_231;

/// What the holder proves with `age_proof_v2` (dates `YYYYMMDD`).
#[derive(Debug, Clone, Copy)]
pub struct AgeV2Claim {
    /// Birth date, `YYYYMMDD` (private), from 1000-01-01.
    pub birth_date: u32,
    /// Random salt (private); a fresh one per document gives unlinkable commitments.
    pub salt: Fr,
    /// Epoch the nullifier is bound to (private).
    pub epoch: u64,
    /// The threshold in years (public, < 256).
    pub min_age: u64,
    /// The reference date, `YYYYMMDD` (public; normally today, UTC).
    pub reference_date: u32,
    /// `field(sha256(document))` (public).
    pub document_hash: Fr,
}

impl AgeV2Claim {
    /// The public signals this claim yields.
    pub fn public(&self) -> AgeV2Public {
        let b = Fr::from(self.birth_date);
        AgeV2Public {
            min_age: self.min_age,
            reference_date: u64::from(self.reference_date),
            document_hash: self.document_hash,
            commitment: poseidon_hash(&[b, self.salt, self.document_hash]),
            nullifier: poseidon_hash(&[self.salt, self.document_hash, Fr::from(self.epoch)]),
        }
    }

    /// Checks the statement natively with a typed reason: `minAge` below 256, both dates
    /// between 1000-01-01 and 9999-12-31, and `birthDate + minAge·10000 ≤ referenceDate`.
    /// (Whether a date exists in the calendar is the caller's check.)
    pub fn check(&self) -> Result<(), ProveError> {
        if self.min_age >= 256 {
            return Err(ProveError::OutOfRange("min_age must be below 256"));
        }
        let in_range = |d: u32| (MIN_BIRTH_DATE..=u64::from(MAX_DATE)).contains(&u64::from(d));
        if !in_range(self.birth_date) {
            return Err(ProveError::OutOfRange("birth_date must be a YYYYMMDD date from 1000-01-01"));
        }
        if !in_range(self.reference_date) {
            return Err(ProveError::OutOfRange("reference_date must be a YYYYMMDD date from 1000-01-01"));
        }
        if u64::from(self.birth_date) + self.min_age * 10_000 > u64::from(self.reference_date) {
            return Err(ProveError::FalseStatement(format!("holder is younger than {} years", self.min_age)));
        }
        Ok(())
    }

    /// The circuit with this claim's full assignment, without the native check (a false
    /// claim gives an unsatisfied circuit).
    pub fn circuit(&self) -> AgeV2Circuit {
        let p = self.public();
        AgeV2Circuit {
            public: [
                Fr::from(p.min_age),
                Fr::from(p.reference_date),
                p.document_hash,
                p.commitment,
                p.nullifier,
            ],
            birth_date: Fr::from(self.birth_date),
            salt: self.salt,
            epoch: Fr::from(self.epoch),
        }
    }
}

/// What the holder proves with `authenticity_proof`.
#[derive(Debug, Clone)]
pub struct AuthenticityClaim {
    /// The document's leaf `field(sha256(document))` (public).
    pub leaf: Fr,
    /// Its path in the registry (private).
    pub path: MerklePath,
    /// The root the path must reach (public).
    pub root: Fr,
    /// The registry size when `root` was made (public).
    pub epoch: u64,
    /// Random salt for the nullifier (private).
    pub salt: Fr,
}

impl AuthenticityClaim {
    /// The public signals this claim yields.
    pub fn public(&self) -> AuthenticityPublic {
        AuthenticityPublic {
            root: self.root,
            leaf: self.leaf,
            epoch: self.epoch,
            nullifier: poseidon_hash(&[self.salt, self.leaf, Fr::from(self.epoch)]),
        }
    }

    /// Checks the statement natively with a typed reason. Leaf 0 is an empty slot, not a
    /// document: it is refused whatever the path says.
    pub fn check(&self) -> Result<(), ProveError> {
        if self.leaf.is_zero() {
            return Err(ProveError::FalseStatement(
                "leaf 0 is an empty registry slot, not a document".into(),
            ));
        }
        if self.path.root_from(self.leaf) != self.root {
            return Err(ProveError::FalseStatement(
                "the path does not lead from the leaf to the root".into(),
            ));
        }
        Ok(())
    }

    fn circuit(&self) -> AuthenticityCircuit {
        let p = self.public();
        AuthenticityCircuit {
            public: [p.root, p.leaf, Fr::from(p.epoch), p.nullifier],
            path_elements: self.path.elements,
            path_indices: self.path.indices.map(|b| Fr::from(u64::from(b))),
            salt: self.salt,
            leaf_inverse: self.leaf.inverse().unwrap_or_else(Fr::zero),
        }
    }
}

#[cfg(test)]
impl AgeV2Claim {
    /// A true claim for the crate's tests.
    pub(crate) fn example() -> Self {
        Self {
            birth_date: 19_900_101,
            salt: Fr::from(5u64),
            epoch: 3,
            min_age: 18,
            reference_date: 20_261_202,
            document_hash: Fr::from(9u64),
        }
    }
}

/// A fresh random salt from OS randomness (uniform in the field).
pub fn random_salt() -> Fr {
    Fr::rand(&mut rand::rngs::OsRng)
}

/// Proves `claim` with OS randomness.
pub fn prove_age(pk: &ProvingKey, claim: &AgeClaim) -> Result<(Proof, AgePublic), ProveError> {
    prove_age_with_rng(pk, claim, &mut rand::rngs::OsRng)
}

/// Proves `claim` with randomness from `rng` (deterministic tests).
pub fn prove_age_with_rng<R: RngCore + CryptoRng>(
    pk: &ProvingKey,
    claim: &AgeClaim,
    rng: &mut R,
) -> Result<(Proof, AgePublic), ProveError> {
    claim.check()?;
    let proof = prove_circuit_with_rng(pk, claim.circuit(), 5, rng)?;
    Ok((proof, claim.public()))
}

/// Proves `claim` with OS randomness.
pub fn prove_age_v2(pk: &ProvingKey, claim: &AgeV2Claim) -> Result<(Proof, AgeV2Public), ProveError> {
    prove_age_v2_with_rng(pk, claim, &mut rand::rngs::OsRng)
}

/// Proves `claim` with randomness from `rng` (deterministic tests).
pub fn prove_age_v2_with_rng<R: RngCore + CryptoRng>(
    pk: &ProvingKey,
    claim: &AgeV2Claim,
    rng: &mut R,
) -> Result<(Proof, AgeV2Public), ProveError> {
    claim.check()?;
    let proof = prove_circuit_with_rng(pk, claim.circuit(), 5, rng)?;
    Ok((proof, claim.public()))
}

/// Proves `claim` with OS randomness.
pub fn prove_authenticity(
    pk: &ProvingKey,
    claim: &AuthenticityClaim,
) -> Result<(Proof, AuthenticityPublic), ProveError> {
    prove_authenticity_with_rng(pk, claim, &mut rand::rngs::OsRng)
}

/// Proves `claim` with randomness from `rng` (deterministic tests).
pub fn prove_authenticity_with_rng<R: RngCore + CryptoRng>(
    pk: &ProvingKey,
    claim: &AuthenticityClaim,
    rng: &mut R,
) -> Result<(Proof, AuthenticityPublic), ProveError> {
    claim.check()?;
    let proof = prove_circuit_with_rng(pk, claim.circuit(), 4, rng)?;
    Ok((proof, claim.public()))
}

/// Computes `circuit`'s assignment, refuses one that violates a constraint (naming the first
/// failing constraint), then produces the Groth16 proof with the circuit type's cached
/// [`Shape`] (matrices are made once per process, not per proof).
pub fn prove_circuit_with_rng<C, R>(
    pk: &ProvingKey,
    circuit: C,
    n_public: usize,
    rng: &mut R,
) -> Result<Proof, ProveError>
where
    C: ConstraintSynthesizer<Fr> + Clone + 'static,
    R: RngCore + CryptoRng,
{
    let syn = |e: SynthesisError| ProveError::Synthesis(e.to_string());
    if pk.vk.gamma_abc_g1.len() != n_public + 1 {
        return Err(ProveError::WrongKey);
    }
    let shape = Shape::cached(&circuit).map_err(syn)?;
    if pk.a_query.len() != shape.num_instance + shape.num_witness {
        return Err(ProveError::WrongKey);
    }
    let full_assignment = assignment(circuit.clone()).map_err(syn)?;
    if full_assignment.len() != shape.num_instance + shape.num_witness {
        return Err(ProveError::Synthesis("the assignment does not fit the circuit's shape".into()));
    }
    if let Some(row) = shape.first_violated(&full_assignment) {
        return Err(ProveError::Unsatisfied(
            name_unsatisfied(circuit).unwrap_or_else(|| format!("constraint {row}")),
        ));
    }
    let r = Fr::rand(rng);
    let s = Fr::rand(rng);
    groth16_proof(pk, r, s, &shape.matrices, shape.num_instance, shape.num_constraints, &full_assignment)
        .map_err(syn)
}

/// The full assignment (`1`, public inputs, witness) of `circuit`, without building any
/// constraint.
pub(crate) fn assignment<C: ConstraintSynthesizer<Fr>>(circuit: C) -> Result<Vec<Fr>, SynthesisError> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Prove { construct_matrices: false, generate_lc_assignments: false });
    circuit.generate_constraints(cs.clone())?;
    let inner = cs.borrow().ok_or(SynthesisError::MissingCS)?;
    let mut full = inner.instance_assignment()?.to_vec();
    full.extend(inner.witness_assignment()?);
    Ok(full)
}

/// The name of the first constraint `circuit`'s witness fails, from a full synthesis (slow:
/// only run once a violation is known).
fn name_unsatisfied<C: ConstraintSynthesizer<Fr>>(circuit: C) -> Option<String> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    circuit.generate_constraints(cs.clone()).ok()?;
    cs.finalize();
    cs.which_is_unsatisfied().ok().flatten()
}
