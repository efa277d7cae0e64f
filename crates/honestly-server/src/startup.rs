//! Building and running the server: bind first (so tests can use port 0 and learn the
//! address), then serve until a shutdown signal, letting in-flight requests finish.

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use honestly_core::config::Config;
use tokio::net::TcpListener;

use crate::state::AppState;
use crate::webhook_transport::HttpTransport;
use honestly_core::webhooks::{Worker, WorkerHandle};

/// How long shutdown waits for the audit writer to make every recorded event durable.
pub const AUDIT_FLUSH_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    webhook_worker: WorkerHandle,
}

impl Application {
    /// Opens the store, builds the state and binds `HOST:PORT`.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with(config, Router::new()).await
    }

    /// Like [`Application::build`], with extra routes (for tests).
    pub async fn build_with(config: Config, extra: Router<AppState>) -> anyhow::Result<Self> {
        // DATA_DIR is the server's own (0700, files 0600), whatever an older version left.
        let narrowed = honestly_core::private_fs::secure_tree(&config.data_dir)
            .map_err(|e| anyhow::anyhow!("cannot secure DATA_DIR {}: {e}", config.data_dir.display()))?;
        if narrowed > 0 {
            tracing::warn!(entries = narrowed, "narrowed DATA_DIR permissions to the owner only");
        }
        let store = honestly_store::open(&config).await?;
        let addr = SocketAddr::new(config.host, config.port);
        let state = AppState::new(config, store).await?;
        let listener =
            TcpListener::bind(addr).await.map_err(|e| anyhow::anyhow!("cannot bind {addr}: {e}"))?;
        let router = crate::app::router_with(state.clone(), extra);
        // Keys are generated (first start) and prepared in the background; readiness waits.
        let zk = std::sync::Arc::clone(&state.zk);
        tokio::spawn(async move {
            if let Err(e) = zk.initialise().await {
                tracing::error!("zero-knowledge keys unavailable: {}", honestly_core::error::chain(&e));
            }
        });
        sweep_expired_requests(std::sync::Arc::downgrade(&state.proof_requests));
        // Every replica delivers webhooks; leases in the store keep each attempt to one.
        let webhook_worker =
            Worker::new(std::sync::Arc::clone(&state.webhooks), std::sync::Arc::new(HttpTransport)).spawn();
        Ok(Self { listener, router, state, webhook_worker })
    }

    /// The address actually bound (the real port when `PORT=0`).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// The shared state (tests inspect it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then waits for in-flight requests to finish, stops
    /// the webhook worker and flushes the audit trail (bounded by [`AUDIT_FLUSH_LIMIT`]).
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let audit = self.state.audit.clone();
        let stopping = std::sync::Arc::clone(&self.state.stopping);
        let shutdown = async move {
            shutdown.await;
            stopping.send_replace(true);
        };
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(self.listener, service).with_graceful_shutdown(shutdown).await;
        // Deliveries in flight are abandoned: their leases expire and a replica retries them.
        self.webhook_worker.stop().await;
        match tokio::time::timeout(AUDIT_FLUSH_LIMIT, audit.flush()).await {
            Ok(Ok(())) => tracing::info!("audit trail flushed"),
            Ok(Err(e)) => tracing::error!("audit trail not flushed: {e}"),
            Err(_) => tracing::error!(
                limit_s = AUDIT_FLUSH_LIMIT.as_secs(),
                "audit trail not flushed in time: the store refuses writes"
            ),
        }
        served
    }
}

/// How often each replica marks overdue proof requests expired.
pub const EXPIRY_SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Marks overdue proof requests expired every [`EXPIRY_SWEEP_EVERY`] while the service lives
/// (every replica sweeps; the store ends each request once).
fn sweep_expired_requests(service: std::sync::Weak<honestly_core::proof_requests::ProofRequestService>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EXPIRY_SWEEP_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(service) = service.upgrade() else { break };
            match service.expire_due().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(expired = n, "proof requests expired"),
                Err(e) => {
                    tracing::warn!("expiring proof requests failed: {}", honestly_core::error::chain(&e))
                }
            }
        }
    });
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received: finishing in-flight requests");
}
