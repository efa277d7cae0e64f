//! Issuers, their members, credential requests, issued and held credentials, revocations and
//! holders' secrets (see [`crate::issuance`]).

use async_trait::async_trait;

use super::StoreError;
use crate::clock::Timestamp;
use crate::credentials::IssuerPublicKey;
use crate::crypto::vault::Sealed;
use crate::ids::{CredentialId, CredentialRequestId, IssuerId, UserId};
use crate::issuance::{
    CredentialRequestRecord, Decision, DecisionOutcome, HeldCredential, IssuedCredential, IssuerRecord,
    RequestStatus, RevokeOutcome, SealedItem, SealedKind,
};

/// Issuers hosted on this server and the accounts that act for them.
#[async_trait]
pub trait IssuerStore: Send + Sync {
    /// Stores a new issuer. [`StoreError::Conflict`] when its name is taken (names are unique,
    /// compared exactly); nothing is written then.
    async fn insert_issuer(&self, issuer: &IssuerRecord) -> Result<(), StoreError>;
    /// An issuer by id.
    async fn issuer(&self, id: &IssuerId) -> Result<Option<IssuerRecord>, StoreError>;
    /// The oldest issuer with this public key, if any (one indexed read: credential proofs are
    /// checked against the issuer that signed them).
    async fn issuer_by_key(&self, key: &IssuerPublicKey) -> Result<Option<IssuerRecord>, StoreError>;
    /// Every issuer, oldest first, at most `limit`.
    async fn list_issuers(&self, limit: u32) -> Result<Vec<IssuerRecord>, StoreError>;
    /// Makes `user_id` a member of `issuer_id`: in one transaction the account's role becomes
    /// `issuer`, its membership is set (an account acts for one issuer at most; an earlier
    /// membership is replaced) and its sessions end, as an administrator's role change does.
    /// False when the issuer or the account does not exist (nothing changed). Refused with
    /// [`StoreError::Conflict`] when the account is the last enabled administrator.
    async fn add_issuer_member(&self, issuer_id: &IssuerId, user_id: &UserId) -> Result<bool, StoreError>;
    /// The issuer `user_id` acts for, while the account exists with role `issuer`.
    async fn issuer_of_member(&self, user_id: &UserId) -> Result<Option<IssuerId>, StoreError>;
    /// Every membership (account, issuer) among the first `limit` accounts in the order
    /// `list_users` gives them, of the accounts with role `issuer`, in that order: one read
    /// for a whole members listing.
    async fn issuer_memberships(&self, limit: u32) -> Result<Vec<(UserId, IssuerId)>, StoreError>;
}

/// Holders' credential requests and the decisions on them.
#[async_trait]
pub trait CredentialRequestStore: Send + Sync {
    /// Stores a new pending request unless its holder already has `max_pending` pending ones
    /// (then false, nothing written), or its document is not the holder's (false too). The
    /// count, the ownership check and the insert are one transaction.
    async fn insert_credential_request(
        &self,
        request: &CredentialRequestRecord,
        max_pending: u32,
    ) -> Result<bool, StoreError>;
    /// A request by id, whoever it belongs to (callers check the holder or the issuer).
    async fn credential_request(
        &self,
        id: &CredentialRequestId,
    ) -> Result<Option<CredentialRequestRecord>, StoreError>;
    /// The holder's requests, newest first, at most `limit`.
    async fn credential_requests_of_holder(
        &self,
        holder: &UserId,
        limit: u32,
    ) -> Result<Vec<CredentialRequestRecord>, StoreError>;
    /// The requests to an issuer, in `status` when given, newest first, created strictly
    /// before `before` when given, at most `limit`.
    async fn credential_requests_for_issuer(
        &self,
        issuer_id: &IssuerId,
        status: Option<RequestStatus>,
        before: Option<Timestamp>,
        limit: u32,
    ) -> Result<Vec<CredentialRequestRecord>, StoreError>;
    /// Decides a request of `issuer_id`, atomically: only a pending request whose document
    /// still exists is decided (of concurrent decisions, on any replica, exactly one is
    /// `Done`); an approval stores the issued record and the holder's copy in the same
    /// transaction. A request of another issuer is `NotFound`.
    async fn decide_credential_request(
        &self,
        issuer_id: &IssuerId,
        id: &CredentialRequestId,
        decided_by: &UserId,
        decision: &Decision,
        now: Timestamp,
    ) -> Result<DecisionOutcome, StoreError>;
    /// The holder withdraws a pending request (status `withdrawn`). Another holder's request
    /// is `NotFound`; a decided one `NotPending`.
    async fn withdraw_credential_request(
        &self,
        holder: &UserId,
        id: &CredentialRequestId,
        now: Timestamp,
    ) -> Result<DecisionOutcome, StoreError>;
}

