//! Proving and verifying both circuits, with the negative twin of every check.

use ark_ff::{Field, One, Zero};
use honestly_zk::{
    circuits::{AgeCircuit, AuthenticityCircuit},
    poseidon_hash,
    prover::{prove_age_with_rng, prove_authenticity_with_rng, prove_circuit_with_rng},
    AgePublic, AuthenticityPublic, Fr, ParseError, Proof, ProveError,
};

use crate::common::*;

#[test]
fn age_proof_verifies() {
    let (proof, public) = age_proof();
    assert_eq!(public.min_age, 18);
    assert_eq!(public.reference_ts, NOW_2025);
    assert_eq!(
        public.commitment,
        poseidon_hash(&[Fr::from(BIRTH_1990), Fr::from(42u64), public.document_hash])
    );
    assert_eq!(public.nullifier, poseidon_hash(&[Fr::from(42u64), public.document_hash, Fr::from(7u64)]));
    assert_eq!(age_keys().prepared.verify(proof, &public.to_signals()), Ok(true));
    assert_eq!(AgePublic::from_signals(&public.to_signals()), Ok(*public));
}

#[test]
fn every_age_signal_changed_by_one_fails() {
    let (proof, public) = age_proof();
    let signals = public.to_signals();
    for i in 0..signals.len() {
        let mut bad = signals.clone();
        bad[i] += Fr::one();
        assert_eq!(age_keys().prepared.verify(proof, &bad), Ok(false), "signal {i}");
    }
}

#[test]
fn swapped_points_wrong_key_and_other_statement_fail() {
    let (proof, public) = age_proof();
    let signals = public.to_signals();
    let swapped = Proof { a: proof.c, b: proof.b, c: proof.a };
    assert_eq!(age_keys().prepared.verify(&swapped, &signals), Ok(false));
    let negated = Proof { a: -proof.a, ..*proof };
    assert_eq!(age_keys().prepared.verify(&negated, &signals), Ok(false));
    // Another circuit's key: wrong signal count → malformed.
    assert_eq!(
        auth_keys().prepared.verify(proof, &signals),
        Err(ParseError::PublicCount { expected: 4, got: 5 })
    );
    // Same circuit, key from another setup.
    let other =
        honestly_zk::groth::setup_circuit_with_rng(honestly_zk::CircuitId::Age, &mut rng(77)).unwrap().1;
    let other = honestly_zk::PreparedKey::new(&other, "other");
    assert_eq!(other.verify(proof, &signals), Ok(false));
    // A valid proof of a different statement does not verify these signals.
    let (proof21, public21) = prove_age_with_rng(&age_keys().pk, &age_claim(21, 43), &mut rng(4)).unwrap();
    assert_eq!(age_keys().prepared.verify(&proof21, &public21.to_signals()), Ok(true));
    assert_eq!(age_keys().prepared.verify(&proof21, &signals), Ok(false));
    assert_eq!(age_keys().prepared.verify(proof, &public21.to_signals()), Ok(false));
}

#[test]
fn proving_a_false_age_statement_fails() {
    let pk = &age_keys().pk;
    let young = honestly_zk::prover::AgeClaim { min_age: 36, ..age_claim(18, 1) };
    assert!(matches!(prove_age_with_rng(pk, &young, &mut rng(5)), Err(ProveError::FalseStatement(_))));
    let unborn = honestly_zk::prover::AgeClaim { birth_ts: NOW_2025 + 1, min_age: 0, ..age_claim(0, 1) };
    assert!(matches!(prove_age_with_rng(pk, &unborn, &mut rng(5)), Err(ProveError::FalseStatement(_))));
    let huge = honestly_zk::prover::AgeClaim { min_age: 256, ..age_claim(0, 1) };
    assert!(matches!(prove_age_with_rng(pk, &huge, &mut rng(5)), Err(ProveError::OutOfRange(_))));
    // Exactly 35 years of 31556952 s before the reference time is enough; one second less is not.
    let exact = honestly_zk::prover::AgeClaim {
        birth_ts: NOW_2025 - 35 * 31_556_952,
        min_age: 35,
        ..age_claim(35, 1)
    };
    let (p, public) = prove_age_with_rng(pk, &exact, &mut rng(6)).unwrap();
    assert_eq!(age_keys().prepared.verify(&p, &public.to_signals()), Ok(true));
    let short = honestly_zk::prover::AgeClaim { birth_ts: exact.birth_ts + 1, ..exact };
    assert!(prove_age_with_rng(pk, &short, &mut rng(6)).is_err());
}

