//! Shared fixtures: keys generated once per test binary with a deterministic rng.

use std::sync::OnceLock;

use honestly_zk::{
    groth::setup_circuit_with_rng,
    prover::{prove_age_with_rng, AgeClaim, AuthenticityClaim},
    registry::RegistryTree,
    snarkjs, AgePublic, CircuitId, Fr, PreparedKey, Proof, ProvingKey, VerifyingKey,
};
use rand::{rngs::StdRng, SeedableRng};

/// One circuit's keys.
pub struct Keys {
    pub pk: ProvingKey,
    pub vk: VerifyingKey,
    pub prepared: PreparedKey,
    pub json: String,
}

fn make(circuit: CircuitId, seed: u64) -> Keys {
    let (pk, vk) = setup_circuit_with_rng(circuit, &mut StdRng::seed_from_u64(seed)).unwrap();
    let json = snarkjs::verification_key_to_json(&vk);
    let prepared = PreparedKey::new(&vk, honestly_zk::key_id(json.as_bytes()));
    Keys { pk, vk, prepared, json }
}

pub fn age_keys() -> &'static Keys {
    static K: OnceLock<Keys> = OnceLock::new();
    K.get_or_init(|| make(CircuitId::Age, 1))
}

pub fn age_v2_keys() -> &'static Keys {
    static K: OnceLock<Keys> = OnceLock::new();
    K.get_or_init(|| make(CircuitId::AgeV2, 5))
}

pub fn auth_keys() -> &'static Keys {
    static K: OnceLock<Keys> = OnceLock::new();
    K.get_or_init(|| make(CircuitId::Authenticity, 2))
}

/// `credential_query` keys (one setup of ~23k constraints per test binary).
pub fn query_keys() -> &'static Keys {
    static K: OnceLock<Keys> = OnceLock::new();
    K.get_or_init(|| make(CircuitId::CredentialQuery, 3))
}

pub fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// 1990-01-01T00:00:00Z.
pub const BIRTH_1990: u64 = 631_152_000;
/// 2025-01-01T00:00:00Z.
pub const NOW_2025: u64 = 1_735_689_600;

pub fn age_claim(min_age: u64, salt: u64) -> AgeClaim {
    AgeClaim {
        birth_ts: BIRTH_1990,
        salt: Fr::from(salt),
        epoch: 7,
        min_age,
        reference_ts: NOW_2025,
        document_hash: honestly_zk::sha256_field(b"passport scan"),
    }
}

/// A valid age proof (cached) and its public signals.
pub fn age_proof() -> &'static (Proof, AgePublic) {
    static P: OnceLock<(Proof, AgePublic)> = OnceLock::new();
    P.get_or_init(|| prove_age_with_rng(&age_keys().pk, &age_claim(18, 42), &mut rng(3)).unwrap())
}

/// A registry with a few documents and a valid authenticity claim for leaf 2.
pub fn auth_claim() -> (RegistryTree, AuthenticityClaim) {
    let docs: Vec<Fr> = (0..5u8).map(|i| honestly_zk::sha256_field(&[i; 10])).collect();
    let tree = RegistryTree::from_leaves(docs.clone()).unwrap();
    let claim = AuthenticityClaim {
        leaf: docs[2],
        path: tree.path(2).unwrap(),
        root: tree.root(),
        epoch: tree.len() as u64,
        salt: Fr::from(99u64),
    };
    (tree, claim)
}
