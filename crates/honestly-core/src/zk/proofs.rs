//! Proofs about a user's own documents: `age_proof` (birth date and threshold from the
//! request, reference time = now) and `authenticity_proof` (path from the registry). A false
//! statement is refused before any proving; proofs are stored and listed per owner.

use std::collections::BTreeMap;
use std::sync::Arc;

use honestly_zk::prover::{prove_age, prove_authenticity, random_salt, AgeClaim, AuthenticityClaim};
use honestly_zk::snarkjs::proof_to_value;
use honestly_zk::{field_from_sha256, fr_to_decimal, CircuitId, ProveError};
use serde::Serialize;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use super::service::{KeyError, ZkService};
use crate::clock::now_rfc3339;
use crate::cpu::CpuBusy;
use crate::documents::{DocumentError, DocumentService};
use crate::ids::{is_valid_id, new_id, IdKind};
use crate::registry::Registry;
use crate::store::{Store, StoreError};
use crate::timeline::TimelineEvent;

/// Most proofs one list returns.
pub const MAX_LISTED_PROOFS: u32 = 100;

/// What to prove about a document.
#[derive(Debug, Clone)]
pub enum ProofRequest {
    /// "The holder is at least `min_age` years old."
    Age {
        /// `YYYY-MM-DD`, 1970-01-01 or later (the circuit's times are unsigned).
        birth_date: String,
        /// Years, 0–150.
        min_age: u64,
    },
    /// "This document is registered."
    Authenticity,
}

/// A stored proof.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProofRecord {
    /// `prf_…`.
    pub id: String,
    /// The owner.
    #[serde(skip)]
    pub user_id: String,
    /// `age_proof` or `authenticity_proof`.
    pub proof_type: String,
    /// The document proven about.
    pub document_id: String,
    /// snarkjs proof JSON.
    pub proof: serde_json::Value,
    /// Decimal strings in the circuit's order.
    pub public_signals: Vec<String>,
    /// The nullifier signal.
    pub nullifier: String,
    /// RFC 3339.
    pub created_at: String,
}

impl ProofRecord {
    /// `{name: value}` of the public signals.
    pub fn public_inputs(&self) -> serde_json::Map<String, serde_json::Value> {
        let names =
            CircuitId::from_name(&self.proof_type).map(super::service::signal_names).unwrap_or_default();
        names
            .into_iter()
            .zip(&self.public_signals)
            .map(|(n, v)| (n.to_string(), serde_json::Value::String(v.clone())))
            .collect()
    }
}

/// Why a proof was not made.
#[derive(Debug, thiserror::Error)]
pub enum ProofError {
    /// Bad input, per field.
    #[error("validation failed")]
    Validation(BTreeMap<String, String>),
    /// The statement is false (e.g. younger than `min_age`): no proof exists.
    #[error("the statement is false: {0}")]
    FalseStatement(String),
    /// Document or proof not found (or not the caller's).
    #[error("not found")]
    NotFound,
    /// Keys are not loaded yet, or the CPU pool is saturated.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// Anything else.
    #[error("{0}")]
    Internal(String),
}

impl From<StoreError> for ProofError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(m) => ProofError::Unavailable(m),
            other => ProofError::Internal(other.to_string()),
        }
    }
}

impl From<CpuBusy> for ProofError {
    fn from(_: CpuBusy) -> Self {
        ProofError::Unavailable("server busy".into())
    }
}

impl From<KeyError> for ProofError {
    fn from(e: KeyError) -> Self {
        match e {
            KeyError::Busy => ProofError::Unavailable("server busy".into()),
            other => ProofError::Internal(other.to_string()),
        }
    }
}

impl From<DocumentError> for ProofError {
    fn from(e: DocumentError) -> Self {
        match e {
            DocumentError::NotFound => ProofError::NotFound,
            DocumentError::Validation(f) => ProofError::Validation(f),
            DocumentError::Busy => ProofError::Unavailable("server busy".into()),
            other => ProofError::Internal(other.to_string()),
        }
    }
}

fn invalid(field: &str, reason: &str) -> ProofError {
    ProofError::Validation(BTreeMap::from([(field.to_string(), reason.to_string())]))
}

fn prove_error(e: ProveError) -> ProofError {
    match e {
        ProveError::FalseStatement(reason) => ProofError::FalseStatement(reason),
        other => ProofError::Internal(other.to_string()),
    }
}