/// A cheating prover that skips the native checks still cannot get a proof: the circuit's own
/// constraints refuse the witness before Groth16 runs.
#[test]
fn circuit_refuses_cheating_witnesses() {
    let pk = &age_keys().pk;
    let claim = age_claim(40, 1); // false: born 1990, 35 years old in 2025
    let public = claim.public();
    let circuit = AgeCircuit {
        public: public.to_signals().try_into().unwrap(),
        birth_ts: Fr::from(claim.birth_ts),
        salt: claim.salt,
        epoch: Fr::from(claim.epoch),
    };
    assert!(matches!(prove_circuit_with_rng(pk, circuit, 5, &mut rng(8)), Err(ProveError::Unsatisfied(_))));
    // A "negative" birth time (wrapping mod r) is caught by the range check.
    let wrapped = -Fr::from(1000u64);
    let mut signals = age_claim(18, 1).public().to_signals();
    signals[3] = poseidon_hash(&[wrapped, Fr::from(1u64), signals[2]]);
    let circuit = AgeCircuit {
        public: signals.try_into().unwrap(),
        birth_ts: wrapped,
        salt: Fr::from(1u64),
        epoch: Fr::from(7u64),
    };
    assert!(matches!(prove_circuit_with_rng(pk, circuit, 5, &mut rng(8)), Err(ProveError::Unsatisfied(_))));
    // Wrong key for the circuit.
    assert_eq!(
        prove_circuit_with_rng(&auth_keys().pk, AgeCircuit::blank(), 5, &mut rng(8)).unwrap_err(),
        ProveError::WrongKey
    );
}

#[test]
fn authenticity_proof_verifies_and_tampering_fails() {
    let (tree, claim) = auth_claim();
    let keys = auth_keys();
    let (proof, public) = prove_authenticity_with_rng(&keys.pk, &claim, &mut rng(9)).unwrap();
    assert_eq!(public.root, tree.root());
    assert_eq!(public.epoch, 5);
    let signals = public.to_signals();
    assert_eq!(AuthenticityPublic::from_signals(&signals), Ok(public));
    assert_eq!(keys.prepared.verify(&proof, &signals), Ok(true));
    for i in 0..signals.len() {
        let mut bad = signals.clone();
        bad[i] += Fr::one();
        assert_eq!(keys.prepared.verify(&proof, &bad), Ok(false), "signal {i}");
    }
    let swapped = Proof { a: proof.c, b: proof.b, c: proof.a };
    assert_eq!(keys.prepared.verify(&swapped, &signals), Ok(false));
    assert!(age_keys().prepared.verify(&proof, &signals).is_err());
}

#[test]
fn proving_a_false_authenticity_statement_fails() {
    let (tree, claim) = auth_claim();
    let pk = &auth_keys().pk;
    let wrong_leaf = honestly_zk::prover::AuthenticityClaim {
        leaf: honestly_zk::sha256_field(b"never registered"),
        ..claim.clone()
    };
    assert!(matches!(
        prove_authenticity_with_rng(pk, &wrong_leaf, &mut rng(10)),
        Err(ProveError::FalseStatement(_))
    ));
    let wrong_path = honestly_zk::prover::AuthenticityClaim { path: tree.path(3).unwrap(), ..claim.clone() };
    assert!(prove_authenticity_with_rng(pk, &wrong_path, &mut rng(10)).is_err());

    // A non-boolean path index is refused by the circuit itself.
    let public = claim.public();
    let mut indices = claim.path.indices.map(|b| Fr::from(u64::from(b)));
    indices[0] = Fr::from(2u64);
    let circuit = AuthenticityCircuit {
        public: public.to_signals().try_into().unwrap(),
        path_elements: claim.path.elements,
        path_indices: indices,
        salt: claim.salt,
        leaf_inverse: claim.leaf.inverse().unwrap(),
    };
    assert!(matches!(prove_circuit_with_rng(pk, circuit, 4, &mut rng(11)), Err(ProveError::Unsatisfied(_))));
    // An epoch ≥ 2^64 is refused by the range check.
    let mut signals = public.to_signals();
    signals[2] = Fr::from(u64::MAX) + Fr::one();
    signals[3] = poseidon_hash(&[claim.salt, claim.leaf, signals[2]]);
    let circuit = AuthenticityCircuit {
        public: signals.try_into().unwrap(),
        path_elements: claim.path.elements,
        path_indices: claim.path.indices.map(|b| Fr::from(u64::from(b))),
        salt: claim.salt,
        leaf_inverse: claim.leaf.inverse().unwrap(),
    };
    assert!(matches!(prove_circuit_with_rng(pk, circuit, 4, &mut rng(11)), Err(ProveError::Unsatisfied(_))));
    assert!(Fr::zero().is_zero());
}

