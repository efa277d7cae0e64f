//! Proofs about a user's own documents: `age_proof_v2` (birth date and threshold from the
//! request, `YYYYMMDD` dates, reference date = today in UTC; the old `age_proof` circuit only
//! verifies) and `authenticity_proof` (path from the registry). A false
//! statement is refused before any proving; proofs are stored and listed per owner.

use std::sync::Arc;

use honestly_zk::prover::{
    prove_age, prove_age_v2, prove_authenticity, random_salt, AgeClaim, AgeV2Claim, AuthenticityClaim,
};
use honestly_zk::snarkjs::proof_to_value;
use honestly_zk::{field_from_sha256, fr_to_decimal, CircuitId, ProveError};
use serde::Serialize;

use super::service::{KeyError, ZkService};
use crate::clock::Timestamp;
use crate::cpu::CpuBusy;
use crate::credentials::CalendarDate;
use crate::documents::{DocumentError, DocumentService};
use crate::error::{FieldErrors, Inconsistent};
use crate::ids::{DocumentId, ProofId, UserId};
use crate::registry::Registry;
use crate::store::{Store, StoreError};
use crate::timeline::{TimelineEvent, TimelineKind};

/// Most proofs one list returns.
pub const MAX_LISTED_PROOFS: u32 = 100;

