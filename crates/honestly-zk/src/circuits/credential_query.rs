//! `credential_query`: "I hold a credential signed by this issuer, not revoked in this
//! revocation state, valid on `referenceDate`, whose claims meet these predicates" — without
//! revealing the credential (the statement and the public-signal order are in `docs/zk.md`).

use ark_ff::PrimeField;
use ark_r1cs_std::{fields::fp::FpVar, prelude::*};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

use super::predicates::{
    enforce_date, enforce_disclosure, enforce_leq, enforce_min_age, enforce_nationality, enforce_not_expired,
    DATE_BITS, NATIONALITY_LIST_LEN,
};
use crate::{
    eddsa::{
        gadget::{enforce_eddsa_poseidon, PointVar},
        PublicKey, Signature,
    },
    poseidon::poseidon_gadget,
    revocation::{enforce_not_revoked, RevocationPath, RevocationPathVar},
    Fr,
};

/// Number of claims of a schema-1 credential.
pub const CLAIM_COUNT: usize = 10;

/// The schema the circuit accepts (`claims[0]`).
pub const SCHEMA: u64 = 1;

/// Claim positions in `claimsHash = Poseidon(claims)`.
pub mod claim {
    /// `schema`.
    pub const SCHEMA: usize = 0;
    /// `credentialId`.
    pub const CREDENTIAL_ID: usize = 1;
    /// `holder = Poseidon(holderSecret)`.
    pub const HOLDER: usize = 2;
    /// `documentHash`.
    pub const DOCUMENT_HASH: usize = 3;
    /// `birthDate` (YYYYMMDD).
    pub const BIRTH_DATE: usize = 4;
    /// `documentExpiry` (YYYYMMDD, 0 = none).
    pub const DOCUMENT_EXPIRY: usize = 5;
    /// `nationality` (ISO 3166-1 numeric, 0 = not stated).
    pub const NATIONALITY: usize = 6;
    /// `documentType`.
    pub const DOCUMENT_TYPE: usize = 7;
    /// `issuedAt` (YYYYMMDD).
    pub const ISSUED_AT: usize = 8;
    /// `validUntil` (YYYYMMDD).
    pub const VALID_UNTIL: usize = 9;
}

/// Number of public signals of `credential_query`.
pub const QUERY_N_PUBLIC: usize = 20;

/// The public signals of `credential_query`, in the circuit's order: the one place in code
/// that defines it (`docs/zk.md` repeats it).
pub const QUERY_PUBLIC_SIGNALS: [&str; QUERY_N_PUBLIC] = [
    "issuerAx",
    "issuerAy",
    "revocationRoot",
    "referenceDate",
    "minAge",
    "notExpired",
    "nationalityMode",
    "nationalityList[0]",
    "nationalityList[1]",
    "nationalityList[2]",
    "nationalityList[3]",
    "nationalityList[4]",
    "nationalityList[5]",
    "nationalityList[6]",
    "nationalityList[7]",
    "discloseNationality",
    "scope",
    "nonce",
    "disclosedNationality",
    "nullifier",
];

/// Index of a public signal by name in [`QUERY_PUBLIC_SIGNALS`] (panics on an unknown name:
/// only used with the constant names above).
pub const fn query_signal_index(name: &str) -> usize {
    let mut i = 0;
    while i < QUERY_N_PUBLIC {
        if const_str_eq(QUERY_PUBLIC_SIGNALS[i], name) {
            return i;
        }
        i += 1;
    }
    panic!("unknown credential_query signal")
}

const fn const_str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The verifier's side of a query: everything public except the two outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryParams {
    /// The issuer's public key.
    pub issuer: PublicKey,
    /// The revocation tree's root the proof is made against.
    pub revocation_root: Fr,
    /// `referenceDate` (YYYYMMDD).
    pub reference_date: u64,
    /// `minAge` in years (0 = not asked, < 256).
    pub min_age: u64,
    /// `notExpired`.
    pub not_expired: bool,
    /// `nationalityMode` (0 none, 1 in, 2 not in).
    pub nationality_mode: u64,
    /// `nationalityList` (unused slots 0).
    pub nationality_list: [u64; NATIONALITY_LIST_LEN],
    /// `discloseNationality`.
    pub disclose_nationality: bool,
    /// `scope` (the verifier action the nullifier is for).
    pub scope: Fr,
    /// `nonce` (binds the proof to one request).
    pub nonce: Fr,
}

/// The private side: the credential and the holder's secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryWitness {
    /// The ten claims, in [`claim`] order.
    pub claims: [Fr; CLAIM_COUNT],
    /// The issuer's signature of `Poseidon(claims)`.
    pub signature: Signature,
    /// `holderSecret` (`claims[HOLDER] = Poseidon(holderSecret)`).
    pub holder_secret: Fr,
    /// The non-membership path of `credentialId` in the revocation tree.
    pub revocation_path: RevocationPath,
}

/// The `credential_query` circuit with its full assignment (zeros for key generation).
#[derive(Debug, Clone)]
pub struct CredentialQueryCircuit {
    /// Public signals, in [`QUERY_PUBLIC_SIGNALS`] order.
    pub public: [Fr; QUERY_N_PUBLIC],
    /// Private claims.
    pub claims: [Fr; CLAIM_COUNT],
    /// Private signature `(R8x, R8y, S)`.
    pub signature: [Fr; 3],
    /// Private `holderSecret`.
    pub holder_secret: Fr,
    /// Private revocation path (the gap holding `credentialId` and its leaf's siblings).
    pub revocation: RevocationPath,
}

