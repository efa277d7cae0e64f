//! Credential requests: a holder asks an issuer to attest one of their documents; the issuer's
//! members read the request (and that document, through it), then approve — the credential is
//! signed and stored for the holder — or reject it with a reason.

use serde::{Deserialize, Serialize};

use super::error::IssuanceError;
use super::keys;
use super::model::{
    CredentialRequestRecord, Decision, DecisionOutcome, HeldCredential, IssuedCredential, IssuerRecord,
    RequestStatus, SealedKind,
};
use super::service::{IssuanceService, MAX_LISTED_REQUESTS, MAX_PENDING_REQUESTS};
use crate::clock::Timestamp;
use crate::credentials::claim_input::{to_claims, ClaimInput};
use crate::credentials::native_eddsa::issuer_signature;
use crate::credentials::{CalendarDate, Claims, Country, Credential, CredentialIssuer, CredentialSerial};
use crate::documents::DocumentMeta;
use crate::error::FieldErrors;
use crate::ids::{CredentialId, CredentialRequestId, DocumentId, UserId};

/// The longest rejection reason, in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// What a holder asks an issuer to attest (and what an issuer may correct on approval).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestedClaims {
    /// `YYYY-MM-DD`, not in the future.
    pub birth_date: CalendarDate,
    /// ISO 3166-1: alpha-3 (`"DEU"`), alpha-2 or numeric (`276`); `0` not stated.
    pub nationality: Country,
    /// The document's expiry, `YYYY-MM-DD`; `null` when it has none.
    pub document_expiry: Option<CalendarDate>,
}

impl RequestedClaims {
    /// The rules that do not need the issuer: no birth date in the future, no document that
    /// has expired. Named `{prefix}birth_date`, `{prefix}document_expiry`.
    pub fn check(&self, today: CalendarDate, prefix: &str) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.birth_date > today {
            errors.add(format!("{prefix}birth_date"), "is in the future");
        }
        if self.document_expiry.is_some_and(|expiry| expiry < today) {
            errors.add(format!("{prefix}document_expiry"), "is in the past: the document has expired");
        }
        errors.into_result()
    }
}

/// A request with its claims opened (for the holder, or for a member of its issuer).
#[derive(Debug, Clone)]
pub struct RequestView {
    /// The stored request.
    pub record: CredentialRequestRecord,
    /// The claims asked for.
    pub claims: RequestedClaims,
}

/// What an issuer member sees of a request: the request, and the document it is about.
#[derive(Debug, Clone)]
pub struct ReviewView {
    /// The request and its claims.
    pub request: RequestView,
    /// The document's metadata, while the holder keeps it.
    pub document: Option<DocumentMeta>,
}

/// An approval's corrections: claims replacing the requested ones, and the last day the
/// credential may be used (one year after issue when not given).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// Replaces the requested claims when given.
    pub claims: Option<RequestedClaims>,
    /// `YYYY-MM-DD`, after today.
    pub valid_until: Option<CalendarDate>,
}

impl IssuanceService {
    /// The holder asks `issuer_id` to attest their document `document_id`.
    pub async fn request_credential(
        &self,
        holder: &UserId,
        document_id: &DocumentId,
        issuer_id: &crate::ids::IssuerId,
        claims: RequestedClaims,
    ) -> Result<RequestView, IssuanceError> {
        claims.check(Self::today(), "claims.")?;
        if self.store.document(holder, document_id).await?.is_none() {
            return Err(IssuanceError::NotFound);
        }
        if self.store.issuer(issuer_id).await?.is_none() {
            return Err(FieldErrors::one("issuer_id", "no such issuer").into());
        }
        let id = CredentialRequestId::generate();
        let plain = serde_json::to_vec(&claims).map_err(|e| IssuanceError::Internal(Box::new(e)))?;
        let record = CredentialRequestRecord {
            sealed_claims: self.seal(SealedKind::RequestClaims, id.as_str(), holder, plain),
            id,
            holder: holder.clone(),
            document_id: document_id.clone(),
            issuer_id: issuer_id.clone(),
            status: RequestStatus::Pending,
            reason: None,
            credential_id: None,
            decided_by: None,
            created_at: Timestamp::now(),
            decided_at: None,
        };
        if !self.store.insert_credential_request(&record, MAX_PENDING_REQUESTS).await? {
            return Err(IssuanceError::TooMany(
                "Too many pending credential requests; wait for answers or withdraw some",
            ));
        }
        Ok(RequestView { record, claims })
    }

