//! The holder's answer: with a credential (the server proves the request's query with its
//! nonce and scope, checks the proof as a verifier would — trusted issuers, predicates, scope,
//! nonce, the issuer's current revocation state — and completes the request with the result),
//! with a birth date for a self-declared age request (an `age_proof_v2` proof about one of the
//! holder's documents, labelled self-declared), or a decline.

use std::collections::BTreeMap;

use honestly_zk::CircuitId;

use super::error::ProofRequestError;
use super::model::RequestedProof;
use super::model::{
    Disclosed, Finish, FinishOutcome, IssuerRef, ProofRequestRecord, ProofRequestResult, ProofRequestStatus,
};
use super::service::ProofRequestService;
use crate::audit::Actor;
use crate::clock::Timestamp;
use crate::error::FieldErrors;
use crate::ids::{CredentialId, DocumentId, UserId};
use crate::issuance::IssuerRecord;
use crate::zk::credential_proofs::{CountryInput, CredentialQuery};
use crate::zk::expected::{CountryCode, Expected, TrustedIssuer};
use crate::zk::{ProofRequest, VerifyInput};

/// What the holder answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Prove from this credential of theirs.
    Credential(CredentialId),
    /// Prove a self-declared age: the birth date (`YYYY-MM-DD`) the holder enters, about one
    /// of their documents.
    SelfDeclared {
        /// The document the proof is about.
        document: DocumentId,
        /// The birth date the holder declares.
        birth_date: String,
    },
    /// Decline.
    Decline,
}

fn codes(list: &Option<Vec<CountryInput>>) -> Option<Vec<CountryCode>> {
    list.as_ref().map(|list| {
        list.iter()
            .map(|c| match c {
                CountryInput::Numeric(n) => CountryCode::Numeric(*n),
                CountryInput::Text(t) => CountryCode::Text(t.clone()),
            })
            .collect()
    })
}

/// What a verifier of this request expects of the proof.
fn expected_of(request: &ProofRequestRecord) -> Expected {
    let q = &request.spec.query;
    Expected {
        trusted_issuers: Some(
            request.spec.trusted_issuers.iter().map(|id| TrustedIssuer::Id(id.to_string())).collect(),
        ),
        min_age: q.min_age,
        not_expired: q.not_expired,
        nationality_in: codes(&q.nationality_in),
        nationality_not_in: codes(&q.nationality_not_in),
        disclose: q.disclose.clone(),
        scope: Some(request.spec.scope.clone()),
        nonce: Some(request.spec.nonce.clone()),
        ..Expected::default()
    }
}

/// The names of the predicates a query asks.
pub fn asked_predicates(query: &CredentialQuery) -> Vec<&'static str> {
    let mut names = Vec::new();
    if query.min_age.is_some() {
        names.push("min_age");
    }
    if query.not_expired == Some(true) {
        names.push("not_expired");
    }
    if query.nationality_in.is_some() {
        names.push("nationality_in");
    }
    if query.nationality_not_in.is_some() {
        names.push("nationality_not_in");
    }
    if query.disclose.as_ref().is_some_and(|d| !d.is_empty()) {
        names.push("disclose_nationality");
    }
    names
}

/// The error of an answer to a request that is no longer pending.
fn not_pending(request: &ProofRequestRecord) -> ProofRequestError {
    match request.status {
        ProofRequestStatus::Expired => ProofRequestError::Expired,
        _ => ProofRequestError::AlreadyFinished,
    }
}

impl ProofRequestService {
    /// The holder's answer to the request of `token`: the request as it now is.
    pub async fn respond(
        &self,
        holder: &UserId,
        token: &str,
        answer: &Answer,
    ) -> Result<ProofRequestRecord, ProofRequestError> {
        let request = self.by_token(token).await?;
        if request.status != ProofRequestStatus::Pending {
            return Err(not_pending(&request));
        }
        let kind = request.spec.proof_type;
        let finish = match answer {
            Answer::Decline => Finish::Decline,
            Answer::Credential(id) if kind == RequestedProof::CredentialQuery => {
                self.prove_for(holder, &request, id).await?
            }
            Answer::SelfDeclared { document, birth_date } if kind == RequestedProof::SelfDeclaredAge => {
                self.prove_declared_age(holder, &request, document, birth_date).await?
            }
            Answer::Credential(_) => {
                return Err(ProofRequestError::WrongAnswer(FieldErrors::one(
                    "credential_id",
                    "this request asks for a self-declared age: answer with document_id and birth_date",
                )))
            }
            Answer::SelfDeclared { .. } => {
                return Err(ProofRequestError::WrongAnswer(FieldErrors::one(
                    "document_id",
                    "this request asks for a credential: answer with credential_id",
                )))
            }
        };
        match self.finish(&request.id, &finish, Actor::User(holder.clone())).await? {
            FinishOutcome::Done(done) => Ok(done),
            FinishOutcome::NotPending(now) => Err(not_pending(&now)),
            FinishOutcome::TooLate(_) => {
                self.expire(&request.id).await?;
                Err(ProofRequestError::Expired)
            }
            FinishOutcome::AlreadyAnswered => Err(ProofRequestError::AlreadyAnswered),
            FinishOutcome::NotFound => Err(ProofRequestError::NotFound),
        }
    }

