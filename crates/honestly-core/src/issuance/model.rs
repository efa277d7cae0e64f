//! What the store keeps about issuers, credential requests and credentials.
//!
//! Secrets and personal data are sealed (AES-256-GCM under a key derived from the vault master
//! key, [`crate::crypto::vault::VaultKeys::seal`]): an issuer's private key (bound to the issuer
//! id), a request's claims, a held credential's JSON and a holder's secret (bound to the
//! holder). What stays in the clear is what lists and look-ups need: ids, names, status, dates.

use crate::clock::Timestamp;
use crate::credentials::IssuerPublicKey;
use crate::crypto::vault::Sealed;
use crate::ids::{CredentialId, CredentialRequestId, DocumentId, IssuerId, UserId};

/// An issuer hosted on this server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerRecord {
    /// The issuer's id.
    pub id: IssuerId,
    /// Its name, unique on this server (shown to holders and verifiers).
    pub name: String,
    /// Its EdDSA-Poseidon public key (circomlib's Baby Jubjub form).
    pub public_key: IssuerPublicKey,
    /// The 32-byte private key, sealed and bound to the issuer id (as both object and owner).
    pub sealed_key: Sealed,
    /// Bumped by every revocation that changed the set of revoked credentials: a cached
    /// revocation tree is current while this number is unchanged.
    pub revocation_version: u64,
    /// When it was created.
    pub created_at: Timestamp,
}

crate::text_enum! {
    /// Where a credential request stands.
    pub enum RequestStatus {
        /// Waiting for the issuer.
        Pending => "pending",
        /// Approved: the credential was issued.
        Approved => "approved",
        /// Refused by the issuer, with a reason.
        Rejected => "rejected",
        /// Withdrawn by the holder, or its document was deleted.
        Withdrawn => "withdrawn",
    }
}

/// A holder's request that an issuer attest one of their documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialRequestRecord {
    /// The request's id.
    pub id: CredentialRequestId,
    /// The holder who asked.
    pub holder: UserId,
    /// The document to attest (one of the holder's).
    pub document_id: DocumentId,
    /// The issuer asked.
    pub issuer_id: IssuerId,
    /// The claims the holder asked for (JSON), sealed and bound to the request id and holder.
    pub sealed_claims: Sealed,
    /// Where it stands.
    pub status: RequestStatus,
    /// The issuer's reason for a rejection, or why it was withdrawn.
    pub reason: Option<String>,
    /// The credential issued on approval.
    pub credential_id: Option<CredentialId>,
    /// The issuer member who decided.
    pub decided_by: Option<UserId>,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it was decided or withdrawn.
    pub decided_at: Option<Timestamp>,
}

/// The issuer's own record of a credential it issued here: enough to list and revoke it,
/// nothing personal (the claims stay with the holder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCredential {
    /// The credential's id (the holder's copy has the same id).
    pub id: CredentialId,
    /// The issuer.
    pub issuer_id: IssuerId,
    /// The request it answered.
    pub request_id: CredentialRequestId,
    /// The holder it was issued to.
    pub holder: UserId,
    /// The `credentialId` claim (128 random bits): its slot in the revocation tree.
    pub serial: u128,
    /// The `validUntil` claim, `YYYYMMDD`.
    pub valid_until: u32,
    /// When it was issued.
    pub issued_at: Timestamp,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
}

/// A credential a holder keeps: issued here on approval of a request, or imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldCredential {
    /// The credential's id.
    pub id: CredentialId,
    /// The holder.
    pub holder: UserId,
    /// The attested document, while the holder keeps it.
    pub document_id: Option<DocumentId>,
    /// The issuer, when it is hosted here.
    pub issuer_id: Option<IssuerId>,
    /// The signing key (also inside the sealed JSON; in the clear to find the issuer).
    pub issuer_key: IssuerPublicKey,
    /// The `credentialId` claim.
    pub serial: u128,
    /// The `validUntil` claim, `YYYYMMDD`.
    pub valid_until: u32,
    /// The credential JSON, sealed and bound to the credential id and holder.
    pub sealed_json: Sealed,
    /// When the holder got it.
    pub created_at: Timestamp,
}

/// What an issuer member decides about a pending request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // made once per decision and passed by reference
pub enum Decision {
    /// Approve: the issuer's record and the holder's copy of the signed credential are stored
    /// in the same transaction that marks the request approved.
    Approve {
        /// The issuer's record.
        issued: IssuedCredential,
        /// The holder's copy.
        held: HeldCredential,
    },
    /// Reject, with the reason shown to the holder.
    Reject {
        /// Why.
        reason: String,
    },
}

/// What became of a decision (or a withdrawal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecisionOutcome {
    /// Done; the request as it now is.
    Done(CredentialRequestRecord),
    /// The request is no longer pending (decided, withdrawn, or its document is gone):
    /// nothing changed. The request as it is.
    NotPending(CredentialRequestRecord),
    /// No such request for this issuer (or holder).
    NotFound,
}

/// What became of a revocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokeOutcome {
    /// Revoked now; the issuer's `revocation_version` was bumped.
    Revoked,
    /// It had been revoked before; nothing changed.
    AlreadyRevoked,
    /// The issuer issued no credential with this id.
    NotFound,
}

crate::text_enum! {
    /// The kinds of sealed things besides documents and agents' secrets that a master-key
    /// rotation re-encrypts.
    pub enum SealedKind {
        /// An issuer's private key (object and owner: the issuer id).
        IssuerKey => "issuer_key",
        /// A request's claims (object: the request id; owner: the holder).
        RequestClaims => "request_claims",
        /// A held credential's JSON (object: the credential id; owner: the holder).
        HeldCredential => "held_credential",
        /// A holder's secret (object and owner: the user id).
        HolderSecret => "holder_secret",
        /// A webhook signing secret (object: the secret id; owner: the user).
        WebhookSecret => "webhook_secret",
    }
}

impl SealedKind {
    /// What a sealed thing of this kind with id `id` is bound to (the object part of its
    /// encryption's associated data; the owner is the other part).
    pub fn binding(self, id: &str) -> String {
        format!("{}:{id}", self.as_str())
    }
}

/// One sealed thing to re-encrypt: its id, the owner it is bound to, the ciphertext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedItem {
    /// The object's id (issuer, request, credential or user id as text).
    pub id: String,
    /// The owner's id as text (the issuer id for issuer keys).
    pub owner: String,
    /// The current ciphertext.
    pub sealed: Sealed,
}
