//! The share-link service: create, list, revoke (owner side); open a link, its signed
//! verification bundle and its short-lived content URL (verifier side).
//!
//! Order of checks when a link is opened: token shape → link state (one read) → passphrase
//! (wrong guesses are rate limited per link and client; a missing or wrong one consumes
//! nothing) → the atomic consume in the store. Revoked, expired, exhausted, deleted and
//! unknown links are the same `NotFound`.

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use honestly_zk::CircuitId;
use moka::future::Cache;
use rand::RngCore;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

use super::model::{AccessLevel, NewLink, ShareLink};
use crate::audit::{Actor, AuditEvent, AuditLog, Outcome};
use crate::auth::password;
use crate::clock::Timestamp;
use crate::config::Config;
use crate::cpu::{CpuBusy, CpuPool};
use crate::crypto::canonical::sorted_compact;
use crate::crypto::signing::BundleSigner;
use crate::documents::{DocumentError, DocumentMeta, DocumentService};
use crate::error::FieldErrors;
use crate::ids::{DocumentId, LinkId, ProofId, UserId};
use crate::ratelimit::{Quota, RateLimiter};
use crate::store::{Store, StoreError};
use crate::text_enum::either_of;
use crate::timeline::{TimelineEvent, TimelineKind};
use crate::zk::{Expected, ProofRecord, Verifier, VerifyInput};

/// Longest life of a link.
pub const MAX_HOURS: u32 = 720;
/// Most accesses a link may allow.
pub const MAX_ACCESSES: u32 = 10_000;
/// Most links one list returns.
pub const MAX_LISTED: u32 = 500;
/// Life of a signed content URL (never beyond its link's own expiry).
pub const CONTENT_URL_TTL: Duration = Duration::from_secs(300);
/// Wrong passphrases tolerated per link and client: at once, then per minute.
pub const PASSPHRASE_QUOTA: Quota = Quota { burst: 5, per_minute: 5 };