/// What to prove about a document.
#[derive(Debug, Clone)]
pub enum ProofRequest {
    /// "The holder is at least `min_age` years old" (self-declared), proven with
    /// `age_proof_v2`.
    Age {
        /// `YYYY-MM-DD`, from 1000-01-01, not after today (UTC).
        birth_date: String,
        /// Years, 0–150.
        min_age: u64,
    },
    /// The same statement with the older `age_proof` circuit (birth time in Unix seconds, so
    /// 1970-01-01 or later). The API no longer offers it; its proofs keep verifying.
    LegacyAge {
        /// `YYYY-MM-DD`, 1970-01-01 or later.
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
    /// The proof's id.
    pub id: ProofId,
    /// The owner.
    #[serde(skip)]
    pub user_id: UserId,
    /// `age_proof_v2`, `authenticity_proof`, or `age_proof` (made before `age_proof_v2`).
    pub proof_type: String,
    /// The document proven about.
    pub document_id: DocumentId,
    /// snarkjs proof JSON.
    pub proof: serde_json::Value,
    /// Decimal strings in the circuit's order.
    pub public_signals: Vec<String>,
    /// The nullifier signal.
    pub nullifier: String,
    /// When it was made.
    pub created_at: Timestamp,
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
    #[error(transparent)]
    Validation(#[from] FieldErrors),
    /// The statement is false (e.g. younger than `min_age`): no proof exists.
    #[error("the statement is false: {0}")]
    FalseStatement(String),
    /// Document or proof not found (or not the caller's).
    #[error("not found")]
    NotFound,
    /// The verification and proving keys are still being loaded.
    #[error("zero-knowledge keys are still loading")]
    KeysLoading,
    /// The CPU pool is saturated.
    #[error(transparent)]
    Busy(#[from] CpuBusy),
    /// A proving key could not be loaded.
    #[error("a proving key cannot be loaded")]
    Keys(#[source] KeyError),
    /// Proving failed for a true statement.
    #[error("proving failed")]
    Prove(#[source] ProveError),
    /// The document's content could not be read.
    #[error("the document cannot be read")]
    Document(#[source] DocumentError),
    /// Stored data broke an expectation.
    #[error(transparent)]
    Inconsistent(#[from] Inconsistent),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<KeyError> for ProofError {
    fn from(e: KeyError) -> Self {
        match e {
            KeyError::Busy(busy) => ProofError::Busy(busy),
            other => ProofError::Keys(other),
        }
    }
}

impl From<DocumentError> for ProofError {
    fn from(e: DocumentError) -> Self {
        match e {
            DocumentError::NotFound => ProofError::NotFound,
            DocumentError::Validation(f) => ProofError::Validation(f),
            DocumentError::Busy(busy) => ProofError::Busy(busy),
            DocumentError::Store(store) => ProofError::Store(store),
            other => ProofError::Document(other),
        }
    }
}

fn prove_error(e: ProveError) -> ProofError {
    match e {
        ProveError::FalseStatement(reason) => ProofError::FalseStatement(reason),
        other => ProofError::Prove(other),
    }
}

/// Parses `YYYY-MM-DD` (from 1000-01-01) as a `YYYYMMDD` date, not after `today`.
fn parse_birth_date(raw: &str, today: CalendarDate) -> Result<CalendarDate, ProofError> {
    let date = CalendarDate::parse_iso(raw).map_err(|e| {
        FieldErrors::one("birth_date", format!("must be a date written YYYY-MM-DD from 1000-01-01 on ({e})"))
    })?;
    if date > today {
        return Err(FieldErrors::one("birth_date", "must not be in the future").into());
    }
    Ok(date)
}

/// Parses `YYYY-MM-DD` into midnight UTC, Unix seconds, for the older `age_proof` circuit:
/// 1970 or later and not after `now`.
fn birth_timestamp(raw: &str, now: Timestamp) -> Result<u64, ProofError> {
    let date =
        parse_birth_date(raw, CalendarDate::of_timestamp(now).map_err(|e| Inconsistent(e.to_string()))?)?;
    let midnight = time::Date::from_calendar_date(
        date.year() as i32,
        time::Month::try_from(date.month() as u8).map_err(|e| Inconsistent(e.to_string()))?,
        date.day() as u8,
    )
    .map_err(|e| Inconsistent(e.to_string()))?
    .midnight()
    .assume_utc()
    .unix_timestamp();
    u64::try_from(midnight).map_err(|_| {
        FieldErrors::one("birth_date", "dates before 1970-01-01 are not supported by the age_proof circuit")
            .into()
    })
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
        user_id: &UserId,
        document_id: &DocumentId,
        request: ProofRequest,
    ) -> Result<ProofRecord, ProofError> {
        let doc = self.documents.get(user_id, document_id).await?;
        if !self.zk.is_ready() {
            return Err(ProofError::KeysLoading);
        }
        let digest: [u8; 32] = hex::decode(&doc.sha256)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| Inconsistent(format!("the stored sha256 of {} is not 32 bytes of hex", doc.id)))?;
        let leaf = field_from_sha256(&digest);
        let (circuit, proof, signals) = match request {
            ProofRequest::Age { birth_date, min_age } => {
                if min_age > 150 {
                    return Err(FieldErrors::one("min_age", "must be between 0 and 150").into());
                }
                let today = CalendarDate::of_timestamp(Timestamp::now())
                    .map_err(|e| Inconsistent(format!("today is not a calendar date: {e}")))?;
                let (epoch, _) = self.registry.current().await;
                let claim = AgeV2Claim {
                    birth_date: parse_birth_date(&birth_date, today)?.yyyymmdd(),
                    salt: random_salt(),
                    epoch,
                    min_age,
                    reference_date: today.yyyymmdd(),
                    document_hash: leaf,
                };
                claim.check().map_err(prove_error)?;
                let pk = self.zk.proving_key(CircuitId::AgeV2).await?;
                let (proof, public) =
                    self.zk.cpu().run(move || prove_age_v2(&pk, &claim)).await?.map_err(prove_error)?;
                (CircuitId::AgeV2, proof, public.to_signals())
            }
            ProofRequest::LegacyAge { birth_date, min_age } => {
                if min_age > 150 {
                    return Err(FieldErrors::one("min_age", "must be between 0 and 150").into());
                }
                let now = Timestamp::now();
                let (epoch, _) = self.registry.current().await;
                let claim = AgeClaim {
                    birth_ts: birth_timestamp(&birth_date, now)?,
                    salt: random_salt(),
                    epoch,
                    min_age,
                    reference_ts: u64::try_from(now.unix()).unwrap_or(0),
                    document_hash: leaf,
                };
                claim.check().map_err(prove_error)?;
                let pk = self.zk.proving_key(CircuitId::Age).await?;
                let (proof, public) =
                    self.zk.cpu().run(move || prove_age(&pk, &claim)).await?.map_err(prove_error)?;
                (CircuitId::Age, proof, public.to_signals())
            }
            ProofRequest::Authenticity => {
                let (path, root, epoch) = self
                    .registry
                    .path(doc.registry_index)
                    .await
                    .ok_or_else(|| Inconsistent(format!("{} is missing from the registry", doc.id)))?;
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
            id: ProofId::generate(),
            user_id: user_id.clone(),
            proof_type: circuit.name().into(),
            document_id: doc.id.clone(),
            proof: proof_to_value(&proof),
            nullifier: public_signals.last().cloned().unwrap_or_default(),
            public_signals,
            created_at: Timestamp::now(),
        };
        let event =
            TimelineEvent::new(user_id, TimelineKind::ProofCreated).document(&doc.id).proof(&record.id);
        // Refused when the document was deleted while the proof was made: a proof never
        // outlives its document.
        if !self.store.insert_proof(&record, &event).await? {
            return Err(ProofError::NotFound);
        }
        Ok(record)
    }

    /// One of the caller's proofs.
    pub async fn get(&self, user_id: &UserId, id: &ProofId) -> Result<ProofRecord, ProofError> {
        self.store.proof(user_id, id).await?.ok_or(ProofError::NotFound)
    }

    /// The caller's proofs, newest first.
    pub async fn list(&self, user_id: &UserId) -> Result<Vec<ProofRecord>, ProofError> {
        Ok(self.store.list_proofs(user_id, MAX_LISTED_PROOFS).await?)
    }
}
