//! Proving `credential_query` over a holder's credential: every reason the credential cannot
//! answer is found natively first, then the proof is made on the CPU pool.

use honestly_zk::circuits::credential_query::{
    CredentialQueryCircuit, QueryWitness, QUERY_N_PUBLIC, QUERY_PUBLIC_SIGNALS,
};
use honestly_zk::eddsa::{PublicKey, Signature};
use honestly_zk::prover::prove_circuit_with_rng;
use honestly_zk::revocation::RevocationTree;
use honestly_zk::snarkjs::proof_to_value;
use honestly_zk::{fr_to_decimal, CircuitId, Fr};
use serde::Serialize;
use subtle::ConstantTimeEq;

use super::binding::holder_commitment;
use super::error::CredentialProofError;
use super::query::{CredentialQuery, NationalityRule, Predicates};
use crate::credentials::{has_reached_age, CalendarDate, Credential};
use crate::zk::service::ZkService;

/// A `credential_query` proof.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CredentialProof {
    /// snarkjs proof JSON.
    pub proof: serde_json::Value,
    /// The public signals, decimal strings in the circuit's order.
    pub public_signals: Vec<String>,
    /// `{name: value}` of the public signals.
    pub public_inputs: serde_json::Map<String, serde_json::Value>,
}

impl CredentialProof {
    /// The `nullifier` signal.
    pub fn nullifier(&self) -> &str {
        self.public_inputs.get("nullifier").and_then(|v| v.as_str()).unwrap_or_default()
    }
}

/// The issuer key and signature of `credential` as the EdDSA-Poseidon implementation takes
/// them, when they are well-formed (points in the subgroup, `S` below its order).
fn issuer_key_and_signature(credential: &Credential) -> Option<(PublicKey, Signature)> {
    let key = credential.issuer.public_key();
    let key = PublicKey::from_decimal(&fr_to_decimal(&key.x), &fr_to_decimal(&key.y)).ok()?;
    let sig = &credential.signature;
    let sig =
        Signature::from_decimal(&fr_to_decimal(&sig.r8x), &fr_to_decimal(&sig.r8y), &fr_to_decimal(&sig.s))
            .ok()?;
    Some((key, sig))
}

/// The first predicate of `predicates` the credential's claims do not meet on `day` (its
/// name as in the query: `min_age`, `not_expired`, `nationality_in`, `nationality_not_in`).
/// Holders' pages use it to say which credentials would answer a request before proving.
pub fn unmet_predicate(
    credential: &Credential,
    predicates: &Predicates,
    day: CalendarDate,
) -> Option<&'static str> {
    let claims = &credential.claims;
    // `min_age` is at most 150 once validated.
    let years = u32::try_from(predicates.min_age).unwrap_or(u32::MAX);
    if predicates.min_age > 0 && !has_reached_age(claims.birth_date, years, day) {
        return Some("min_age");
    }
    if predicates.not_expired && claims.document_expiry.is_some_and(|expiry| expiry < day) {
        return Some("not_expired");
    }
    let nationality = claims.nationality;
    match &predicates.nationality {
        NationalityRule::In(list) if !nationality.is_stated() || !list.contains(&nationality) => {
            Some("nationality_in")
        }
        NationalityRule::NotIn(list) if !nationality.is_stated() || list.contains(&nationality) => {
            Some("nationality_not_in")
        }
        _ => None,
    }
}

/// Proves `query` about `credential` on `reference_date`, for the holder of `holder_secret`,
/// against the issuer's current `revocation` tree, bound to `scope` and `nonce` (see
/// [`super::scope_field`], [`super::nonce_field`]).
///
/// Refused before any proving, in this order: an invalid query
/// ([`Validation`](CredentialProofError::Validation)), `not_yours`, `invalid_signature`,
/// `revoked`, `not_yet_valid`, `credential_expired`, `unsatisfied` (naming the predicate);
/// `busy` when the CPU pool is saturated. The proving key is loaded on first use.
#[allow(clippy::too_many_arguments)]
pub async fn prove_credential_query(
    zk: &ZkService,
    credential: &Credential,
    holder_secret: Fr,
    revocation: &RevocationTree,
    query: &CredentialQuery,
    scope: Fr,
    nonce: Fr,
    reference_date: CalendarDate,
) -> Result<CredentialProof, CredentialProofError> {
    let predicates = query.predicates()?;
    let claims = &credential.claims;
    let commitment = holder_commitment(holder_secret);
    let mine: bool =
        fr_to_decimal(&commitment).as_bytes().ct_eq(fr_to_decimal(&claims.holder).as_bytes()).into();
    if !mine {
        return Err(CredentialProofError::NotYours);
    }
    let claims_hash = credential.claims_hash();
    let (issuer, signature) = issuer_key_and_signature(credential)
        .filter(|(key, signature)| key.verify(claims_hash, signature))
        .ok_or(CredentialProofError::InvalidSignature)?;
    let id = claims.credential_id.value();
    if revocation.is_revoked(id) {
        return Err(CredentialProofError::Revoked);
    }
    if claims.issued_at > reference_date {
        return Err(CredentialProofError::NotYetValid);
    }
    if !claims.is_valid_on(reference_date) {
        return Err(CredentialProofError::CredentialExpired);
    }
    if let Some(predicate) = unmet_predicate(credential, &predicates, reference_date) {
        return Err(CredentialProofError::Unsatisfied { predicate });
    }
    if !zk.is_ready() {
        return Err(CredentialProofError::KeysLoading);
    }
    let params = predicates.to_params(issuer, revocation.root(), reference_date, scope, nonce);
    let witness = QueryWitness {
        claims: claims.fields(),
        signature,
        holder_secret,
        revocation_path: revocation.path(id),
    };
    let circuit = CredentialQueryCircuit::new(&params, &witness);
    let public = circuit.public;
    let pk = zk.proving_key(CircuitId::CredentialQuery).await?;
    let proof = zk
        .cpu()
        .run(move || prove_circuit_with_rng(&pk, circuit, QUERY_N_PUBLIC, &mut rand::rngs::OsRng))
        .await?
        .map_err(CredentialProofError::Prove)?;
    let public_signals: Vec<String> = public.iter().map(fr_to_decimal).collect();
    let public_inputs = QUERY_PUBLIC_SIGNALS
        .iter()
        .zip(&public_signals)
        .map(|(name, value)| (name.to_string(), serde_json::Value::String(value.clone())))
        .collect();
    Ok(CredentialProof { proof: proof_to_value(&proof), public_signals, public_inputs })
}
