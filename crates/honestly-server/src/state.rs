//! The state every handler shares: configuration, store, limiter, metrics.

use std::sync::Arc;
use std::time::Instant;

use honestly_core::agents::{AgentService, ReplayMemory, StoreReplay};
use honestly_core::audit::AuditLog;
use honestly_core::auth::{AccountService, AuthService};
use honestly_core::config::{decode_key32, Config};
use honestly_core::cpu::CpuPool;
use honestly_core::crypto::signing::BundleSigner;
use honestly_core::crypto::vault::VaultKeys;
use honestly_core::documents::DocumentService;
use honestly_core::export::{ExportDeps, ExportService};
use honestly_core::issuance::IssuanceService;
use honestly_core::links::service::LinkDeps;
use honestly_core::links::LinkService;
use honestly_core::proof_requests::{ProofRequestDeps, ProofRequestService};
use honestly_core::ratelimit::{MemoryRateLimiter, RateLimiter};
use honestly_core::registry::Registry;
use honestly_core::store::{ReplayStore, Store};
use honestly_core::timeline::TimelineService;
use honestly_core::webhooks::{WebhookService, WebhookSettings};
use honestly_core::zk::batcher::BatchSettings;
use honestly_core::zk::{ProofService, Verifier, ZkService};
use honestly_store::redis::{Invalidation, RedisLink, RedisRateLimiter, RedisReplay};
use secrecy::ExposeSecret;

use crate::interactions::AiInteractions;
use crate::metrics::Metrics;

/// Drops cached entries other replicas (or this one) invalidated through Redis.
fn forget_on_invalidation(link: &Arc<RedisLink>, links: Arc<LinkService>, documents: Arc<DocumentService>) {
    let mut messages = link.subscribe();
    tokio::spawn(async move {
        while let Some(message) = messages.recv().await {
            match message {
                Invalidation::Link(id) => links.invalidate(&id).await,
                Invalidation::Document(id) => documents.invalidate(&id).await,
                Invalidation::All => {
                    links.invalidate_all();
                    documents.invalidate_all();
                }
            }
        }
    });
}

impl AppState {
    /// Tells every replica to drop a cached entry (no-op without Redis; never waits).
    pub fn publish_invalidation(&self, what: Invalidation) {
        if let Some(link) = &self.redis {
            let link = Arc::clone(link);
            tokio::spawn(async move { link.publish(&what).await });
        }
    }
}

impl AppState {
    /// After an erasure: every cached document and link target goes, here at once and on the
    /// other replicas through Redis (an erasure is rare; the caches refill from the store).
    pub fn forget_cached_content(&self) {
        self.documents.invalidate_all();
        self.links.invalidate_all();
        self.publish_invalidation(Invalidation::All);
    }
}

/// Shared, cheaply cloneable application state.
#[derive(Clone)]
pub struct AppState {
    /// The validated configuration.
    pub config: Arc<Config>,
    /// The persistence backend (handlers reach it through the services; health checks ping it).
    pub store: Arc<dyn Store>,
    /// The general per-IP limiter.
    pub limiter: Arc<dyn RateLimiter>,
    /// Per-route request metrics.
    pub metrics: Arc<Metrics>,
    /// When this process started serving.
    pub started_at: Instant,
    /// Accounts and tokens.
    pub auth: Arc<AuthService>,
    /// Account management: roles, disabling, erasure.
    pub accounts: Arc<AccountService>,
    /// The bounded pool for CPU-heavy work.
    pub cpu: CpuPool,
    /// Documents.
    pub documents: Arc<DocumentService>,
    /// The document registry tree.
    pub registry: Arc<Registry>,
    /// Zero-knowledge keys.
    pub zk: Arc<ZkService>,
    /// The one way anything verifies a proof.
    pub verifier: Arc<Verifier>,
    /// Users' timelines.
    pub timeline: Arc<TimelineService>,
    /// Proofs about documents.
    pub proofs: Arc<ProofService>,
    /// Share links and verification bundles.
    pub links: Arc<LinkService>,
    /// Data export.
    pub export: Arc<ExportService>,
    /// Delegated agents and signed-request authentication.
    pub agents: Arc<AgentService>,
    /// Issuers, credential requests, credentials and revocations.
    pub issuance: Arc<IssuanceService>,
    /// Verifiers' proof requests and holders' answers.
    pub proof_requests: Arc<ProofRequestService>,
    /// The webhook outbox (its delivery worker runs beside the server, see `Application`).
    pub webhooks: Arc<WebhookService>,
    /// The latest agent calls, for monitoring.
    pub ai_interactions: Arc<AiInteractions>,
    /// Redis, when `RATE_LIMIT_REDIS_URL` is set: shared limits, replay memory, invalidation.
    pub redis: Option<Arc<RedisLink>>,
    /// The replay memory (Redis or the store, shared by the replicas): the signed agent
    /// requests' and the web app's forms sent once (see `webapp::once`).
    pub replay: Arc<dyn ReplayMemory>,
    /// The audit trail's batching writer (flushed by `Application::run_until` at shutdown).
    pub audit: AuditLog,
    /// Set to true when the server starts shutting down: long-lived answers (status streams)
    /// end so that in-flight requests can finish.
    pub stopping: Arc<tokio::sync::watch::Sender<bool>>,
}

