//! Criterion benchmarks of the engine: `cargo bench -p honestly-zk`.
//!
//! Also writes the benchmarked age proof as snarkjs files (`verification_key.json`,
//! `proof.json`, `public.json`) into `$HONESTLY_ZK_BENCH_OUT` (default: the system temp dir,
//! `honestly-zk-bench/`) so `scripts/zk-interop/compare.sh` can time snarkjs on the very same
//! proof.

use std::path::PathBuf;

use ark_ff::UniformRand;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use honestly_zk::{
    batch_verify,
    circuits::{
        credential_query::{CredentialQueryCircuit, QueryParams, QueryWitness, QUERY_N_PUBLIC, SCHEMA},
        predicates::NATIONALITY_IN,
    },
    eddsa::PrivateKey,
    groth::setup_circuit_with_rng,
    msm::msm,
    poseidon_hash,
    prover::{
        prove_age_with_rng, prove_authenticity_with_rng, prove_circuit_with_rng, AgeClaim, AuthenticityClaim,
    },
    registry::RegistryTree,
    revocation::RevocationTree,
    snarkjs, BatchItem, CircuitId, Fr, PreparedKey,
};
use rand::{rngs::StdRng, SeedableRng};

fn age_claim(salt: u64) -> AgeClaim {
    AgeClaim {
        birth_ts: 631_152_000,
        salt: Fr::from(salt),
        epoch: 0,
        min_age: 18,
        reference_ts: 1_735_689_600,
        document_hash: honestly_zk::sha256_field(b"bench document"),
    }
}