/// Why a link operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// Bad input, per field.
    #[error(transparent)]
    Validation(#[from] FieldErrors),
    /// Unknown, revoked, expired, exhausted or deleted (indistinguishable), or not yours.
    #[error("not found")]
    NotFound,
    /// The link has a passphrase and none or a wrong one was given.
    #[error("passphrase required or wrong")]
    Passphrase,
    /// Too many wrong passphrases for this link from this client.
    #[error("too many attempts")]
    TooManyAttempts(crate::ratelimit::Decision),
    /// The CPU pool is saturated.
    #[error(transparent)]
    Busy(#[from] CpuBusy),
    /// The document behind the link cannot be read.
    #[error("the shared document cannot be read")]
    Document(#[source] DocumentError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<DocumentError> for LinkError {
    fn from(e: DocumentError) -> Self {
        match e {
            DocumentError::NotFound => LinkError::NotFound,
            DocumentError::Validation(f) => LinkError::Validation(f),
            DocumentError::Busy(busy) => LinkError::Busy(busy),
            DocumentError::Store(store) => LinkError::Store(store),
            other => LinkError::Document(other),
        }
    }
}

/// What is expensive and immutable about a link's target: cached, never consulted for access.
#[derive(Debug, Clone)]
pub struct Shared {
    /// The document's metadata.
    pub document: DocumentMeta,
    /// The shared proof.
    pub proof: Option<ProofRecord>,
    /// Whether the proof verified (checked when the entry was built).
    pub proof_verified: Option<bool>,
    /// SHA-256 of the proof's verification key.
    pub vk_sha256: Option<String>,
}

/// A granted access: the link after its access was consumed, and what it shares.
#[derive(Debug, Clone)]
pub struct Access {
    /// The link (with the new `access_count`).
    pub link: ShareLink,
    /// What it shares.
    pub shared: Arc<Shared>,
}

/// A created link with its token (shown once).
#[derive(Debug, Clone)]
pub struct Created {
    /// The link.
    pub link: ShareLink,
    /// The token; never stored.
    pub token: String,
}

/// The share-link service.
pub struct LinkService {
    store: Arc<dyn Store>,
    documents: Arc<DocumentService>,
    verifier: Arc<Verifier>,
    cpu: CpuPool,
    signer: Arc<BundleSigner>,
    audit: AuditLog,
    attempts: Arc<dyn RateLimiter>,
    cache: Cache<LinkId, Arc<Shared>>,
    base_url: String,
    content_key: [u8; 32],
}

/// Whether `token` has the shape of a link token (43 base64url characters).
pub fn token_looks_valid(token: &str) -> bool {
    token.len() == 43 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Where the page of the link with `token` is served, relative to the server.
pub fn share_path(token: &str) -> String {
    format!("/vault/share/{token}")
}

/// Where the QR code of the link with `token` is served, relative to the server.
pub fn qr_path(token: &str) -> String {
    format!("/vault/qr/{token}")
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Dependencies of the link service.
pub struct LinkDeps {
    /// The store.
    pub store: Arc<dyn Store>,
    /// Documents.
    pub documents: Arc<DocumentService>,
    /// Verifies the shared proofs.
    pub verifier: Arc<Verifier>,
    /// CPU pool.
    pub cpu: CpuPool,
    /// Bundle signer.
    pub signer: Arc<BundleSigner>,
    /// Audit trail.
    pub audit: AuditLog,
    /// Counts wrong passphrases (shared by the replicas when Redis is configured).
    pub limiter: Arc<dyn RateLimiter>,
}

impl LinkService {
    /// The service; settings from `config`.
    pub fn new(config: &Config, deps: LinkDeps) -> Self {
        let cache = Cache::builder().max_capacity(10_000).time_to_live(config.share_bundle_cache_ttl).build();
        let mut hasher = Sha256::new();
        hasher.update(b"honestly-content-url-v1");
        hasher.update(config.secrets.jwt_secret.expose_secret().as_bytes());
        Self {
            store: deps.store,
            documents: deps.documents,
            verifier: deps.verifier,
            cpu: deps.cpu,
            signer: deps.signer,
            audit: deps.audit,
            attempts: deps.limiter,
            cache,
            base_url: config.share_link_base_url.clone(),
            content_key: hasher.finalize().into(),
        }
    }

    /// The public share URL of a token.
    pub fn share_url(&self, token: &str) -> String {
        format!("{}{}", self.base_url, share_path(token))
    }

    /// The public QR-code URL of a token.
    pub fn qr_url(&self, token: &str) -> String {
        format!("{}{}", self.base_url, qr_path(token))
    }

    /// Creates a link to one of the caller's documents (and optionally one of its proofs).
    pub async fn create(&self, user_id: &UserId, req: NewLink) -> Result<Created, LinkError> {
        let access_level = AccessLevel::parse(&req.access_level).ok_or_else(|| {
            FieldErrors::one("access_level", format!("must be {}", either_of(AccessLevel::NAMES)))
        })?;
        let now = Timestamp::now();
        let hours = |h: u32| Duration::from_secs(u64::from(h) * 3600);
        let expires_at = match (req.expires_in_hours, req.expires_at.as_deref()) {
            (Some(_), Some(_)) => {
                return Err(
                    FieldErrors::one("expires_at", "give expires_in_hours or expires_at, not both").into()
                )
            }
            (Some(h), None) if !(1..=MAX_HOURS).contains(&h) => {
                return Err(FieldErrors::one("expires_in_hours", "must be between 1 and 720").into())
            }
            (h, None) => now.plus(hours(h.unwrap_or(24))),
            (None, Some(at)) => {
                let at = Timestamp::parse_rfc3339(at)
                    .map_err(|_| FieldErrors::one("expires_at", "must be an RFC 3339 time"))?;
                if at <= now || at > now.plus(hours(MAX_HOURS)) {
                    return Err(
                        FieldErrors::one("expires_at", "must be in the future and within 720 hours").into()
                    );
                }
                at
            }
        };
        if req.max_accesses.is_some_and(|m| !(1..=MAX_ACCESSES).contains(&m)) {
            return Err(FieldErrors::one("max_accesses", "must be between 1 and 10000").into());
        }
        let passphrase_hash = match req.passphrase {
            Some(p) if !(8..=128).contains(&p.chars().count()) => {
                return Err(FieldErrors::one("passphrase", "must be 8 to 128 characters").into())
            }
            Some(p) => Some(self.cpu.run(move || password::hash(&p)).await?),
            None => None,
        };
        let document_id = DocumentId::parse(&req.document_id).map_err(|_| LinkError::NotFound)?;
        let document = self.documents.get(user_id, &document_id).await?;
        let proof_id = match &req.proof_id {
            None => None,
            Some(raw) => {
                let proof_id = ProofId::parse(raw).map_err(|_| LinkError::NotFound)?;
                match self.store.proof(user_id, &proof_id).await? {
                    Some(p) if p.document_id == document.id => Some(proof_id),
                    Some(_) => {
                        return Err(FieldErrors::one("proof_id", "is a proof of another document").into())
                    }
                    None => return Err(LinkError::NotFound),
                }
            }
        };
        let mut token_bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut token_bytes);
        let token = URL_SAFE_NO_PAD.encode(token_bytes);
        let link = ShareLink {
            id: LinkId::generate(),
            user_id: user_id.clone(),
            document_id: document.id.clone(),
            proof_id,
            access_level,
            token_hash: token_hash(&token),
            expires_at,
            max_accesses: req.max_accesses,
            access_count: 0,
            passphrase_hash,
            created_at: now,
            revoked_at: None,
        };
        let event =
            TimelineEvent::new(user_id, TimelineKind::LinkCreated).document(&document.id).link(&link.id);
        // Refused when the document was deleted since it was read (another request, another
        // replica): a link never outlives its document.
        if !self.store.insert_link(&link, &event).await? {
            return Err(LinkError::NotFound);
        }
        Ok(Created { link, token })
    }

    /// The caller's links (without tokens), newest first.
    pub async fn list(&self, user_id: &UserId) -> Result<Vec<ShareLink>, LinkError> {
        Ok(self.store.links_of_user(user_id, MAX_LISTED).await?)
    }

    /// Revokes one of the caller's links; effective at once.
    pub async fn revoke(&self, user_id: &UserId, id: &LinkId) -> Result<(), LinkError> {
        let event = TimelineEvent::new(user_id, TimelineKind::LinkRevoked).link(id);
        let revoked = self.store.revoke_link(user_id, id, Timestamp::now(), &event).await?;
        self.cache.invalidate(id).await;
        if revoked {
            Ok(())
        } else {
            Err(LinkError::NotFound)
        }
    }

    /// Forgets cached data of a link (revocation seen from another replica).
    pub async fn invalidate(&self, link_id: &LinkId) {
        self.cache.invalidate(link_id).await;
    }

    /// Forgets every cached link target (invalidation messages may have been missed).
    pub fn invalidate_all(&self) {
        self.cache.invalidate_all();
    }

    fn audit_access(&self, link_id: Option<&LinkId>, outcome: Outcome, reason: Option<&str>) {
        let mut event = AuditEvent::new(Actor::Anonymous, "link.access", outcome);
        if let Some(id) = link_id {
            event = event.target(id.as_str());
        }
        if let Some(r) = reason {
            event = event.reason(r);
        }
        self.audit.record(event);
    }

    /// A link that is currently usable, without consuming an access (for the QR code).
    pub async fn peek(&self, token: &str) -> Result<ShareLink, LinkError> {
        if !token_looks_valid(token) {
            return Err(LinkError::NotFound);
        }
        let now = Timestamp::now();
        match self.store.link_by_token_hash(&token_hash(token)).await? {
            Some(l) if usable(&l, now) => Ok(l),
            _ => Err(LinkError::NotFound),
        }
    }

    /// Opens a link: checks the passphrase, then consumes one access atomically.
    pub async fn open(&self, token: &str, passphrase: Option<&str>) -> Result<Access, LinkError> {
        let link = match self.peek(token).await {
            Ok(link) => link,
            Err(e) => {
                self.audit_access(None, Outcome::Denied, Some("unavailable"));
                return Err(e);
            }
        };
        if let Some(hash) = link.passphrase_hash.clone() {
            self.check_passphrase(&link.id, hash, passphrase).await?;
        }
        let event = TimelineEvent::new(&link.user_id, TimelineKind::LinkAccessed);
        let Some(link) = self.store.consume_link_access(&link.token_hash, Timestamp::now(), &event).await?
        else {
            self.audit_access(Some(&link.id), Outcome::Denied, Some("unavailable"));
            return Err(LinkError::NotFound);
        };
        self.audit_access(Some(&link.id), Outcome::Success, None);
        let shared = self.shared(&link).await?;
        Ok(Access { link, shared })
    }

    /// Checks a passphrase offered for the link `id` whose passphrase hash is `hash`. Only
    /// wrong guesses count against the link's quota for this client: none offered (a link
    /// preview, a reload, the form being shown) costs nothing and a right one is given back.
    async fn check_passphrase(
        &self,
        id: &LinkId,
        hash: String,
        offered: Option<&str>,
    ) -> Result<(), LinkError> {
        let Some(offered) = offered else {
            self.audit_access(Some(id), Outcome::Denied, Some("passphrase_missing"));
            return Err(LinkError::Passphrase);
        };
        // One guess is reserved before checking, so concurrent guesses never exceed the quota.
        let key = passphrase_attempts_key(id);
        let decision = self.attempts.check(&key, PASSPHRASE_QUOTA).await;
        if !decision.allowed {
            self.audit_access(Some(id), Outcome::Denied, Some("passphrase_rate_limited"));
            return Err(LinkError::TooManyAttempts(decision));
        }
        let offered = offered.to_string();
        let right = match self.cpu.run(move || password::verify(&offered, &hash)).await {
            Ok(right) => right,
            Err(busy) => {
                self.attempts.refund(&key, PASSPHRASE_QUOTA).await;
                return Err(busy.into());
            }
        };
        if right {
            self.attempts.refund(&key, PASSPHRASE_QUOTA).await;
            Ok(())
        } else {
            self.audit_access(Some(id), Outcome::Denied, Some("passphrase"));
            Err(LinkError::Passphrase)
        }
    }

    async fn shared(&self, link: &ShareLink) -> Result<Arc<Shared>, LinkError> {
        if let Some(hit) = self.cache.get(&link.id).await {
            return Ok(hit);
        }
        let document = self.documents.get(&link.user_id, &link.document_id).await?;
        let proof = match &link.proof_id {
            Some(id) => self.store.proof(&link.user_id, id).await?,
            None => None,
        };
        let (proof_verified, vk_sha256) = match &proof {
            Some(p) => {
                let public_signals = serde_json::Value::from(p.public_signals.clone());
                let input = VerifyInput {
                    proof_type: &p.proof_type,
                    proof: &p.proof,
                    public_signals: &public_signals,
                    expected: &Expected::default(),
                };
                let outcome = self.verifier.check(input, Timestamp::now()).await?;
                (Some(outcome.verified), self.verifier.vk_sha256(&p.proof_type))
            }
            None => (None, None),
        };
        // A credential proof's verdict depends on its issuer's current revocation state, which
        // changes with every revocation: it is checked at every opening, never cached.
        let attested = proof.as_ref().is_some_and(|p| p.proof_type == CircuitId::CredentialQuery.name());
        let shared = Arc::new(Shared { document, proof, proof_verified, vk_sha256 });
        if !attested {
            self.cache.insert(link.id.clone(), Arc::clone(&shared)).await;
        }
        Ok(shared)
    }

    /// The signed verification bundle of an access.
    pub fn bundle(&self, access: &Access) -> serde_json::Value {
        let (link, shared) = (&access.link, &access.shared);
        let mut nonce = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let proof = shared.proof.as_ref().map(|p| {
            let mut proof = serde_json::json!({
                "proof_type": p.proof_type,
                "proof": p.proof,
                "public_signals": p.public_signals,
                "public_inputs": p.public_inputs(),
                "verified": shared.proof_verified.unwrap_or(false),
            });
            // Age proofs say that their birth date is only what the holder typed.
            if let Some(attestation) = crate::zk::attestation(&p.proof_type) {
                proof["attestation"] = attestation.into();
            }
            proof
        });
        let verification = shared.proof.as_ref().map(|p| {
            serde_json::json!({
                "circuit": p.proof_type,
                "vk_url": crate::zk::verification_key_path(&p.proof_type),
                "vk_sha256": shared.vk_sha256,
            })
        });
        let mut bundle = serde_json::json!({
            "version": 1,
            "link_id": link.id,
            "document_sha256": shared.document.sha256,
            "access_level": link.access_level.as_str(),
            "issued_at": Timestamp::now(),
            "expires_at": link.expires_at,
            "max_accesses": link.max_accesses,
            "access_count": link.access_count,
            "proof": proof,
            "verification": verification,
            "nonce": hex::encode(nonce),
        });
        let signature = self.signer.sign(sorted_compact(&bundle).as_bytes());
        bundle["signature"] =
            serde_json::json!({"alg": "Ed25519", "key_id": self.signer.key_id(), "value": signature});
        bundle
    }

    fn content_mac(&self, link_id: &LinkId, expires: i64) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.content_key).expect("HMAC key");
        mac.update(format!("{link_id}|{expires}").as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// A short-lived signed URL to the content of a `full` link: valid for
    /// [`CONTENT_URL_TTL`], or until the link itself expires if that comes first.
    pub fn content_url(&self, token: &str, link: &ShareLink) -> String {
        let expires = Timestamp::now().plus(CONTENT_URL_TTL).unix().min(link.expires_at.unix());
        let sig = self.content_mac(&link.id, expires);
        format!("{}{}/content?expires={expires}&sig={sig}", self.base_url, share_path(token))
    }

    /// Opens the content behind a signed URL. It never consumes an access (the view that
    /// issued it did), so it works until `expires` even after the link's last allowed view;
    /// it stops at once when the link is revoked, expires or its document is deleted.
    pub async fn content(
        &self,
        token: &str,
        expires: i64,
        sig: &str,
    ) -> Result<(DocumentMeta, Vec<u8>), LinkError> {
        if !token_looks_valid(token) {
            return Err(LinkError::NotFound);
        }
        let now = Timestamp::now();
        let link = match self.store.link_by_token_hash(&token_hash(token)).await? {
            Some(l)
                if l.revoked_at.is_none() && l.expires_at > now && l.access_level == AccessLevel::Full =>
            {
                l
            }
            _ => return Err(LinkError::NotFound),
        };
        let expected = self.content_mac(&link.id, expires);
        let valid_sig: bool = subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), sig.as_bytes()).into();
        if !valid_sig || expires < now.unix() {
            return Err(LinkError::NotFound);
        }
        Ok(self.documents.content(&link.user_id, &link.document_id).await?)
    }

    /// The public keys bundles are signed with.
    pub fn public_keys(&self) -> serde_json::Value {
        self.signer.jwks()
    }
}

/// The limiter key of wrong passphrases for link `id` from the client of the current request
/// (its address, resolved once per request; `local` outside a request).
fn passphrase_attempts_key(id: &LinkId) -> String {
    let client = crate::request::current().map_or_else(|| "local".to_string(), |c| c.client_ip().to_string());
    format!("share-passphrase:{id}:{client}")
}

fn usable(link: &ShareLink, now: Timestamp) -> bool {
    link.revoked_at.is_none()
        && link.expires_at > now
        && link.max_accesses.is_none_or(|m| link.access_count < m)
}
