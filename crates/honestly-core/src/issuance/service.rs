//! The issuance service: issuers and their members, holders' secrets, credential requests and
//! their decisions, held credentials (issued here or imported) and revocations. The HTTP layer
//! and the command line call it; every rule lives here.

use std::sync::Arc;

use honestly_zk::Fr;

use super::error::IssuanceError;
use super::model::{IssuerRecord, SealedKind};
use super::revocation::{IssuerRevocations, RevocationCache};
use super::{holder, keys};
use crate::clock::Timestamp;
use crate::credentials::{CalendarDate, CredentialIssuer};
use crate::crypto::vault::VaultKeys;
use crate::error::FieldErrors;
use crate::ids::{IssuerId, UserId};
use crate::store::{Store, StoreError};

/// The most issuers a server hosts (lists are bounded by it).
pub const MAX_ISSUERS: u32 = 1000;
/// The most pending credential requests a holder may have at once.
pub const MAX_PENDING_REQUESTS: u32 = 50;
/// The most requests listed at once.
pub const MAX_LISTED_REQUESTS: u32 = 200;
/// The most credentials a holder may keep.
pub const MAX_HELD_CREDENTIALS: u32 = 200;

/// Issuers, credential requests, credentials and revocations.
pub struct IssuanceService {
    pub(super) store: Arc<dyn Store>,
    pub(super) vault: Arc<VaultKeys>,
    pub(super) revocations: RevocationCache,
}

impl IssuanceService {
    /// The service over the store and the vault keys (which seal issuers' keys, holders'
    /// secrets, requested claims and held credentials).
    pub fn new(store: Arc<dyn Store>, vault: Arc<VaultKeys>) -> Self {
        Self { store, vault, revocations: RevocationCache::default() }
    }

    /// Creates an issuer named `name` with a fresh signing key, sealed under the master key.
    /// A name already taken is a conflict.
    pub async fn create_issuer(&self, name: &str) -> Result<IssuerRecord, IssuanceError> {
        let id = IssuerId::generate();
        let (public_key, sealed_key) = keys::generate(&self.vault, &id);
        if let Err(errors) = CredentialIssuer::new(public_key, None, Some(name)) {
            return Err(errors.renamed("issuer.name", "name").into());
        }
        let record = IssuerRecord {
            id,
            name: name.to_owned(),
            public_key,
            sealed_key,
            revocation_version: 0,
            created_at: Timestamp::now(),
        };
        match self.store.insert_issuer(&record).await {
            Ok(()) => Ok(record),
            Err(StoreError::Conflict(_)) => Err(IssuanceError::Conflict("An issuer with this name exists")),
            Err(e) => Err(e.into()),
        }
    }

    /// Every issuer, oldest first.
    pub async fn issuers(&self) -> Result<Vec<IssuerRecord>, IssuanceError> {
        Ok(self.store.list_issuers(MAX_ISSUERS).await?)
    }

    /// One issuer.
    pub async fn issuer(&self, id: &IssuerId) -> Result<IssuerRecord, IssuanceError> {
        self.store.issuer(id).await?.ok_or(IssuanceError::NotFound)
    }

    /// Makes `user_id` a member of `issuer_id` (role `issuer`; their sessions end).
    pub async fn add_member(&self, issuer_id: &IssuerId, user_id: &UserId) -> Result<(), IssuanceError> {
        match self.store.add_issuer_member(issuer_id, user_id).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(IssuanceError::NotFound),
            Err(StoreError::Conflict(_)) => {
                Err(IssuanceError::Conflict("The last enabled administrator keeps the admin role"))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The issuer `user_id` acts for; [`IssuanceError::NotMember`] when none.
    pub async fn issuer_of(&self, user_id: &UserId) -> Result<IssuerRecord, IssuanceError> {
        let id = self.store.issuer_of_member(user_id).await?.ok_or(IssuanceError::NotMember)?;
        self.store.issuer(&id).await?.ok_or(IssuanceError::NotMember)
    }

    /// The user's holder secret, made on first use (of concurrent first uses, on any replica,
    /// all get the same one).
    pub async fn holder_secret(&self, user_id: &UserId) -> Result<Fr, IssuanceError> {
        let sealed = match self.store.holder_secret(user_id).await? {
            Some(sealed) => sealed,
            None => {
                let fresh = holder::seal(&self.vault, user_id, &holder::fresh_secret_bytes());
                self.store
                    .set_holder_secret_if_absent(user_id, &fresh)
                    .await?
                    .ok_or(IssuanceError::NotFound)?
            }
        };
        holder::open(&self.vault, user_id, sealed).map_err(|e| IssuanceError::Internal(Box::new(e)))
    }

    /// `Poseidon(holderSecret)` of the user: what credentials for them name as `holder`.
    pub async fn holder_commitment(&self, user_id: &UserId) -> Result<Fr, IssuanceError> {
        Ok(holder::commitment(&self.holder_secret(user_id).await?))
    }

    /// The issuer's current revocation tree and signed state.
    pub async fn revocations(&self, issuer: &IssuerRecord) -> Result<Arc<IssuerRevocations>, IssuanceError> {
        let now = Timestamp::now().unix().max(0) as u64;
        Ok(self.revocations.current(self.store.as_ref(), &self.vault, issuer, now).await?)
    }

    /// Today's date (UTC).
    pub(super) fn today() -> CalendarDate {
        CalendarDate::of_timestamp(Timestamp::now()).expect("the clock is within the supported years")
    }

    /// Seals `plaintext` as a thing of `kind` with id `id`, owned by `owner`.
    pub(super) fn seal(
        &self,
        kind: SealedKind,
        id: &str,
        owner: &UserId,
        plaintext: Vec<u8>,
    ) -> crate::crypto::vault::Sealed {
        self.vault.seal(plaintext, &kind.binding(id), owner.as_str())
    }

    /// Opens a thing sealed by [`Self::seal`].
    pub(super) fn open(
        &self,
        kind: SealedKind,
        id: &str,
        owner: &UserId,
        sealed: crate::crypto::vault::Sealed,
    ) -> Result<Vec<u8>, IssuanceError> {
        self.vault
            .open(sealed, &kind.binding(id), owner.as_str())
            .map_err(|e| IssuanceError::Internal(Box::new(e)))
    }
}

/// Field errors named `from` renamed `to` (a rule shared with another form).
trait Renamed {
    fn renamed(self, from: &str, to: &str) -> FieldErrors;
}

impl Renamed for FieldErrors {
    fn renamed(self, from: &str, to: &str) -> FieldErrors {
        let mut out = FieldErrors::new();
        for (name, reason) in self.into_map() {
            out.add(if name == from { to.to_owned() } else { name }, reason);
        }
        out
    }
}