/// Credentials: the holders' copies, the issuers' records, and revocations.
#[async_trait]
pub trait CredentialStore: Send + Sync {
    /// Stores an imported credential unless the holder already keeps `max_per_holder`
    /// credentials (then false, nothing written). [`StoreError::Conflict`] when the holder
    /// already keeps a credential with the same issuer key and serial.
    async fn insert_held_credential(
        &self,
        credential: &HeldCredential,
        max_per_holder: u32,
    ) -> Result<bool, StoreError>;
    /// One of the holder's credentials.
    async fn held_credential(
        &self,
        holder: &UserId,
        id: &CredentialId,
    ) -> Result<Option<HeldCredential>, StoreError>;
    /// The holder's credentials, newest first, at most `limit`.
    async fn held_credentials(&self, holder: &UserId, limit: u32) -> Result<Vec<HeldCredential>, StoreError>;
    /// Deletes one of the holder's credentials (the issuer's record stays, so it can still be
    /// revoked); false when not theirs.
    async fn delete_held_credential(&self, holder: &UserId, id: &CredentialId) -> Result<bool, StoreError>;
    /// One credential the issuer issued.
    async fn issued_credential(
        &self,
        issuer_id: &IssuerId,
        id: &CredentialId,
    ) -> Result<Option<IssuedCredential>, StoreError>;
    /// The credentials the issuer issued, newest first, issued strictly before `before` when
    /// given, at most `limit`.
    async fn issued_credentials(
        &self,
        issuer_id: &IssuerId,
        before: Option<Timestamp>,
        limit: u32,
    ) -> Result<Vec<IssuedCredential>, StoreError>;
    /// Revokes one of the issuer's credentials: sets its `revoked_at` and bumps the issuer's
    /// `revocation_version` in one transaction. Of concurrent revocations of one credential
    /// exactly one is `Revoked`.
    async fn revoke_credential(
        &self,
        issuer_id: &IssuerId,
        id: &CredentialId,
        now: Timestamp,
    ) -> Result<RevokeOutcome, StoreError>;
    /// The serials of the issuer's revoked credentials (any order), at most `limit`.
    async fn revoked_serials(&self, issuer_id: &IssuerId, limit: u32) -> Result<Vec<u128>, StoreError>;
}

/// Holders' secrets and the re-encryption of every sealed thing of this area.
#[async_trait]
pub trait HolderSecretStore: Send + Sync {
    /// The user's sealed holder secret, if one was made.
    async fn holder_secret(&self, user_id: &UserId) -> Result<Option<Sealed>, StoreError>;
    /// Stores `sealed` as the user's holder secret unless one exists; returns the one stored
    /// now (of concurrent calls, on any replica, every caller gets the same one). `None`
    /// when the account does not exist.
    async fn set_holder_secret_if_absent(
        &self,
        user_id: &UserId,
        sealed: &Sealed,
    ) -> Result<Option<Sealed>, StoreError>;
    /// Up to `limit` things of `kind` sealed under a key version other than `version`.
    async fn sealed_items_not_under(
        &self,
        kind: SealedKind,
        version: &str,
        limit: u32,
    ) -> Result<Vec<SealedItem>, StoreError>;
    /// Replaces one thing's ciphertext if it is still under `expected_version` (compare and
    /// swap); false otherwise.
    async fn replace_sealed_item(
        &self,
        kind: SealedKind,
        id: &str,
        expected_version: &str,
        sealed: &Sealed,
    ) -> Result<bool, StoreError>;
}
