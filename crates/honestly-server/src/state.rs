//! The state every handler shares: configuration, store, limiter, metrics.

use std::sync::Arc;
use std::time::Instant;

use honestly_core::auth::AuthService;
use honestly_core::config::Config;
use honestly_core::cpu::CpuPool;
use honestly_core::ratelimit::{MemoryRateLimiter, RateLimiter};
use honestly_core::store::Store;

use crate::metrics::Metrics;

/// Shared, cheaply cloneable application state.
#[derive(Clone)]
pub struct AppState {
    /// The validated configuration.
    pub config: Arc<Config>,
    /// The persistence backend.
    pub store: Arc<dyn Store>,
    /// The general per-IP limiter.
    pub limiter: Arc<dyn RateLimiter>,
    /// Per-route request metrics.
    pub metrics: Arc<Metrics>,
    /// When this process started serving.
    pub started_at: Instant,
    /// Accounts and tokens.
    pub auth: Arc<AuthService>,
    /// The bounded pool for CPU-heavy work.
    pub cpu: CpuPool,
    /// The OpenAPI document, rendered once.
    pub openapi_json: Arc<String>,
}

impl AppState {
    /// State over an opened store, with an in-process limiter.
    pub fn new(config: Config, store: Arc<dyn Store>) -> Self {
        let cpu = CpuPool::for_this_machine();
        let auth = Arc::new(AuthService::new(&config, Arc::clone(&store), cpu.clone()));
        Self {
            auth,
            cpu,
            config: Arc::new(config),
            store,
            limiter: Arc::new(MemoryRateLimiter::new()),
            metrics: Arc::new(Metrics::default()),
            started_at: Instant::now(),
            openapi_json: Arc::new(crate::openapi::render_json()),
        }
    }
}