impl AppState {
    /// State over an opened store, with an in-process limiter. Loads the registry tree.
    pub async fn new(config: Config, store: Arc<dyn Store>) -> anyhow::Result<Self> {
        let cpu = CpuPool::for_this_machine_waiting(config.cpu_queue_wait);
        let audit = AuditLog::start(Arc::clone(&store));
        let auth = Arc::new(AuthService::new(&config, Arc::clone(&store), cpu.clone(), audit.clone()));
        let accounts = Arc::new(AccountService::new(Arc::clone(&store), cpu.clone(), audit.clone()));
        let keys = Arc::new(VaultKeys::parse(config.secrets.vault_master_key.expose_secret())?);
        let registry = Arc::new(Registry::load(Arc::clone(&store)).await?);
        let redis = match &config.rate_limit_redis_url {
            Some(url) => {
                let link = RedisLink::start(url)?;
                if !link.connect().await {
                    tracing::warn!(
                        "redis unreachable at start: serving with process-local limits until it answers"
                    );
                }
                Some(link)
            }
            None => None,
        };
        // Without Redis, and while it is down, the replay memory is the store's: it survives
        // restarts and is shared by every replica on the store.
        let stored: Arc<dyn ReplayMemory> =
            Arc::new(StoreReplay::new(Arc::clone(&store) as Arc<dyn ReplayStore>));
        let (limiter, replay): (Arc<dyn RateLimiter>, Arc<dyn ReplayMemory>) = match &redis {
            Some(link) => (
                Arc::new(RedisRateLimiter::new(Arc::clone(link))),
                Arc::new(RedisReplay::new(Arc::clone(link), stored)),
            ),
            None => (Arc::new(MemoryRateLimiter::new()), stored),
        };
        let agents = Arc::new(AgentService::new(
            &config,
            Arc::clone(&store),
            Arc::clone(&keys),
            Arc::clone(&limiter),
            Arc::clone(&replay),
        ));
        let issuance = Arc::new(IssuanceService::new(Arc::clone(&store), Arc::clone(&keys)));
        let webhooks = Arc::new(WebhookService::new(
            Arc::clone(&store),
            Arc::clone(&keys),
            WebhookSettings::from_config(&config),
        ));
        let documents = Arc::new(DocumentService::new(
            Arc::clone(&store),
            keys,
            Arc::clone(&registry),
            cpu.clone(),
            config.document_cache_ttl,
        ));
        let zk = Arc::new(
            ZkService::new(config.zk_keys_dir.clone(), config.zk_external_dir(), cpu.clone())
                .with_batching(BatchSettings::from_config(&config)),
        );
        let verifier = Arc::new(
            Verifier::new(Arc::clone(&zk), Arc::clone(&registry), Arc::clone(&store))
                .with_issuers(Arc::clone(&issuance) as Arc<dyn honestly_core::zk::IssuerDirectory>),
        );
        let proofs = Arc::new(ProofService::new(
            Arc::clone(&store),
            Arc::clone(&zk),
            Arc::clone(&registry),
            Arc::clone(&documents),
        ));
        let signer = Arc::new(match &config.secrets.bundle_signing_key {
            Some(seed) => BundleSigner::from_seed(&zeroize::Zeroizing::new(
                decode_key32(seed.expose_secret())
                    .ok_or_else(|| anyhow::anyhow!("BUNDLE_SIGNING_KEY is not 32 bytes"))?,
            )),
            None => BundleSigner::load_or_create(&config.data_dir)?,
        });
        let links = Arc::new(LinkService::new(
            &config,
            LinkDeps {
                store: Arc::clone(&store),
                documents: Arc::clone(&documents),
                verifier: Arc::clone(&verifier),
                cpu: cpu.clone(),
                signer,
                audit: audit.clone(),
                limiter: Arc::clone(&limiter),
            },
        ));
        if let Some(link) = &redis {
            forget_on_invalidation(link, Arc::clone(&links), Arc::clone(&documents));
        }
        let export = Arc::new(ExportService::new(ExportDeps {
            store: Arc::clone(&store),
            documents: Arc::clone(&documents),
            cpu: cpu.clone(),
            audit: audit.clone(),
            limiter: Arc::clone(&limiter),
        }));
        let proof_requests = Arc::new(ProofRequestService::new(ProofRequestDeps {
            store: Arc::clone(&store),
            issuance: Arc::clone(&issuance),
            zk: Arc::clone(&zk),
            proofs: Arc::clone(&proofs),
            verifier: Arc::clone(&verifier),
            audit: audit.clone(),
            webhooks: Arc::clone(&webhooks),
            base_url: config.share_link_base_url.clone(),
        }));
        Ok(Self {
            proof_requests,
            redis,
            replay,
            links,
            export,
            auth,
            accounts,
            documents,
            registry,
            zk,
            verifier,
            timeline: Arc::new(TimelineService::new(Arc::clone(&store))),
            proofs,
            cpu,
            config: Arc::new(config),
            store,
            limiter,
            agents,
            issuance,
            webhooks,
            ai_interactions: Arc::new(AiInteractions::default()),
            metrics: Arc::new(Metrics::default()),
            started_at: Instant::now(),
            audit,
            stopping: Arc::new(tokio::sync::watch::Sender::new(false)),
        })
    }
}
