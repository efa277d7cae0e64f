//! The proof-request service: verifiers create, read and list their requests; the public
//! description and the holder's answer go by token (see [`super::respond`]); every end goes
//! through [`ProofRequestService::finish`] (see [`super::finish`]).

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::error::ProofRequestError;
use super::model::{ProofRequestRecord, ProofRequestStatus};
use super::spec::NewProofRequest;
use crate::audit::{Actor, AuditEvent, AuditLog, Outcome};
use crate::clock::Timestamp;
use crate::error::FieldErrors;
use crate::ids::{ProofRequestId, UserId};
use crate::issuance::IssuanceService;
use crate::store::{Store, StoreError};
use crate::timeline::{TimelineEvent, TimelineKind};
use crate::webhooks::WebhookService;
use crate::zk::{ProofService, Verifier, ZkService};

/// The most requests listed at once.
pub const MAX_LISTED_REQUESTS: u32 = 100;
/// The most requests one sweep marks expired.
pub const EXPIRE_BATCH: u32 = 200;

/// A created request with the holder's token (shown once, never stored).
#[derive(Debug, Clone)]
pub struct Created {
    /// The request.
    pub request: ProofRequestRecord,
    /// The token of the holder's link.
    pub token: String,
    /// The owner's webhook signing secret (`whsec_…`), when this request has a callback URL
    /// and the owner had no secret before: shown once, here.
    pub webhook_secret: Option<String>,
}

/// What the service needs.
pub struct ProofRequestDeps {
    /// The store.
    pub store: Arc<dyn Store>,
    /// Issuers and the holders' credentials.
    pub issuance: Arc<IssuanceService>,
    /// Proving keys.
    pub zk: Arc<ZkService>,
    /// Proofs about the holders' documents (self-declared ages).
    pub proofs: Arc<ProofService>,
    /// Checks the answers.
    pub verifier: Arc<Verifier>,
    /// The audit trail.
    pub audit: AuditLog,
    /// The webhook outbox the ends of requests with a callback URL go to.
    pub webhooks: Arc<WebhookService>,
    /// The public base URL the holder's links start with.
    pub base_url: String,
}

/// Proof requests.
pub struct ProofRequestService {
    pub(super) store: Arc<dyn Store>,
    pub(super) issuance: Arc<IssuanceService>,
    pub(super) zk: Arc<ZkService>,
    pub(super) proofs: Arc<ProofService>,
    pub(super) verifier: Arc<Verifier>,
    pub(super) audit: AuditLog,
    pub(super) webhooks: Arc<WebhookService>,
    base_url: String,
}

