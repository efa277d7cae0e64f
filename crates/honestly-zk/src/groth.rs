//! Groth16 over BN254: key generation, prepared verification keys and single verification.
//!
//! Knows nothing of JSON: [`crate::snarkjs`] reads and prints these types (and adds
//! [`PreparedKey::verify_json`]), so the imports go one way, `snarkjs → groth`.

use ark_bn254::G1Projective;
use ark_ec::pairing::{MillerLoopOutput, Pairing};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::Zero;
use ark_groth16::Groth16;
use ark_relations::gr1cs::ConstraintSynthesizer;
use ark_std::rand::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};

use crate::fixed_base::FixedBase;
use crate::miller::{miller_loop, G2Prepared};
use crate::{error::ParseError, error::ProveError, Bn254, Fr};

/// A Groth16 proof over BN254.
pub type Proof = ark_groth16::Proof<Bn254>;
/// A Groth16 proving key over BN254.
pub type ProvingKey = ark_groth16::ProvingKey<Bn254>;
/// A Groth16 verification key over BN254.
pub type VerifyingKey = ark_groth16::VerifyingKey<Bn254>;

/// A key's identity: the lowercase hex SHA-256 of its `verification_key.json` bytes.
pub fn key_id(verification_key_json: &[u8]) -> String {
    hex::encode(Sha256::digest(verification_key_json))
}

/// Generates a proving/verification key pair for `circuit` with randomness from `rng`
/// (`honestly zk setup` passes OS randomness; the trapdoor is dropped when this returns).
pub fn setup_with_rng<C, R>(circuit: C, rng: &mut R) -> Result<(ProvingKey, VerifyingKey), ProveError>
where
    C: ConstraintSynthesizer<Fr>,
    R: RngCore + CryptoRng,
{
    let pk = Groth16::<Bn254>::generate_random_parameters_with_reduction(circuit, rng)
        .map_err(|e| ProveError::Synthesis(e.to_string()))?;
    let vk = pk.vk.clone();
    Ok((pk, vk))
}

/// Generates the keys of a built-in circuit with OS randomness.
pub fn setup(circuit: crate::CircuitId) -> Result<(ProvingKey, VerifyingKey), ProveError> {
    setup_circuit_with_rng(circuit, &mut rand::rngs::OsRng)
}

/// Generates the keys of a built-in circuit with randomness from `rng` (tests, benches).
pub fn setup_circuit_with_rng<R: RngCore + CryptoRng>(
    circuit: crate::CircuitId,
    rng: &mut R,
) -> Result<(ProvingKey, VerifyingKey), ProveError> {
    match circuit {
        crate::CircuitId::Age => setup_with_rng(crate::circuits::AgeCircuit::blank(), rng),
        crate::CircuitId::Authenticity => setup_with_rng(crate::circuits::AuthenticityCircuit::blank(), rng),
        crate::CircuitId::AgeV2 => setup_with_rng(crate::circuits::AgeV2Circuit::blank(), rng),
        crate::CircuitId::CredentialQuery => {
            setup_with_rng(crate::circuits::credential_query::CredentialQueryCircuit::blank(), rng)
        }
    }
}

/// Keys with at most this many public signals keep a fixed-base table per input point
/// (99 KiB each); larger ones fold their inputs by variable-base multiplication.
const MAX_TABLED_INPUTS: usize = 32;

/// A verification key checked and prepared for fast verification: the pairing `e(α, β)`, the
/// negated G2 points' line coefficients and each input point's multiples precomputed. Build
/// once at start; share behind an `Arc`.
#[derive(Clone, Debug)]
pub struct PreparedKey {
    pub(crate) pvk: ark_groth16::PreparedVerifyingKey<Bn254>,
    /// Multiples of `IC₁…ICₙ` (empty for a key with more than [`MAX_TABLED_INPUTS`]).
    inputs: Vec<FixedBase>,
    id: String,
}

impl PreparedKey {
    /// Prepares `vk`; `id` is the key's identity (see [`key_id`]).
    pub fn new(vk: &VerifyingKey, id: impl Into<String>) -> Self {
        let points = vk.gamma_abc_g1.get(1..).unwrap_or_default();
        let inputs = if points.len() <= MAX_TABLED_INPUTS {
            points.iter().map(|p| FixedBase::new(*p)).collect()
        } else {
            Vec::new()
        };
        Self { pvk: ark_groth16::prepare_verifying_key(vk), inputs, id: id.into() }
    }

    /// The key's identity.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The number of public signals the key expects.
    pub fn n_public(&self) -> usize {
        self.pvk.vk.gamma_abc_g1.len().saturating_sub(1)
    }

    /// The unprepared key.
    pub fn vk(&self) -> &VerifyingKey {
        &self.pvk.vk
    }

