//! Delegated agents (create, list, delete) and the authentication of signed requests.

use std::sync::Arc;
use std::time::Duration;

use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::envelope::{parse_envelope, EnvelopeError};
use super::model::{Action, AgentCaller, AgentRecord, CallerKind};
use super::replay::{ReplayError, ReplayMemory};
use super::signature::{decode_signature, sign_hex, verify};
use crate::clock::Timestamp;
use crate::config::Config;
use crate::crypto::vault::VaultKeys;
use crate::error::FieldErrors;
use crate::ids::{AgentId, UserId};
use crate::ratelimit::{Decision, Quota, RateLimiter};
use crate::store::{Store, StoreError};

/// Delegated agents a user may have at once.
pub const MAX_AGENTS_PER_USER: u32 = 20;

/// Longest agent name.
const MAX_NAME_CHARS: usize = 64;

/// Why managing agents failed.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// Bad input: field → reason.
    #[error(transparent)]
    Validation(#[from] FieldErrors),
    /// No such agent of this user.
    #[error("not found")]
    NotFound,
    /// The user has [`MAX_AGENTS_PER_USER`] agents already.
    #[error("too many agents")]
    TooMany,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a signed request was refused.
#[derive(Debug, thiserror::Error)]
pub enum AgentAuthError {
    /// The body is not an envelope.
    #[error("malformed envelope: {0}")]
    Malformed(EnvelopeError),
    /// Missing, malformed or wrong signature, or an unknown/deleted delegated agent.
    #[error("invalid signature")]
    InvalidSignature {
        /// The `agent_id` the envelope claimed.
        claimed: String,
    },
    /// `timestamp` too far from the server clock.
    #[error("stale request")]
    Stale {
        /// The authenticated agent.
        agent_id: String,
    },
    /// `action` does not match the route.
    #[error("action does not match the route")]
    WrongAction {
        /// The authenticated agent.
        agent_id: String,
    },
    /// The credential that signed exceeded its quota (`AI_AGENT_RATE_LIMIT`, or for document
    /// hash look-ups `AI_HASH_LOOKUP_RATE_LIMIT`).
    #[error("rate limited")]
    RateLimited {
        /// The authenticated agent.
        agent_id: String,
        /// Limit, remaining and retry delay.
        decision: Decision,
    },
    /// This signed request was accepted before.
    #[error("replayed request")]
    Replayed {
        /// The authenticated agent.
        agent_id: String,
    },
    /// The store cannot answer now.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The replay memory cannot answer now.
    #[error(transparent)]
    Replay(#[from] ReplayError),
}

impl AgentAuthError {
    /// Whether the signature was verified before the request was refused (the agent is
    /// then known for certain, not only claimed).
    pub fn signature_verified(&self) -> bool {
        matches!(
            self,
            AgentAuthError::Stale { .. }
                | AgentAuthError::WrongAction { .. }
                | AgentAuthError::RateLimited { .. }
                | AgentAuthError::Replayed { .. }
        )
    }

    /// The agent id the request named, when it got that far.
    pub fn agent_id(&self) -> Option<&str> {
        match self {
            AgentAuthError::Malformed(_) | AgentAuthError::Store(_) | AgentAuthError::Replay(_) => None,
            AgentAuthError::InvalidSignature { claimed: agent_id }
            | AgentAuthError::Stale { agent_id }
            | AgentAuthError::WrongAction { agent_id }
            | AgentAuthError::RateLimited { agent_id, .. }
            | AgentAuthError::Replayed { agent_id } => Some(agent_id),
        }
    }
}

/// A request whose signature, freshness, action, rate and novelty were checked.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// Who signed it.
    pub caller: AgentCaller,
    /// The envelope's parameters.
    pub parameters: serde_json::Value,
}

/// A new delegated agent with its secret, shown once.
pub struct CreatedAgent {
    /// The stored agent.
    pub record: AgentRecord,
    /// The signing secret (UTF-8 text used as the HMAC key).
    pub secret: SecretString,
}

/// A secret of `AI_AGENT_SECRET` and the name its rate limits are counted under.
struct ServiceSecret {
    secret: SecretString,
    credential: String,
}

impl ServiceSecret {
    /// The secret, named by the first 8 bytes of its HMAC over a fixed label: the same on every
    /// replica, different for each secret, and no more telling than any signature made with it.
    fn new(secret: &SecretString) -> Self {
        let tag = sign_hex(secret.expose_secret().as_bytes(), b"honestly:ai-service-credential");
        Self { secret: secret.clone(), credential: format!("service:{}", &tag[..16]) }
    }
}

/// Delegated agents and request authentication.
pub struct AgentService {
    store: Arc<dyn Store>,
    keys: Arc<VaultKeys>,
    service_secrets: Vec<ServiceSecret>,
    tolerance: Duration,
    quota: Quota,
    hash_quota: Quota,
    limiter: Arc<dyn RateLimiter>,
    replay: Arc<dyn ReplayMemory>,
}

/// What the sealed secret of agent `id` is bound to (the associated data of its encryption).
pub fn secret_binding(id: &AgentId) -> String {
    format!("agent-secret:{id}")
}

impl AgentService {
    /// The service over the store, the vault keys (for delegated secrets), a limiter for the
    /// per-credential quotas (requests, and look-ups by hash) and a replay memory.
    pub fn new(
        config: &Config,
        store: Arc<dyn Store>,
        keys: Arc<VaultKeys>,
        limiter: Arc<dyn RateLimiter>,
        replay: Arc<dyn ReplayMemory>,
    ) -> Self {
        let per_minute = config.ai_agent_rate_limit.max(1);
        let hash_lookups = config.ai_hash_lookup_rate_limit.max(1);
        Self {
            store,
            keys,
            service_secrets: config.secrets.ai_agent_secrets.iter().map(ServiceSecret::new).collect(),
            tolerance: config.ai_signature_tolerance,
            quota: Quota { burst: per_minute, per_minute },
            hash_quota: Quota { burst: hash_lookups, per_minute: hash_lookups },
            limiter,
            replay,
        }
    }

    /// Creates a delegated agent for `user_id`; its secret is returned once and stored sealed.
    pub async fn create(&self, user_id: &UserId, name: Option<String>) -> Result<CreatedAgent, AgentError> {
        let name = name.unwrap_or_else(|| "agent".to_string());
        let trimmed = name.trim();
        if trimmed.is_empty()
            || trimmed.chars().count() > MAX_NAME_CHARS
            || trimmed.chars().any(char::is_control)
        {
            return Err(FieldErrors::one("name", "1-64 characters, no control characters").into());
        }
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(bytes.as_mut_slice());
        let secret = format!("hsk_{}", hex::encode(bytes.as_slice()));
        let id = AgentId::generate();
        let sealed_secret =
            self.keys.seal(secret.as_bytes().to_vec(), &secret_binding(&id), user_id.as_str());
        let record = AgentRecord {
            id,
            user_id: user_id.clone(),
            name: trimmed.to_string(),
            sealed_secret,
            created_at: Timestamp::now(),
        };
        if !self.store.insert_agent(&record, MAX_AGENTS_PER_USER).await? {
            return Err(AgentError::TooMany);
        }
        Ok(CreatedAgent { record, secret: SecretString::from(secret) })
    }

    /// The user's agents, oldest first.
    pub async fn list(&self, user_id: &UserId) -> Result<Vec<AgentRecord>, AgentError> {
        Ok(self.store.agents_of_user(user_id, MAX_AGENTS_PER_USER).await?)
    }

    /// One of the user's agents.
    pub async fn get(&self, user_id: &UserId, id: &AgentId) -> Result<AgentRecord, AgentError> {
        self.list(user_id).await?.into_iter().find(|a| &a.id == id).ok_or(AgentError::NotFound)
    }

    /// Deletes one of the user's agents; its signatures fail from now on.
    pub async fn delete(&self, user_id: &UserId, id: &AgentId) -> Result<(), AgentError> {
        if !self.store.delete_agent(user_id, id).await? {
            return Err(AgentError::NotFound);
        }
        Ok(())
    }

    /// Checks a signed request for `action`: envelope, signature (over the canonical form or
    /// the raw body, in constant time), freshness at `now` (Unix seconds), action, the
    /// agent's rate limit, then novelty (a replay is refused). Only a request that passes
    /// every check is remembered by the replay memory.
    pub async fn authenticate(
        &self,
        action: Action,
        body: &[u8],
        signature: Option<&str>,
        now: f64,
    ) -> Result<Authenticated, AgentAuthError> {
        let envelope = parse_envelope(body).map_err(AgentAuthError::Malformed)?;
        let agent_id = envelope.agent_id.clone();
        let invalid = || AgentAuthError::InvalidSignature { claimed: agent_id.clone() };
        let signature = signature.and_then(decode_signature).ok_or_else(invalid)?;
        let signed = |secret: &[u8]| {
            verify(secret, envelope.canonical.as_bytes(), &signature) || verify(secret, body, &signature)
        };
        let (kind, credential) = if agent_id.starts_with(AgentId::PREFIX) {
            let id = AgentId::parse(&agent_id).map_err(|_| invalid())?;
            let user_id = self.delegated_signed(&id, &signed).await?.ok_or_else(invalid)?;
            let credential = format!("agent:{id}");
            (CallerKind::Delegated { agent_id: id, user_id }, credential)
        } else if let Some(secret) =
            self.service_secrets.iter().find(|s| signed(s.secret.expose_secret().as_bytes()))
        {
            (CallerKind::Service, secret.credential.clone())
        } else {
            return Err(invalid());
        };
        let tolerance = self.tolerance.as_secs_f64();
        if (now - envelope.timestamp).abs() > tolerance {
            return Err(AgentAuthError::Stale { agent_id });
        }
        if envelope.action != action.as_str() {
            return Err(AgentAuthError::WrongAction { agent_id });
        }
        // Counted against the credential that signed, not the `agent_id` it claims: a holder of
        // the service secret gains nothing by changing ids.
        let decision = self.limiter.check(&format!("ai:{credential}"), self.quota).await;
        if !decision.allowed {
            return Err(AgentAuthError::RateLimited { agent_id, decision });
        }
        // Fresh until `timestamp + tolerance`; remembered a second longer.
        let ttl =
            Duration::from_secs_f64((envelope.timestamp + tolerance - now).clamp(0.0, 2.0 * tolerance) + 1.0);
        let digest: [u8; 32] = Sha256::digest(envelope.canonical.as_bytes()).into();
        match self.replay.first_use(digest, ttl).await {
            Ok(true) => {}
            Ok(false) => return Err(AgentAuthError::Replayed { agent_id }),
            Err(ReplayError::Store(e)) => return Err(AgentAuthError::Store(e)),
            Err(e) => return Err(e.into()),
        }
        Ok(Authenticated {
            caller: AgentCaller { agent_id, kind, credential },
            parameters: envelope.parameters,
        })
    }

    /// Counts one document look-up by hash against the caller's credential's own quota
    /// (`AI_HASH_LOOKUP_RATE_LIMIT`); the limiter's decision when it is used up.
    pub async fn count_hash_lookup(&self, caller: &AgentCaller) -> Result<(), Decision> {
        let decision = self.limiter.check(&format!("ai-hash:{}", caller.credential), self.hash_quota).await;
        if decision.allowed {
            Ok(())
        } else {
            Err(decision)
        }
    }

    /// The user of delegated agent `id` when `signed` accepts its secret; `None` when the
    /// agent is unknown, deleted, disabled with its user, or the signature does not match.
    async fn delegated_signed(
        &self,
        id: &AgentId,
        signed: &(dyn Fn(&[u8]) -> bool + Sync),
    ) -> Result<Option<UserId>, AgentAuthError> {
        let Some(record) = self.store.active_agent(id).await? else {
            return Ok(None);
        };
        let secret = match self.keys.open(record.sealed_secret, &secret_binding(id), record.user_id.as_str())
        {
            Ok(secret) => Zeroizing::new(secret),
            Err(e) => {
                tracing::error!(agent_id = %id, error = %e, "cannot open a delegated agent's secret");
                return Ok(None);
            }
        };
        Ok(signed(secret.as_slice()).then_some(record.user_id))
    }
}