/// Whether `token` has the shape of a request token (43 base64url characters).
pub fn token_looks_valid(token: &str) -> bool {
    token.len() == 43 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl ProofRequestService {
    /// The service.
    pub fn new(deps: ProofRequestDeps) -> Self {
        Self {
            store: deps.store,
            issuance: deps.issuance,
            zk: deps.zk,
            proofs: deps.proofs,
            verifier: deps.verifier,
            audit: deps.audit,
            webhooks: deps.webhooks,
            base_url: deps.base_url.trim_end_matches('/').to_owned(),
        }
    }

    /// The holder's link of a token: `{base}/r/{token}`.
    pub fn request_uri(&self, token: &str) -> String {
        format!("{}/r/{token}", self.base_url)
    }

    /// The QR code of the holder's link (`png` or `svg`): `{base}/requests/{token}/qr.{ext}`.
    pub fn qr_url(&self, token: &str, ext: &str) -> String {
        format!("{}/requests/{token}/qr.{ext}", self.base_url)
    }

    /// Creates a request of `owner` (audited as `actor`).
    pub async fn create(
        &self,
        owner: &UserId,
        actor: Actor,
        input: &NewProofRequest,
    ) -> Result<Created, ProofRequestError> {
        let spec = input.validate(owner)?;
        let mut unknown = FieldErrors::new();
        for (i, issuer) in spec.trusted_issuers.iter().enumerate() {
            if self.store.issuer(issuer).await?.is_none() {
                unknown.add(format!("trusted_issuers[{i}]"), "no such issuer");
            }
        }
        if !unknown.is_empty() {
            return Err(ProofRequestError::Unknown(unknown));
        }
        // The callback's host is checked against the address rules after DNS resolution
        // too (and again at every delivery); its signing secret exists before any event.
        let webhook_secret = match &spec.callback_url {
            Some(url) => {
                self.webhooks.validate_callback_url(url).await?;
                let (secret, made) = self.webhooks.current_secret(owner).await?;
                made.then(|| secret.to_string())
            }
            None => None,
        };
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let token = URL_SAFE_NO_PAD.encode(bytes);
        let now = Timestamp::now();
        let request = ProofRequestRecord {
            id: ProofRequestId::generate(),
            owner: owner.clone(),
            token_hash: token_hash(&token),
            status: ProofRequestStatus::Pending,
            created_at: now,
            expires_at: now.plus(Duration::from_secs(spec.ttl_seconds)),
            finished_at: None,
            result: None,
            spec,
        };
        match self.store.insert_proof_request(&request).await {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => return Err(ProofRequestError::Forbidden),
            Err(e) => return Err(e.into()),
        }
        self.audit.record(
            AuditEvent::new(actor, "proof_request.create", Outcome::Success).target(request.id.as_str()),
        );
        self.note(TimelineEvent::new(owner, TimelineKind::ProofRequestCreated).request(&request.id)).await;
        Ok(Created { request, token, webhook_secret })
    }

    /// One of the owner's requests (marked expired first when it is due).
    pub async fn get(
        &self,
        owner: &UserId,
        id: &ProofRequestId,
    ) -> Result<ProofRequestRecord, ProofRequestError> {
        let request = self.store.proof_request(owner, id).await?.ok_or(ProofRequestError::NotFound)?;
        self.settled(request).await
    }

    /// The owner's requests, newest first, before the position `before`, at most `limit`
    /// (capped at [`MAX_LISTED_REQUESTS`]), each with its position.
    pub async fn page(
        &self,
        owner: &UserId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(i64, ProofRequestRecord)>, ProofRequestError> {
        let now = Timestamp::now();
        let mut page =
            self.store.proof_requests_page(owner, before, limit.clamp(1, MAX_LISTED_REQUESTS)).await?;
        for (_, request) in &mut page {
            if request.is_overdue(now) {
                *request = self.settled(request.clone()).await?;
            }
        }
        Ok(page)
    }

    /// The request of a token, whatever its state (marked expired first when it is due);
    /// `NotFound` for a token of the wrong shape or unknown.
    pub async fn by_token(&self, token: &str) -> Result<ProofRequestRecord, ProofRequestError> {
        if !token_looks_valid(token) {
            return Err(ProofRequestError::NotFound);
        }
        let request = self
            .store
            .proof_request_by_token_hash(&token_hash(token))
            .await?
            .ok_or(ProofRequestError::NotFound)?;
        self.settled(request).await
    }

    /// The request as it stands after marking it expired, when it is due.
    pub(super) async fn settled(
        &self,
        request: ProofRequestRecord,
    ) -> Result<ProofRequestRecord, ProofRequestError> {
        if !request.is_overdue(Timestamp::now()) {
            return Ok(request);
        }
        Ok(self.expire(&request.id).await?.unwrap_or(request))
    }

    /// The display name of the account that owns a request (shown to holders).
    pub async fn owner_name(&self, owner: &UserId) -> Result<Option<String>, ProofRequestError> {
        Ok(self.store.user_by_id(owner).await?.map(|u| u.username))
    }

    /// Adds `event` to its user's timeline. The request's own change is already committed; a
    /// timeline that could not be written is logged, never an error for the request.
    pub(super) async fn note(&self, event: TimelineEvent) {
        if let Err(e) = self.store.add_timeline_event(&event).await {
            tracing::error!(request_id = ?event.request_id, kind = %event.kind, error = %e, "a proof request's timeline event was not stored");
        }
    }
}
