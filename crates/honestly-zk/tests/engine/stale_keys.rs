//! Keys made for the `authenticity_proof` circuit as it was before `leaf ≠ 0`: under them, a
//! proof of leaf 0 (an empty slot) verifies cryptographically, against the current root of a
//! registry with a free slot and against the empty tree's root. The circuit's fingerprint
//! tells those keys apart from current ones, and the expectation checks refuse such proofs
//! whatever key verified them.

use ark_ff::Zero;
use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use honestly_zk::{
    circuits::{fingerprint, fingerprint_of},
    expect::{check_authenticity, AuthenticityExpectations, ExpectationFailure},
    gadgets::enforce_range,
    groth::setup_with_rng,
    poseidon::poseidon_gadget,
    poseidon_hash,
    prover::prove_circuit_with_rng,
    registry::{zero_hashes, MerklePath, RegistryTree, REGISTRY_DEPTH},
    AuthenticityPublic, CircuitId, Fr, PreparedKey,
};

use crate::common::*;

/// The `authenticity_proof` constraints before `leaf ≠ 0`.
#[derive(Clone)]
struct LegacyAuthenticity {
    public: [Fr; 4],
    path: MerklePath,
    salt: Fr,
}

impl ConstraintSynthesizer<Fr> for LegacyAuthenticity {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let [root, leaf, epoch, nullifier] = self.public.map(|v| FpVar::new_input(cs.clone(), || Ok(v)));
        let (root, leaf, epoch, nullifier) = (root?, leaf?, epoch?, nullifier?);
        let salt = FpVar::new_witness(cs.clone(), || Ok(self.salt))?;
        let mut cur = leaf.clone();
        for (sibling, right) in self.path.elements.iter().zip(self.path.indices) {
            let sibling = FpVar::new_witness(cs.clone(), || Ok(*sibling))?;
            let b = FpVar::new_witness(cs.clone(), || Ok(Fr::from(u64::from(right))))?;
            b.mul_equals(&(&b - Fr::from(1u64)), &FpVar::Constant(Fr::zero()))?;
            let left = &cur + &b * (&sibling - &cur);
            let right = &cur + &sibling - &left;
            cur = poseidon_gadget(&[left, right])?;
        }
        cur.enforce_equal(&root)?;
        enforce_range(&epoch, 64)?;
        poseidon_gadget(&[salt, leaf, epoch])?.enforce_equal(&nullifier)?;
        Ok(())
    }
}

fn legacy(root: Fr, epoch: u64, path: MerklePath) -> (LegacyAuthenticity, AuthenticityPublic) {
    let salt = Fr::from(77u64);
    let public = AuthenticityPublic {
        root,
        leaf: Fr::zero(),
        epoch,
        nullifier: poseidon_hash(&[salt, Fr::zero(), Fr::from(epoch)]),
    };
    (LegacyAuthenticity { public: public.to_signals().try_into().unwrap(), path, salt }, public)
}

#[test]
fn leaf_zero_proofs_under_stale_keys_are_recognised_and_refused() {
    let empty_path = MerklePath {
        elements: zero_hashes()[..REGISTRY_DEPTH].try_into().unwrap(),
        indices: [false; REGISTRY_DEPTH],
    };
    let (blank, _) = legacy(Fr::zero(), 0, empty_path.clone());
    // The old circuit is another circuit: keys made for it are stale.
    assert_ne!(
        fingerprint_of(CircuitId::Authenticity.name(), blank.clone()).unwrap(),
        fingerprint(CircuitId::Authenticity).unwrap()
    );
    let (pk, vk) = setup_with_rng(blank, &mut rng(21)).unwrap();
    let stale = PreparedKey::new(&vk, "stale");

    // Leaf 0 in the next free slot of a registry: the path reaches its current root.
    let (tree, _) = auth_claim();
    let mut padded = tree.leaves().to_vec();
    padded.push(Fr::zero());
    let free_slot = RegistryTree::from_leaves(padded).unwrap().path(tree.len()).unwrap();
    let (circuit, at_current) = legacy(tree.root(), tree.len() as u64, free_slot);
    let proof = prove_circuit_with_rng(&pk, circuit, 4, &mut rng(22)).unwrap();
    assert_eq!(stale.verify(&proof, &at_current.to_signals()), Ok(true));
    let none = AuthenticityExpectations::default();
    assert_eq!(check_authenticity(&at_current, &none, |_| true), Err(ExpectationFailure::EmptyLeaf));

    // Leaf 0 in the empty tree, epoch 0: the empty root.
    let (circuit, at_empty) = legacy(RegistryTree::new().root(), 0, empty_path);
    let proof = prove_circuit_with_rng(&pk, circuit, 4, &mut rng(23)).unwrap();
    assert_eq!(stale.verify(&proof, &at_empty.to_signals()), Ok(true));
    let asked = AuthenticityExpectations { registry_root: Some(at_empty.root), ..none };
    assert_eq!(check_authenticity(&at_empty, &asked, |_| true), Err(ExpectationFailure::EmptyLeaf));
    // The empty root is refused on its own too (any leaf).
    let other_leaf = AuthenticityPublic { leaf: Fr::from(1u64), ..at_empty };
    assert_eq!(check_authenticity(&other_leaf, &asked, |_| true), Err(ExpectationFailure::EmptyRoot));
}
