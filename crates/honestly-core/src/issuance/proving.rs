//! Proving from a held credential: the holder's secret, the issuer's current revocation tree
//! (an issuer hosted here; an issuer elsewhere is proven against the empty tree, and its
//! verifiers check the proof against the state that issuer publishes), the verifier's query,
//! scope and nonce. The proof is stored with the holder's proofs, about the attested document.

use honestly_zk::revocation::RevocationTree;

use super::error::IssuanceError;
use super::service::IssuanceService;
use crate::clock::Timestamp;
use crate::credentials::SignedState;
use crate::ids::{CredentialId, ProofId, UserId};
use crate::timeline::{TimelineEvent, TimelineKind};
use crate::zk::credential_proofs::{
    nonce_field, prove_credential_query, random_nonce, scope_field, CredentialProofError, CredentialQuery,
};
use crate::zk::service::ZkService;
use crate::zk::ProofRecord;

/// The longest scope or nonce accepted, in bytes.
pub const MAX_BINDING_BYTES: usize = 256;

/// Why no proof was made from a credential.
#[derive(Debug, thiserror::Error)]
pub enum CredentialProvingError {
    /// The credential, its document or the store (see [`IssuanceError`]).
    #[error(transparent)]
    Issuance(#[from] IssuanceError),
    /// The prover refused (with its reason) or failed.
    #[error(transparent)]
    Proof(#[from] CredentialProofError),
}

/// A proof made from a credential, with the revocation state it was made against (when the
/// issuer is hosted here).
#[derive(Debug, Clone)]
pub struct CredentialProofRecord {
    /// The stored proof (`proof_type` `credential_query`).
    pub record: ProofRecord,
    /// The issuer's signed state whose root the proof names.
    pub revocation_state: Option<SignedState>,
    /// The issuer's name, when known.
    pub issuer_name: Option<String>,
}

impl IssuanceService {
    /// Proves `query` from the holder's credential `id`, bound to `scope` and `nonce` (a random
    /// nonce when none is given), on today's date (UTC).
    pub async fn prove(
        &self,
        zk: &ZkService,
        holder: &UserId,
        id: &CredentialId,
        query: &CredentialQuery,
        scope: &str,
        nonce: Option<&str>,
    ) -> Result<CredentialProofRecord, CredentialProvingError> {
        let scope = scope_field(scope).map_err(IssuanceError::from)?;
        let nonce = match nonce {
            Some(nonce) => nonce_field(nonce).map_err(IssuanceError::from)?,
            None => random_nonce(),
        };
        query.predicates().map_err(IssuanceError::from)?;
        let view = self.my_credential(holder, id).await?;
        let document_id = view.record.document_id.clone().ok_or(IssuanceError::Conflict(
            "The credential's document was deleted: it cannot be proven about",
        ))?;
        let issuer = match &view.record.issuer_id {
            Some(issuer_id) => self.store.issuer(issuer_id).await.map_err(IssuanceError::from)?,
            None => None,
        };
        let (tree, state) = match &issuer {
            Some(issuer) => {
                let current = self.revocations(issuer).await?;
                (current.tree.clone(), Some(current.state.clone()))
            }
            None => (std::sync::Arc::new(RevocationTree::new()), None),
        };
        let secret = self.holder_secret(holder).await?;
        let proof =
            prove_credential_query(zk, &view.credential, secret, &tree, query, scope, nonce, Self::today())
                .await?;
        let record = ProofRecord {
            id: ProofId::generate(),
            user_id: holder.clone(),
            proof_type: honestly_zk::CircuitId::CredentialQuery.name().into(),
            document_id: document_id.clone(),
            nullifier: proof.nullifier().to_owned(),
            proof: proof.proof,
            public_signals: proof.public_signals,
            created_at: Timestamp::now(),
        };
        let event =
            TimelineEvent::new(holder, TimelineKind::ProofCreated).document(&document_id).proof(&record.id);
        if !self.store.insert_proof(&record, &event).await.map_err(IssuanceError::from)? {
            return Err(IssuanceError::Conflict(
                "The credential's document was deleted: it cannot be proven about",
            )
            .into());
        }
        let issuer_name = issuer.map(|i| i.name).or_else(|| view.credential.issuer.name().map(str::to_owned));
        Ok(CredentialProofRecord { record, revocation_state: state, issuer_name })
    }
}