fn export_dir() -> PathBuf {
    std::env::var_os("HONESTLY_ZK_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("honestly-zk-bench"))
}

fn benches(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(7);
    let (age_pk, age_vk) = setup_circuit_with_rng(CircuitId::Age, &mut rng).expect("setup");
    let (auth_pk, _) = setup_circuit_with_rng(CircuitId::Authenticity, &mut rng).expect("setup");
    let vk_json = snarkjs::verification_key_to_json(&age_vk);
    let key = PreparedKey::new(&age_vk, honestly_zk::key_id(vk_json.as_bytes()));

    let (proof, public) = prove_age_with_rng(&age_pk, &age_claim(1), &mut rng).expect("prove");
    let signals = public.to_signals();
    let out = export_dir();
    if std::fs::create_dir_all(&out).is_ok() {
        let _ = std::fs::write(out.join("verification_key.json"), &vk_json);
        let _ = std::fs::write(out.join("proof.json"), snarkjs::proof_to_json(&proof));
        let _ = std::fs::write(out.join("public.json"), snarkjs::public_signals_to_json(&signals));
    }

    let a = Fr::rand(&mut rng);
    let b = Fr::rand(&mut rng);
    let d = Fr::rand(&mut rng);
    c.bench_function("poseidon_native/2", |bench| bench.iter(|| poseidon_hash(&[a, b])));
    c.bench_function("poseidon_native/3", |bench| bench.iter(|| poseidon_hash(&[a, b, d])));

    c.bench_function("verify_prepared/age", |bench| {
        bench.iter(|| assert_eq!(key.verify(&proof, &signals), Ok(true)))
    });

    // The same check through arkworks' own `verify_proof` (the baseline ours must match or
    // beat), in the same run.
    let pvk = ark_groth16::prepare_verifying_key(&age_vk);
    c.bench_function("verify_arkworks/age", |bench| {
        bench.iter(|| {
            assert!(ark_groth16::Groth16::<ark_bn254::Bn254>::verify_proof(&pvk, &proof, &signals)
                .unwrap_or(false))
        })
    });

    let batch: Vec<_> = (0..32u64)
        .map(|i| {
            let (p, s) = prove_age_with_rng(&age_pk, &age_claim(100 + i), &mut rng).expect("prove");
            (p, s.to_signals())
        })
        .collect();
    let items: Vec<BatchItem<'_>> =
        batch.iter().map(|(proof, public)| BatchItem { key: &key, proof, public }).collect();
    let mut group = c.benchmark_group("batch_verify");
    group.throughput(Throughput::Elements(32));
    group.bench_function("32", |bench| {
        bench.iter(|| assert!(batch_verify(&items).iter().all(|r| *r == Ok(true))))
    });
    group.finish();

    let mut group = c.benchmark_group("prove");
    group.sample_size(10);
    group.bench_function("age", |bench| {
        bench.iter_batched(
            || StdRng::seed_from_u64(9),
            |mut r| prove_age_with_rng(&age_pk, &age_claim(3), &mut r).expect("prove"),
            BatchSize::SmallInput,
        )
    });
    let docs: Vec<Fr> = (0..100u8).map(|i| honestly_zk::sha256_field(&[i])).collect();
    let tree = RegistryTree::from_leaves(docs.clone()).expect("tree");
    let claim = AuthenticityClaim {
        leaf: docs[42],
        path: tree.path(42).expect("path"),
        root: tree.root(),
        epoch: tree.len() as u64,
        salt: Fr::from(5u64),
    };
    group.bench_function("authenticity", |bench| {
        bench.iter_batched(
            || StdRng::seed_from_u64(10),
            |mut r| prove_authenticity_with_rng(&auth_pk, &claim, &mut r).expect("prove"),
            BatchSize::SmallInput,
        )
    });
    group.finish();

    let proof_json = snarkjs::proof_to_json(&proof);
    c.bench_function("parse_proof_json", |bench| {
        bench.iter(|| snarkjs::parse_proof(proof_json.as_bytes()).expect("parse"))
    });
}

/// `credential_query` (~23k constraints): proving an honest query over a credential signed
/// by a test issuer, and verifying the proof with the prepared key.
fn credential_query_benches(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(8);
    let started = std::time::Instant::now();
    let (pk, vk) = setup_circuit_with_rng(CircuitId::CredentialQuery, &mut rng).expect("setup");
    eprintln!("credential_query key generation: {:.1} s", started.elapsed().as_secs_f64());
    let key = PreparedKey::new(&vk, "credential_query");
    let issuer = PrivateKey::from_bytes([3; 32]);
    let secret = Fr::from(77u64);
    let id = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210u128;
    let claims = [
        Fr::from(SCHEMA),
        Fr::from(id),
        poseidon_hash(&[secret]),
        honestly_zk::sha256_field(b"bench credential document"),
        Fr::from(19_900_101u64),
        Fr::from(20_310_630u64),
        Fr::from(276u64),
        Fr::from(1u64),
        Fr::from(20_260_101u64),
        Fr::from(20_300_101u64),
    ];
    let tree = RevocationTree::from_ids([1u128, 2, 3]).expect("tree");
    let witness = QueryWitness {
        claims,
        signature: issuer.sign(poseidon_hash(&claims)),
        holder_secret: secret,
        revocation_path: tree.path(id),
    };
    let params = QueryParams {
        issuer: issuer.public_key(),
        revocation_root: tree.root(),
        reference_date: 20_261_202,
        min_age: 18,
        not_expired: true,
        nationality_mode: NATIONALITY_IN,
        nationality_list: [40, 250, 276, 0, 0, 0, 0, 0],
        disclose_nationality: true,
        scope: Fr::from(1u64),
        nonce: Fr::from(2u64),
    };
    let circuit = CredentialQueryCircuit::new(&params, &witness);
    let public = circuit.public;
    let proof = prove_circuit_with_rng(&pk, circuit.clone(), QUERY_N_PUBLIC, &mut rng).expect("prove");

    let mut group = c.benchmark_group("prove");
    group.sample_size(10);
    group.bench_function("credential_query", |bench| {
        bench.iter_batched(
            || (circuit.clone(), StdRng::seed_from_u64(11)),
            |(circuit, mut r)| prove_circuit_with_rng(&pk, circuit, QUERY_N_PUBLIC, &mut r).expect("prove"),
            BatchSize::SmallInput,
        )
    });
    group.finish();
    c.bench_function("verify_prepared/credential_query", |bench| {
        bench.iter(|| assert_eq!(key.verify(&proof, &public), Ok(true)))
    });
}

/// The prover's multi-scalar multiplications, this crate's against arkworks' on the same
/// points and scalars: G1 at 2^15 points (`credential_query`'s `H` size before the gap tree,
/// now 2^14), G2 at 2^14.
fn msm_benches(c: &mut Criterion) {
    use ark_bn254::{G1Projective, G2Projective};
    use ark_ec::{CurveGroup, VariableBaseMSM};
    use ark_ff::PrimeField;
    let mut rng = StdRng::seed_from_u64(31);
    let g1: Vec<_> = (0..1 << 15).map(|_| G1Projective::rand(&mut rng).into_affine()).collect();
    let g2: Vec<_> = (0..1 << 14).map(|_| G2Projective::rand(&mut rng).into_affine()).collect();
    let scalars: Vec<_> = (0..1 << 15).map(|_| Fr::rand(&mut rng).into_bigint()).collect();
    let mut group = c.benchmark_group("msm");
    group.sample_size(10);
    group.bench_function("g1_2^15/ours", |bench| bench.iter(|| msm::<ark_bn254::g1::Config>(&g1, &scalars)));
    group.bench_function("g1_2^15/arkworks", |bench| bench.iter(|| G1Projective::msm_bigint(&g1, &scalars)));
    group.bench_function("g2_2^14/ours", |bench| bench.iter(|| msm::<ark_bn254::g2::Config>(&g2, &scalars)));
    group.bench_function("g2_2^14/arkworks", |bench| {
        bench.iter(|| G2Projective::msm_bigint(&g2, &scalars[..1 << 14]))
    });
    group.finish();
}

/// The criterion harness (its generated function has no doc comment of its own).
mod harness {
    #![allow(missing_docs)]
    use super::{benches, credential_query_benches, criterion_group, msm_benches};
    criterion_group!(zk, benches, credential_query_benches, msm_benches);
}

criterion_main!(harness::zk);