    /// The trusted issuers of a request that exist here.
    async fn trusted(&self, request: &ProofRequestRecord) -> Result<Vec<IssuerRecord>, ProofRequestError> {
        let mut issuers = Vec::with_capacity(request.spec.trusted_issuers.len());
        for id in &request.spec.trusted_issuers {
            if let Some(issuer) = self.store.issuer(id).await? {
                issuers.push(issuer);
            }
        }
        Ok(issuers)
    }

    /// Proves the request's query from the holder's credential and checks the proof: the
    /// completion to store.
    async fn prove_for(
        &self,
        holder: &UserId,
        request: &ProofRequestRecord,
        credential: &CredentialId,
    ) -> Result<Finish, ProofRequestError> {
        let held = self.issuance.my_credential(holder, credential).await?;
        let trusted = self.trusted(request).await?;
        let issuer = trusted
            .into_iter()
            .find(|i| i.public_key == held.record.issuer_key)
            .ok_or(ProofRequestError::UntrustedIssuer)?;
        let spec = &request.spec;
        let made = self
            .issuance
            .prove(&self.zk, holder, credential, &spec.query, &spec.scope, Some(&spec.nonce))
            .await?;
        let signals = serde_json::Value::from(made.record.public_signals.clone());
        let expected = expected_of(request);
        let input = VerifyInput {
            proof_type: CircuitId::CredentialQuery.name(),
            proof: &made.record.proof,
            public_signals: &signals,
            expected: &expected,
        };
        let outcome = self.verifier.check(input, Timestamp::now()).await?;
        if !outcome.verified {
            return Err(ProofRequestError::NotVerified {
                reason: outcome.reason.map_or("invalid_proof", |r| r.as_str()),
                expectation: outcome.failed_expectation,
            });
        }
        let mut checks = BTreeMap::new();
        for name in asked_predicates(&spec.query).into_iter().chain([
            "trusted_issuers",
            "not_revoked",
            "scope",
            "nonce",
        ]) {
            checks.insert(name.to_owned(), true);
        }
        let facts = outcome.credential.as_deref();
        let nullifier = outcome.nullifier.clone().unwrap_or_else(|| made.record.nullifier.clone());
        let result = ProofRequestResult {
            verified: true,
            checks,
            disclosed: Disclosed { nationality: facts.and_then(|f| f.disclosed_nationality.clone()) },
            nullifier: nullifier.clone(),
            issuer: Some(IssuerRef { id: issuer.id, name: issuer.name }),
            self_declared: false,
            proof_type: made.record.proof_type,
            proof: made.record.proof,
            public_signals: made.record.public_signals,
        };
        Ok(Finish::Complete {
            result: Box::new(result),
            unique_nullifier: spec.unique_per_holder.then_some(nullifier),
        })
    }
}

impl ProofRequestService {
    /// Proves the request's `min_age` of the birth date the holder declares, about one of
    /// their documents (`age_proof_v2`, kept with their proofs), and checks it as a verifier
    /// would: the completion to store, labelled self-declared.
    async fn prove_declared_age(
        &self,
        holder: &UserId,
        request: &ProofRequestRecord,
        document: &DocumentId,
        birth_date: &str,
    ) -> Result<Finish, ProofRequestError> {
        let min_age = request.spec.query.min_age.unwrap_or_default();
        let made = self
            .proofs
            .create(holder, document, ProofRequest::Age { birth_date: birth_date.to_owned(), min_age })
            .await?;
        let signals = serde_json::Value::from(made.public_signals.clone());
        let expected = Expected { min_age: Some(min_age), ..Expected::default() };
        let input = VerifyInput {
            proof_type: CircuitId::AgeV2.name(),
            proof: &made.proof,
            public_signals: &signals,
            expected: &expected,
        };
        let outcome = self.verifier.check(input, Timestamp::now()).await?;
        if !outcome.verified {
            return Err(ProofRequestError::NotVerified {
                reason: outcome.reason.map_or("invalid_proof", |r| r.as_str()),
                expectation: outcome.failed_expectation,
            });
        }
        let result = ProofRequestResult {
            verified: true,
            checks: BTreeMap::from([("min_age".to_owned(), true)]),
            disclosed: Disclosed::default(),
            nullifier: made.nullifier,
            issuer: None,
            self_declared: true,
            proof_type: made.proof_type,
            proof: made.proof,
            public_signals: made.public_signals,
        };
        Ok(Finish::Complete { result: Box::new(result), unique_nullifier: None })
    }
}
