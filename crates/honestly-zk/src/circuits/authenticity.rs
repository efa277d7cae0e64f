//! `authenticity_proof`: "this document hash is a leaf of the vault's document registry with
//! root `root`" — for a leaf that is not 0 (an empty slot is no document).

use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

use super::{check_count, small};
use crate::{
    error::ParseError, gadgets::enforce_range, poseidon::poseidon_gadget, registry::REGISTRY_DEPTH, Fr,
};

/// Public signals of `authenticity_proof`, in the circuit's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthenticityPublic {
    /// The registry root the path leads to.
    pub root: Fr,
    /// The document's leaf, `field(sha256(document))`.
    pub leaf: Fr,
    /// The registry size when `root` was made (< 2^64).
    pub epoch: u64,
    /// `Poseidon(salt, leaf, epoch)`.
    pub nullifier: Fr,
}

impl AuthenticityPublic {
    /// The public signals `[root, leaf, epoch, nullifier]`.
    pub fn to_signals(&self) -> Vec<Fr> {
        vec![self.root, self.leaf, Fr::from(self.epoch), self.nullifier]
    }

    /// Reads the signals back; refuses a wrong count or an out-of-range `epoch`.
    pub fn from_signals(signals: &[Fr]) -> Result<Self, ParseError> {
        check_count(signals, 4)?;
        Ok(Self {
            root: signals[0],
            leaf: signals[1],
            epoch: small(&signals[2], 64, "epoch")?,
            nullifier: signals[3],
        })
    }
}

/// The `authenticity_proof` circuit with its full assignment (zeros for key generation).
#[derive(Debug, Clone)]
pub struct AuthenticityCircuit {
    /// Public signals `[root, leaf, epoch, nullifier]`.
    pub public: [Fr; 4],
    /// Private siblings, leaf level first.
    pub path_elements: [Fr; REGISTRY_DEPTH],
    /// Private `pathIndices` (as field elements so a cheating assignment is expressible;
    /// the circuit forces each to be 0 or 1).
    pub path_indices: [Fr; REGISTRY_DEPTH],
    /// Private `salt`.
    pub salt: Fr,
    /// Private `1 / leaf`, the witness of `leaf ≠ 0` (a field element so that a cheating
    /// assignment is expressible: for leaf 0 no value satisfies `leaf · inverse = 1`).
    pub leaf_inverse: Fr,
}

impl AuthenticityCircuit {
    /// An assignment of zeros: only the shape matters for key generation.
    pub fn blank() -> Self {
        Self {
            public: [Fr::from(0u64); 4],
            path_elements: [Fr::from(0u64); REGISTRY_DEPTH],
            path_indices: [Fr::from(0u64); REGISTRY_DEPTH],
            salt: Fr::from(0u64),
            leaf_inverse: Fr::from(0u64),
        }
    }
}

impl ConstraintSynthesizer<Fr> for AuthenticityCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let [root, leaf, epoch, nullifier] = self.public.map(|v| FpVar::new_input(cs.clone(), || Ok(v)));
        let (root, leaf, epoch, nullifier) = (root?, leaf?, epoch?, nullifier?);
        let salt = FpVar::new_witness(cs.clone(), || Ok(self.salt))?;

        // leaf ≠ 0: an empty slot (leaf 0) is in every tree that is not full, so a path from
        // it proves nothing. `leaf · inverse = 1` has no solution for leaf = 0.
        let inverse = FpVar::new_witness(cs.clone(), || Ok(self.leaf_inverse))?;
        leaf.mul_equals(&inverse, &FpVar::Constant(Fr::from(1u64)))?;

        let mut cur = leaf.clone();
        for (sibling, index) in self.path_elements.iter().zip(self.path_indices.iter()) {
            let sibling = FpVar::new_witness(cs.clone(), || Ok(*sibling))?;
            let b = FpVar::new_witness(cs.clone(), || Ok(*index))?;
            // b·(b − 1) = 0
            b.mul_equals(&(&b - Fr::from(1u64)), &FpVar::Constant(Fr::from(0u64)))?;
            // left = cur + b·(sibling − cur); right = cur + sibling − left.
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
