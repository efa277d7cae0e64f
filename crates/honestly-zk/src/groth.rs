//! Groth16 over BN254: key generation, prepared verification keys and single verification.

use ark_ec::AffineRepr;
use ark_ff::PrimeField;
use ark_groth16::Groth16;
use ark_relations::gr1cs::ConstraintSynthesizer;
use ark_std::rand::{CryptoRng, RngCore};
use sha2::{Digest, Sha256};

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
    }
}

/// A verification key checked and prepared for fast verification (pairing `e(α, β)` and the
/// negated G2 points precomputed). Build once at start; share behind an `Arc`.
#[derive(Clone, Debug)]
pub struct PreparedKey {
    pub(crate) pvk: ark_groth16::PreparedVerifyingKey<Bn254>,
    id: String,
}

impl PreparedKey {
    /// Prepares `vk`; `id` is the key's identity (see [`key_id`]).
    pub fn new(vk: &VerifyingKey, id: impl Into<String>) -> Self {
        Self { pvk: ark_groth16::prepare_verifying_key(vk), id: id.into() }
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

    /// Verifies `proof` for `public` signals: `Ok(true)` valid, `Ok(false)` invalid,
    /// `Err(PublicCount)` when the number of signals does not match the key (malformed).
    pub fn verify(&self, proof: &Proof, public: &[Fr]) -> Result<bool, ParseError> {
        if public.len() != self.n_public() {
            return Err(ParseError::PublicCount { expected: self.n_public(), got: public.len() });
        }
        // Degenerate proof points never verify an honest statement; refuse them early.
        if proof.a.is_zero() || proof.b.is_zero() {
            return Ok(false);
        }
        // IC₀ + Σ xᵢ·ICᵢ one signal at a time: a double-and-add skips a scalar's leading
        // zero bits, so small signals (ages, timestamps, epochs) cost a few additions, and a
        // handful of points is cheaper this way than as a (thread-pool) multi-scalar product.
        let ic = &self.pvk.vk.gamma_abc_g1;
        let prepared = public
            .iter()
            .zip(&ic[1..])
            .fold(ic[0].into_group(), |acc, (x, base)| acc + base.mul_bigint(x.into_bigint()));
        Ok(Groth16::<Bn254>::verify_proof_with_prepared_inputs(&self.pvk, proof, &prepared).unwrap_or(false))
    }

    /// Parses snarkjs `proof.json` and `public.json` bytes strictly and verifies them:
    /// `Ok(true)` valid, `Ok(false)` invalid, `Err` malformed.
    pub fn verify_json(&self, proof_json: &[u8], public_json: &[u8]) -> Result<bool, ParseError> {
        let proof = crate::snarkjs::parse_proof(proof_json)?;
        let public = crate::snarkjs::parse_public_signals(public_json)?;
        self.verify(&proof, &public)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