impl CredentialQueryCircuit {
    /// An assignment of zeros: only the shape matters for key generation.
    pub fn blank() -> Self {
        let zero = Fr::from(0u64);
        Self {
            public: [zero; QUERY_N_PUBLIC],
            claims: [zero; CLAIM_COUNT],
            signature: [zero; 3],
            holder_secret: zero,
            revocation: RevocationPath::blank(),
        }
    }

    /// The assignment for `params` and `witness`, with the outputs (`disclosedNationality`,
    /// `nullifier`) computed from the witness. Whether it satisfies the circuit is the
    /// constraint system's business (a false statement does not).
    pub fn new(params: &QueryParams, witness: &QueryWitness) -> Self {
        let nationality = witness.claims[claim::NATIONALITY];
        let disclosed = if params.disclose_nationality { nationality } else { Fr::from(0u64) };
        let nullifier = crate::poseidon_hash(&[witness.holder_secret, params.scope]);
        let key = params.issuer.point();
        let public = QueryPublic {
            issuer: (key.x(), key.y()),
            revocation_root: params.revocation_root,
            reference_date: params.reference_date,
            min_age: params.min_age,
            not_expired: params.not_expired,
            nationality_mode: params.nationality_mode,
            nationality_list: params.nationality_list,
            disclose_nationality: params.disclose_nationality,
            scope: params.scope,
            nonce: params.nonce,
            disclosed_nationality: 0,
            nullifier,
        }
        .to_signals();
        // The claimed nationality may lie outside the circuit's range (which then refuses
        // it), so the output is written as the field element itself.
        let mut public = public;
        public[query_signal_index("disclosedNationality")] = disclosed;
        let sig = &witness.signature;
        Self {
            public,
            claims: witness.claims,
            signature: [sig.r8().x(), sig.r8().y(), Fr::from_le_bytes_mod_order(&sig.s().to_bytes_le())],
            holder_secret: witness.holder_secret,
            revocation: witness.revocation_path.clone(),
        }
    }
}

impl CredentialQueryCircuit {
    /// Synthesizes the assignment and names the first constraint it does not satisfy
    /// (`None` when the statement holds): a check before proving, and what tests of other
    /// crates use to run the circuit without keys.
    pub fn first_unsatisfied(&self) -> Result<Option<String>, SynthesisError> {
        let cs = ark_relations::gr1cs::ConstraintSystem::<Fr>::new_ref();
        self.clone().generate_constraints(cs.clone())?;
        cs.which_is_unsatisfied()
    }
}

impl ConstraintSynthesizer<Fr> for CredentialQueryCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        // Public inputs first, in the contract's order.
        let p = self
            .public
            .iter()
            .map(|v| FpVar::new_input(cs.clone(), || Ok(*v)))
            .collect::<Result<Vec<_>, _>>()?;
        let at = |name: &str| &p[query_signal_index(name)];
        let list: [FpVar<Fr>; NATIONALITY_LIST_LEN] =
            std::array::from_fn(|i| p[query_signal_index("nationalityList[0]") + i].clone());
        let witness = |v: Fr| FpVar::new_witness(cs.clone(), || Ok(v));
        let claims = self.claims.iter().map(|v| witness(*v)).collect::<Result<Vec<_>, _>>()?;
        let [r8x, r8y, s] = self.signature;
        let r8 = PointVar::new_witness(cs.clone(), r8x, r8y)?;
        let s = witness(s)?;
        let holder_secret = witness(self.holder_secret)?;
        let revocation = RevocationPathVar::new_witness(cs.clone(), &self.revocation)?;

        // The issuer signed these claims (schema 1).
        claims[claim::SCHEMA].enforce_equal(&FpVar::Constant(Fr::from(SCHEMA)))?;
        let claims_hash = poseidon_gadget(&claims)?;
        let issuer = PointVar { x: at("issuerAx").clone(), y: at("issuerAy").clone() };
        enforce_eddsa_poseidon(&issuer, &r8, &s, &claims_hash)?;

        // Only the holder can use it.
        poseidon_gadget(std::slice::from_ref(&holder_secret))?.enforce_equal(&claims[claim::HOLDER])?;

        // Dates are range-checked before any comparison; the credential is valid on the day.
        let reference = at("referenceDate");
        for date in [
            reference,
            &claims[claim::BIRTH_DATE],
            &claims[claim::DOCUMENT_EXPIRY],
            &claims[claim::VALID_UNTIL],
        ] {
            enforce_date(date)?;
        }
        enforce_leq(reference, &claims[claim::VALID_UNTIL], DATE_BITS)?;

        // Not revoked in the published state.
        enforce_not_revoked(&claims[claim::CREDENTIAL_ID], at("revocationRoot"), &revocation)?;

        // The verifier's predicates.
        enforce_min_age(&claims[claim::BIRTH_DATE], at("minAge"), reference)?;
        enforce_not_expired(at("notExpired"), &claims[claim::DOCUMENT_EXPIRY], reference)?;
        enforce_nationality(&claims[claim::NATIONALITY], at("nationalityMode"), &list)?;
        enforce_disclosure(
            &claims[claim::NATIONALITY],
            at("discloseNationality"),
            at("disclosedNationality"),
        )?;

        // One nullifier per holder and scope; the nonce is bound by a constraint of its own.
        poseidon_gadget(&[holder_secret, at("scope").clone()])?.enforce_equal(at("nullifier"))?;
        let nonce = at("nonce");
        let _ = nonce.square()?;
        Ok(())
    }
}

mod public;
#[cfg(test)]
mod tests;

pub use public::QueryPublic;