    /// `IC₀ + Σ sᵢ·ICᵢ` for one scalar per public signal (`scalars.len() == n_public()`).
    pub(crate) fn input_point(&self, scalars: &[Fr]) -> G1Projective {
        let ic = &self.pvk.vk.gamma_abc_g1;
        let first = ic.first().map_or_else(G1Projective::zero, |p| p.into_group());
        if self.inputs.len() == scalars.len() {
            self.inputs.iter().zip(scalars).fold(first, |acc, (table, s)| acc + table.mul(s))
        } else {
            // A key too large for tables: one (GLV) multiplication per signal.
            scalars.iter().zip(ic.iter().skip(1)).fold(first, |acc, (s, base)| acc + *base * s)
        }
    }

    /// Verifies `proof` for `public` signals: `Ok(true)` valid, `Ok(false)` invalid,
    /// `Err(PublicCount)` when the number of signals does not match the key (malformed).
    ///
    /// Checks `e(A, B) · e(IC, −γ) · e(C, −δ) = e(α, β)` with the Miller loop in two halves
    /// on the two cores: `B`'s line coefficients and `e(A, B)` on one, the input point and
    /// the two fixed pairings on the other; then one final exponentiation.
    pub fn verify(&self, proof: &Proof, public: &[Fr]) -> Result<bool, ParseError> {
        if public.len() != self.n_public() {
            return Err(ParseError::PublicCount { expected: self.n_public(), got: public.len() });
        }
        // Degenerate proof points never verify an honest statement; refuse them early.
        if proof.a.is_zero() || proof.b.is_zero() {
            return Ok(false);
        }
        let (left, right) = rayon::join(
            || miller_loop(&[(proof.a, &G2Prepared::from(proof.b))]),
            || {
                let input = self.input_point(public).into_affine();
                miller_loop(&[(input, &self.pvk.gamma_g2_neg_pc), (proof.c, &self.pvk.delta_g2_neg_pc)])
            },
        );
        let product = MillerLoopOutput(left.0 * right.0);
        Ok(Bn254::final_exponentiation(product).is_some_and(|value| value.0 == self.pvk.alpha_g1_beta_g2))
    }
}

#[cfg(test)]
mod tests {
    use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
    use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};
    use rand::{rngs::StdRng, SeedableRng};

    use super::*;

    /// `w² = x₀` with `n` public inputs `x₀…xₙ₋₁` (the others only bound by the proof).
    struct Square {
        inputs: Vec<Fr>,
        root: Fr,
    }

    impl ConstraintSynthesizer<Fr> for Square {
        fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
            let xs = self
                .inputs
                .iter()
                .map(|x| FpVar::new_input(cs.clone(), || Ok(*x)))
                .collect::<Result<Vec<_>, _>>()?;
            let w = FpVar::new_witness(cs, || Ok(self.root))?;
            w.square()?.enforce_equal(&xs[0])
        }
    }

    /// Our verification and arkworks' agree on a valid proof and on every one-signal change,
    /// for a key with input tables and for one too large for them.
    #[test]
    fn verification_agrees_with_arkworks_with_and_without_input_tables() {
        let mut rng = StdRng::seed_from_u64(21);
        for n in [3, MAX_TABLED_INPUTS + 3] {
            let root = Fr::from(7u64);
            let mut inputs: Vec<Fr> =
                (0..n as u64).map(|i| Fr::from(i * 1_000_003) - Fr::from(1u64)).collect();
            inputs[0] = root * root;
            let blank = Square { inputs: inputs.clone(), root };
            let (pk, vk) = setup_with_rng(blank, &mut rng).expect("setup");
            let key = PreparedKey::new(&vk, "test");
            assert_eq!(key.inputs.len(), if n <= MAX_TABLED_INPUTS { n } else { 0 });
            let proof = Groth16::<Bn254>::create_random_proof_with_reduction(
                Square { inputs: inputs.clone(), root },
                &pk,
                &mut rng,
            )
            .expect("prove");
            let pvk = ark_groth16::prepare_verifying_key(&vk);
            let arkworks =
                |public: &[Fr]| Groth16::<Bn254>::verify_proof(&pvk, &proof, public).unwrap_or(false);
            assert_eq!(key.verify(&proof, &inputs), Ok(true), "{n} inputs");
            assert!(arkworks(&inputs));
            for i in 0..n {
                let mut changed = inputs.clone();
                changed[i] += Fr::from(1u64);
                assert_eq!(key.verify(&proof, &changed), Ok(false), "{n} inputs, signal {i} changed");
                assert!(!arkworks(&changed));
            }
            let swapped = Proof { a: proof.c, b: proof.b, c: proof.a };
            assert_eq!(key.verify(&swapped, &inputs), Ok(false));
            assert!(matches!(key.verify(&proof, &inputs[1..]), Err(ParseError::PublicCount { .. })));
        }
    }

    fn shareable<T: Send + Sync + 'static>() {}

    #[test]
    fn keys_can_be_shared_across_threads() {
        shareable::<PreparedKey>();
        shareable::<ProvingKey>();
        shareable::<Proof>();
    }

    #[test]
    fn key_id_is_sha256_hex() {
        assert_eq!(key_id(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}
