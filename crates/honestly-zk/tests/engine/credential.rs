//! Credentials for the `credential_query` tests: the two committed fixtures (signed by
//! circomlibjs and by @zk-kit/eddsa-poseidon, `scripts/zk-interop/credential-fixture.js`),
//! queries over them and one honest proof shared by the tests.

use std::path::Path;
use std::sync::OnceLock;

use honestly_zk::{
    circuits::{
        credential_query::{CredentialQueryCircuit, QueryParams, QueryWitness, CLAIM_COUNT, QUERY_N_PUBLIC},
        predicates::NATIONALITY_IN,
    },
    eddsa::{PublicKey, Signature},
    fr_from_decimal,
    prover::prove_circuit_with_rng,
    revocation::{credential_id_from_fr, RevocationTree},
    Fr, Proof, ProveError,
};
use serde_json::Value;

use crate::common::*;

/// The claims' names in `claimsHash` order (the circuit's `claim` positions).
const CLAIM_NAMES: [&str; CLAIM_COUNT] = [
    "schema",
    "credentialId",
    "holder",
    "documentHash",
    "birthDate",
    "documentExpiry",
    "nationality",
    "documentType",
    "issuedAt",
    "validUntil",
];

/// A signed credential with its holder's secret.
#[derive(Clone)]
pub struct Fixture {
    pub claims: [Fr; CLAIM_COUNT],
    pub issuer: PublicKey,
    pub signature: Signature,
    pub holder_secret: Fr,
}

impl Fixture {
    pub fn credential_id(&self) -> u128 {
        credential_id_from_fr(&self.claims[1]).unwrap()
    }

    /// The witness against `tree`.
    pub fn witness(&self, tree: &RevocationTree) -> QueryWitness {
        QueryWitness {
            claims: self.claims,
            signature: self.signature.clone(),
            holder_secret: self.holder_secret,
            revocation_path: tree.path(self.credential_id()),
        }
    }
}

/// Reads `crates/honestly-core/tests/fixtures/<name>`.
pub fn load(name: &str) -> Fixture {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../honestly-core/tests/fixtures").join(name);
    let v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let c = &v["credential"];
    let s = |x: &Value| x.as_str().unwrap().to_string();
    let claims = CLAIM_NAMES.map(|name| fr_from_decimal(&s(&c["claims"][name])).unwrap());
    let key = &c["issuer"]["public_key"];
    let sig = &c["signature"];
    Fixture {
        claims,
        issuer: PublicKey::from_decimal(&s(&key["x"]), &s(&key["y"])).unwrap(),
        signature: Signature::from_decimal(&s(&sig["R8x"]), &s(&sig["R8y"]), &s(&sig["S"])).unwrap(),
        holder_secret: fr_from_decimal(&s(&v["holderSecret"])).unwrap(),
    }
}

/// Signed by circomlibjs' `signPoseidon`: born 1945-05-09, German, document until
/// 2031-06-30, credential 2026-12-02 to 2027-12-02.
pub fn circomlibjs() -> Fixture {
    load("credential_schema1.json")
}

/// Signed by @zk-kit's `signMessage`: born 2008-02-29, French, no document expiry,
/// credential 2026-01-05 to 2030-01-05.
pub fn zk_kit() -> Fixture {
    load("credential_schema1_zkkit.json")
}

/// A revocation tree with other credentials revoked.
pub fn tree() -> RevocationTree {
    RevocationTree::from_ids([7u128, 1 << 100, u128::MAX]).unwrap()
}

/// A query over the circomlibjs fixture every constraint accepts: at least 81 on
/// 2026-12-02, document not expired, Austrian or German, nationality disclosed.
pub fn params(f: &Fixture, tree: &RevocationTree) -> QueryParams {
    QueryParams {
        issuer: f.issuer,
        revocation_root: tree.root(),
        reference_date: 20_261_202,
        min_age: 81,
        not_expired: true,
        nationality_mode: NATIONALITY_IN,
        nationality_list: [40, 276, 0, 0, 0, 0, 0, 0],
        disclose_nationality: true,
        scope: Fr::from(1_000u64),
        nonce: Fr::from(2_000u64),
    }
}

/// Proves `params` over `witness` with the shared keys.
pub fn prove(
    params: &QueryParams,
    witness: &QueryWitness,
    seed: u64,
) -> Result<(Proof, Vec<Fr>), ProveError> {
    let circuit = CredentialQueryCircuit::new(params, witness);
    let public = circuit.public.to_vec();
    let proof = prove_circuit_with_rng(&query_keys().pk, circuit, QUERY_N_PUBLIC, &mut rng(seed))?;
    Ok((proof, public))
}

/// The honest proof over the circomlibjs fixture (made once).
pub fn honest_proof() -> &'static (Proof, Vec<Fr>) {
    static P: OnceLock<(Proof, Vec<Fr>)> = OnceLock::new();
    P.get_or_init(|| {
        let (f, t) = (circomlibjs(), tree());
        prove(&params(&f, &t), &f.witness(&t), 11).unwrap()
    })
}