/// Parses `YYYY-MM-DD` into midnight UTC, Unix seconds; 1970 or later and not in the future.
fn birth_timestamp(raw: &str, now: i64) -> Result<u64, ProofError> {
    let date = Date::parse(raw, format_description!("[year]-[month]-[day]"))
        .map_err(|_| invalid("birth_date", "must be a date written YYYY-MM-DD"))?;
    let ts = date.midnight().assume_utc().unix_timestamp();
    if ts < 0 {
        return Err(invalid(
            "birth_date",
            "dates before 1970-01-01 are not supported by the age_proof circuit",
        ));
    }
    if ts > now {
        return Err(invalid("birth_date", "must not be in the future"));
    }
    Ok(ts as u64)
}

/// The proof service.
pub struct ProofService {
    store: Arc<dyn Store>,
    zk: Arc<ZkService>,
    registry: Arc<Registry>,
    documents: Arc<DocumentService>,
}

impl ProofService {
    /// The service.
    pub fn new(
        store: Arc<dyn Store>,
        zk: Arc<ZkService>,
        registry: Arc<Registry>,
        documents: Arc<DocumentService>,
    ) -> Self {
        Self { store, zk, registry, documents }
    }

    /// Proves `request` about the caller's document and stores the proof.
    pub async fn create(
        &self,
        user_id: &str,
        document_id: &str,
        request: ProofRequest,
    ) -> Result<ProofRecord, ProofError> {
        let doc = self.documents.get(user_id, document_id).await?;
        if !self.zk.is_ready() {
            return Err(ProofError::Unavailable("zero-knowledge keys are still loading".into()));
        }
        let digest: [u8; 32] = hex::decode(&doc.sha256)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| ProofError::Internal("stored sha256 is not 32 bytes of hex".into()))?;
        let leaf = field_from_sha256(&digest);
        let (circuit, proof, signals) = match request {
            ProofRequest::Age { birth_date, min_age } => {
                if min_age > 150 {
                    return Err(invalid("min_age", "must be between 0 and 150"));
                }
                let now = OffsetDateTime::now_utc().unix_timestamp();
                let (epoch, _) = self.registry.current().await;
                let claim = AgeClaim {
                    birth_ts: birth_timestamp(&birth_date, now)?,
                    salt: random_salt(),
                    epoch,
                    min_age,
                    reference_ts: now as u64,
                    document_hash: leaf,
                };
                claim.check().map_err(prove_error)?;
                let pk = self.zk.proving_key(CircuitId::Age).await?;
                let (proof, public) =
                    self.zk.cpu().run(move || prove_age(&pk, &claim)).await?.map_err(prove_error)?;
                (CircuitId::Age, proof, public.to_signals())
            }
            ProofRequest::Authenticity => {
                let (path, root, epoch) =
                    self.registry.path(doc.registry_index).await.ok_or_else(|| {
                        ProofError::Internal("document is missing from the registry".into())
                    })?;
                let claim = AuthenticityClaim { leaf, path, root, epoch, salt: random_salt() };
                claim.check().map_err(prove_error)?;
                let pk = self.zk.proving_key(CircuitId::Authenticity).await?;
                let (proof, public) =
                    self.zk.cpu().run(move || prove_authenticity(&pk, &claim)).await?.map_err(prove_error)?;
                (CircuitId::Authenticity, proof, public.to_signals())
            }
        };
        let public_signals: Vec<String> = signals.iter().map(fr_to_decimal).collect();
        let record = ProofRecord {
            id: new_id(IdKind::Proof),
            user_id: user_id.to_string(),
            proof_type: circuit.name().into(),
            document_id: doc.id.clone(),
            proof: proof_to_value(&proof),
            nullifier: public_signals.last().cloned().unwrap_or_default(),
            public_signals,
            created_at: now_rfc3339(),
        };
        let event = TimelineEvent::new(user_id, "proof_created").document(&doc.id).proof(&record.id);
        self.store.insert_proof(&record, &event).await?;
        Ok(record)
    }

    /// One of the caller's proofs.
    pub async fn get(&self, user_id: &str, id: &str) -> Result<ProofRecord, ProofError> {
        if !is_valid_id(IdKind::Proof, id) {
            return Err(ProofError::NotFound);
        }
        self.store.proof(user_id, id).await?.ok_or(ProofError::NotFound)
    }

    /// The caller's proofs, newest first.
    pub async fn list(&self, user_id: &str) -> Result<Vec<ProofRecord>, ProofError> {
        Ok(self.store.list_proofs(user_id, MAX_LISTED_PROOFS).await?)
    }
}