/// Leaf 0 is an empty slot, present in every tree that is not full: a path from it reaches the
/// current root (and the empty tree's root at epoch 0). The prover refuses it, and a cheating
/// prover that skips the native check cannot satisfy the circuit (leaf ≠ 0 is a constraint).
#[test]
fn leaf_zero_cannot_be_proven() {
    let (tree, claim) = auth_claim();
    let pk = &auth_keys().pk;
    // The path of the next (empty) slot leads from leaf 0 to the current root.
    let mut with_empty_slot = tree.leaves().to_vec();
    with_empty_slot.push(Fr::zero());
    let padded = honestly_zk::RegistryTree::from_leaves(with_empty_slot).unwrap();
    let empty_slot_path = padded.path(tree.len()).unwrap();
    assert_eq!(empty_slot_path.root_from(Fr::zero()), tree.root());
    let forged =
        honestly_zk::prover::AuthenticityClaim { leaf: Fr::zero(), path: empty_slot_path, ..claim.clone() };
    assert!(matches!(
        prove_authenticity_with_rng(pk, &forged, &mut rng(12)),
        Err(ProveError::FalseStatement(_))
    ));

    // The empty tree: leaf 0 up a path of empty subtrees is its root, epoch 0.
    let zeros = honestly_zk::registry::zero_hashes();
    let empty_path = honestly_zk::MerklePath {
        elements: zeros[..honestly_zk::REGISTRY_DEPTH].try_into().unwrap(),
        indices: [false; honestly_zk::REGISTRY_DEPTH],
    };
    let empty_root = honestly_zk::RegistryTree::new().root();
    assert_eq!(empty_path.root_from(Fr::zero()), empty_root);
    let at_empty = honestly_zk::prover::AuthenticityClaim {
        leaf: Fr::zero(),
        path: empty_path,
        root: empty_root,
        epoch: 0,
        salt: Fr::from(5u64),
    };
    assert!(matches!(
        prove_authenticity_with_rng(pk, &at_empty, &mut rng(12)),
        Err(ProveError::FalseStatement(_))
    ));

    // Skipping the native check: the witness satisfies every constraint but leaf ≠ 0, whatever
    // value the cheating prover gives the inverse.
    for cheat in [forged, at_empty] {
        for leaf_inverse in [Fr::zero(), Fr::one(), -Fr::one(), Fr::from(0xdead_beefu64)] {
            let circuit = AuthenticityCircuit {
                public: cheat.public().to_signals().try_into().unwrap(),
                path_elements: cheat.path.elements,
                path_indices: cheat.path.indices.map(|b| Fr::from(u64::from(b))),
                salt: cheat.salt,
                leaf_inverse,
            };
            assert!(matches!(
                prove_circuit_with_rng(pk, circuit, 4, &mut rng(13)),
                Err(ProveError::Unsatisfied(_))
            ));
        }
    }
    // The honest witness of a real leaf, with a wrong inverse, is refused too.
    let public = claim.public();
    let circuit = AuthenticityCircuit {
        public: public.to_signals().try_into().unwrap(),
        path_elements: claim.path.elements,
        path_indices: claim.path.indices.map(|b| Fr::from(u64::from(b))),
        salt: claim.salt,
        leaf_inverse: claim.leaf.inverse().unwrap() + Fr::one(),
    };
    assert!(matches!(prove_circuit_with_rng(pk, circuit, 4, &mut rng(14)), Err(ProveError::Unsatisfied(_))));
}