    /// The holder's requests, newest first.
    pub async fn my_requests(&self, holder: &UserId) -> Result<Vec<RequestView>, IssuanceError> {
        let records = self.store.credential_requests_of_holder(holder, MAX_LISTED_REQUESTS).await?;
        records.into_iter().map(|r| self.opened(r)).collect()
    }

    /// One of the holder's requests.
    pub async fn my_request(
        &self,
        holder: &UserId,
        id: &CredentialRequestId,
    ) -> Result<RequestView, IssuanceError> {
        match self.store.credential_request(id).await? {
            Some(record) if &record.holder == holder => self.opened(record),
            _ => Err(IssuanceError::NotFound),
        }
    }

    /// The holder withdraws a pending request.
    pub async fn withdraw_request(
        &self,
        holder: &UserId,
        id: &CredentialRequestId,
    ) -> Result<RequestView, IssuanceError> {
        match self.store.withdraw_credential_request(holder, id, Timestamp::now()).await? {
            DecisionOutcome::Done(record) => self.opened(record),
            DecisionOutcome::NotPending(_) => {
                Err(IssuanceError::Conflict("The request is no longer pending"))
            }
            DecisionOutcome::NotFound => Err(IssuanceError::NotFound),
        }
    }

    /// The requests to the member's issuer, in `status` when given, newest first, before
    /// `before` when given.
    pub async fn review_queue(
        &self,
        member: &UserId,
        status: Option<RequestStatus>,
        before: Option<Timestamp>,
        limit: u32,
    ) -> Result<(IssuerRecord, Vec<RequestView>), IssuanceError> {
        let issuer = self.issuer_of(member).await?;
        let limit = limit.clamp(1, MAX_LISTED_REQUESTS);
        let records = self.store.credential_requests_for_issuer(&issuer.id, status, before, limit).await?;
        let views = records.into_iter().map(|r| self.opened(r)).collect::<Result<_, _>>()?;
        Ok((issuer, views))
    }

    /// One request to the member's issuer, with its document's metadata. A request to another
    /// issuer is not found.
    pub async fn review(
        &self,
        member: &UserId,
        id: &CredentialRequestId,
    ) -> Result<ReviewView, IssuanceError> {
        let issuer = self.issuer_of(member).await?;
        let record = match self.store.credential_request(id).await? {
            Some(record) if record.issuer_id == issuer.id => record,
            _ => return Err(IssuanceError::NotFound),
        };
        let document = self.store.document(&record.holder, &record.document_id).await?;
        Ok(ReviewView { request: self.opened(record)?, document })
    }

    /// Rejects a pending request of the member's issuer, with the reason the holder sees.
    pub async fn reject(
        &self,
        member: &UserId,
        id: &CredentialRequestId,
        reason: &str,
    ) -> Result<RequestView, IssuanceError> {
        let reason = reason.trim();
        if reason.is_empty()
            || reason.chars().count() > MAX_REASON_CHARS
            || reason.chars().any(char::is_control)
        {
            return Err(FieldErrors::one(
                "reason",
                format!("1 to {MAX_REASON_CHARS} characters, no control characters"),
            )
            .into());
        }
        let issuer = self.issuer_of(member).await?;
        let decision = Decision::Reject { reason: reason.to_owned() };
        self.decided(
            self.store.decide_credential_request(&issuer.id, id, member, &decision, Timestamp::now()).await?,
        )
    }

