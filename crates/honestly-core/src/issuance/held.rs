//! Held credentials (list, read, delete, import) and the issuer's side of issued ones (list,
//! revoke).

use super::error::IssuanceError;
use super::model::{HeldCredential, IssuedCredential, RevokeOutcome, SealedKind};
use super::service::{IssuanceService, MAX_HELD_CREDENTIALS, MAX_LISTED_REQUESTS};
use crate::clock::Timestamp;
use crate::credentials::native_eddsa::NativeEddsa;
use crate::credentials::{Claims, Credential, CredentialJsonError};
use crate::error::FieldErrors;
use crate::ids::{CredentialId, DocumentId, UserId};
use crate::store::StoreError;

/// The most documents an import compares the credential's `documentHash` with.
const MAX_DOCUMENTS_SEARCHED: u32 = 10_000;

/// A held credential with its JSON opened.
#[derive(Debug, Clone)]
pub struct HeldView {
    /// The stored record.
    pub record: HeldCredential,
    /// The credential.
    pub credential: Credential,
    /// Whether its issuer (hosted here) has revoked it; `None` for an issuer not hosted here.
    pub revoked: Option<bool>,
}

impl IssuanceService {
    /// The holder's credentials, newest first.
    pub async fn my_credentials(&self, holder: &UserId) -> Result<Vec<HeldView>, IssuanceError> {
        let records = self.store.held_credentials(holder, MAX_HELD_CREDENTIALS).await?;
        let mut views = Vec::with_capacity(records.len());
        for record in records {
            views.push(self.held_view(record).await?);
        }
        Ok(views)
    }

    /// One of the holder's credentials.
    pub async fn my_credential(&self, holder: &UserId, id: &CredentialId) -> Result<HeldView, IssuanceError> {
        let record = self.store.held_credential(holder, id).await?.ok_or(IssuanceError::NotFound)?;
        self.held_view(record).await
    }

    /// Deletes one of the holder's credentials (the issuer can still revoke it).
    pub async fn delete_credential(&self, holder: &UserId, id: &CredentialId) -> Result<(), IssuanceError> {
        if self.store.delete_held_credential(holder, id).await? {
            Ok(())
        } else {
            Err(IssuanceError::NotFound)
        }
    }

    /// Imports a credential JSON signed by any issuer key: strict parsing, the claims' rules
    /// for today, the signature (native EdDSA-Poseidon), `holder` = the caller's commitment
    /// and `documentHash` = one of the caller's documents.
    pub async fn import_credential(&self, holder: &UserId, json: &[u8]) -> Result<HeldView, IssuanceError> {
        let credential = Credential::from_json(json).map_err(|e| match e {
            CredentialJsonError::Invalid(errors) => IssuanceError::Validation(errors),
            other => IssuanceError::Validation(FieldErrors::one("credential", other.to_string())),
        })?;
        credential.check_at(Self::today())?;
        if !credential.verify_signature(&NativeEddsa) {
            return Err(unacceptable("signature", "The signature does not verify under the issuer's key"));
        }
        if credential.claims.holder != self.holder_commitment(holder).await? {
            return Err(unacceptable("claims.holder", "The credential names another holder"));
        }
        let document_id = self.document_with_hash(holder, &credential.claims).await?.ok_or_else(|| {
            unacceptable("claims.documentHash", "The credential attests a document not in your vault")
        })?;
        let key = *credential.issuer.public_key();
        let issuer_id = self.issuers().await?.into_iter().find(|i| i.public_key == key).map(|i| i.id);
        let id = CredentialId::generate();
        let record = HeldCredential {
            sealed_json: self.seal(
                SealedKind::HeldCredential,
                id.as_str(),
                holder,
                credential.to_json().into_bytes(),
            ),
            id,
            holder: holder.clone(),
            document_id: Some(document_id),
            issuer_id,
            issuer_key: key,
            serial: credential.claims.credential_id.value(),
            valid_until: credential.claims.valid_until.yyyymmdd(),
            created_at: Timestamp::now(),
        };
        match self.store.insert_held_credential(&record, MAX_HELD_CREDENTIALS).await {
            Ok(true) => self.held_view(record).await,
            Ok(false) => Err(IssuanceError::TooMany("Too many credentials kept; delete some first")),
            Err(StoreError::Conflict(_)) => Err(IssuanceError::Conflict("You already keep this credential")),
            Err(e) => Err(e.into()),
        }
    }

    /// The credentials the member's issuer issued, newest first, issued before `before` when
    /// given.
    pub async fn issued(
        &self,
        member: &UserId,
        before: Option<Timestamp>,
        limit: u32,
    ) -> Result<Vec<IssuedCredential>, IssuanceError> {
        let issuer = self.issuer_of(member).await?;
        Ok(self.store.issued_credentials(&issuer.id, before, limit.clamp(1, MAX_LISTED_REQUESTS)).await?)
    }

    /// Revokes a credential the member's issuer issued; the next revocation state (at once, on
    /// every replica) marks it. Revoking twice is harmless.
    pub async fn revoke(&self, member: &UserId, id: &CredentialId) -> Result<(), IssuanceError> {
        let issuer = self.issuer_of(member).await?;
        match self.store.revoke_credential(&issuer.id, id, Timestamp::now()).await? {
            RevokeOutcome::Revoked | RevokeOutcome::AlreadyRevoked => Ok(()),
            RevokeOutcome::NotFound => Err(IssuanceError::NotFound),
        }
    }

    async fn document_with_hash(
        &self,
        holder: &UserId,
        claims: &Claims,
    ) -> Result<Option<DocumentId>, IssuanceError> {
        let mut before = None;
        let mut searched = 0u32;
        loop {
            let page = self.store.list_documents(holder, before, 200).await?;
            if page.is_empty() {
                return Ok(None);
            }
            for (_, document) in &page {
                let digest: Option<[u8; 32]> =
                    hex::decode(&document.sha256).ok().and_then(|d| d.try_into().ok());
                if digest.is_some_and(|d| Claims::document_hash_of(&d) == claims.document_hash) {
                    return Ok(Some(document.id.clone()));
                }
            }
            searched += page.len() as u32;
            if searched >= MAX_DOCUMENTS_SEARCHED {
                return Ok(None);
            }
            before = page.last().map(|(cursor, _)| *cursor);
        }
    }

    async fn held_view(&self, record: HeldCredential) -> Result<HeldView, IssuanceError> {
        let plain = self.open(
            SealedKind::HeldCredential,
            record.id.as_str(),
            &record.holder,
            record.sealed_json.clone(),
        )?;
        let credential = Credential::from_json(&plain).map_err(|e| IssuanceError::Internal(Box::new(e)))?;
        let revoked = match &record.issuer_id {
            Some(issuer_id) => match self.store.issuer(issuer_id).await? {
                Some(issuer) => Some(self.revocations(&issuer).await?.tree.is_revoked(record.serial)),
                None => None,
            },
            None => None,
        };
        Ok(HeldView { record, credential, revoked })
    }
}

fn unacceptable(field: &'static str, reason: &str) -> IssuanceError {
    IssuanceError::Unacceptable { field, reason: reason.to_owned() }
}