    /// Approves a pending request of the member's issuer: signs the credential (schema 1) with
    /// the issuer's key and stores it for the holder, in the transaction that marks the request
    /// approved. Returns the request and the credential.
    pub async fn approve(
        &self,
        member: &UserId,
        id: &CredentialRequestId,
        approval: Approval,
    ) -> Result<(RequestView, Credential), IssuanceError> {
        let issuer = self.issuer_of(member).await?;
        let view = match self.store.credential_request(id).await? {
            Some(record) if record.issuer_id == issuer.id => self.opened(record)?,
            _ => return Err(IssuanceError::NotFound),
        };
        if view.record.status != RequestStatus::Pending {
            return Err(IssuanceError::Conflict("The request is no longer pending"));
        }
        let today = Self::today();
        let claims = approval.claims.unwrap_or(view.claims.clone());
        claims.check(today, "claims.")?;
        if approval.valid_until.is_some_and(|day| day <= today) {
            return Err(FieldErrors::one("valid_until", "must be after today").into());
        }
        let holder = view.record.holder.clone();
        let document = self
            .store
            .document(&holder, &view.record.document_id)
            .await?
            .ok_or(IssuanceError::Conflict("The request's document was deleted"))?;
        let digest: [u8; 32] = hex::decode(&document.sha256)
            .ok()
            .and_then(|d| d.try_into().ok())
            .ok_or_else(|| IssuanceError::Internal("a stored document digest is not SHA-256".into()))?;
        let commitment = self.holder_commitment(&holder).await?;
        let revocations = self.revocations(&issuer).await?;
        // A serial whose slot a revoked credential holds would look revoked: draw another.
        let serial = loop {
            let serial = CredentialSerial::generate();
            if !revocations.tree.is_revoked(serial.value()) {
                break serial;
            }
        };
        let input = ClaimInput {
            birth_date: claims.birth_date,
            nationality: claims.nationality,
            document_expiry: claims.document_expiry,
            document_type: Some(document.document_type),
            issued_at: None,
            valid_until: approval.valid_until,
        };
        let signed: Claims = to_claims(&input, commitment, Claims::document_hash_of(&digest), serial, today)?;
        let key = keys::open(&self.vault, &issuer.id, issuer.sealed_key.clone())
            .map_err(|e| IssuanceError::Internal(Box::new(e)))?;
        let signature = issuer_signature(&key.sign(signed.claims_hash()));
        let credential_issuer =
            CredentialIssuer::new(issuer.public_key, Some(issuer.id.as_str()), Some(&issuer.name))
                .map_err(|e| IssuanceError::Internal(Box::new(e)))?;
        let credential = Credential { claims: signed, issuer: credential_issuer, signature };
        let credential_id = CredentialId::generate();
        let now = Timestamp::now();
        let valid_until = credential.claims.valid_until.yyyymmdd();
        let decision = Decision::Approve {
            issued: IssuedCredential {
                id: credential_id.clone(),
                issuer_id: issuer.id.clone(),
                request_id: view.record.id.clone(),
                holder: holder.clone(),
                serial: serial.value(),
                valid_until,
                issued_at: now,
                revoked_at: None,
            },
            held: HeldCredential {
                sealed_json: self.seal(
                    SealedKind::HeldCredential,
                    credential_id.as_str(),
                    &holder,
                    credential.to_json().into_bytes(),
                ),
                id: credential_id,
                holder: holder.clone(),
                document_id: Some(view.record.document_id.clone()),
                issuer_id: Some(issuer.id.clone()),
                issuer_key: issuer.public_key,
                serial: serial.value(),
                valid_until,
                created_at: now,
            },
        };
        let outcome = self.store.decide_credential_request(&issuer.id, id, member, &decision, now).await?;
        Ok((self.decided(outcome)?, credential))
    }

    fn decided(&self, outcome: DecisionOutcome) -> Result<RequestView, IssuanceError> {
        match outcome {
            DecisionOutcome::Done(record) => self.opened(record),
            DecisionOutcome::NotPending(_) => Err(IssuanceError::Conflict(
                "The request is no longer pending (decided, withdrawn, or its document was deleted)",
            )),
            DecisionOutcome::NotFound => Err(IssuanceError::NotFound),
        }
    }

    fn opened(&self, record: CredentialRequestRecord) -> Result<RequestView, IssuanceError> {
        let plain = self.open(
            SealedKind::RequestClaims,
            record.id.as_str(),
            &record.holder,
            record.sealed_claims.clone(),
        )?;
        let claims = serde_json::from_slice(&plain).map_err(|e| IssuanceError::Internal(Box::new(e)))?;
        Ok(RequestView { record, claims })
    }
}
