//! State shared between replicas through Redis (`RATE_LIMIT_REDIS_URL`): rate-limit counters,
//! the AI-signature replay memory and cache-invalidation messages.
//!
//! Redis is never the authority on anything that must not be lost or doubled (the store is).
//! When Redis is unreachable every user falls back to this process's own memory, `/monitoring`
//! reports `degraded`, and a background task reconnects; nothing waits on a dead Redis for
//! longer than [`OPERATION_TIMEOUT`].

mod invalidation;
mod limiter;
mod replay;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::RwLock;
use redis::aio::MultiplexedConnection;

pub use invalidation::{Invalidation, INVALIDATION_CHANNEL};
pub use limiter::RedisRateLimiter;
pub use replay::RedisReplay;

/// Longest wait for one Redis operation before falling back.
pub const OPERATION_TIMEOUT: Duration = Duration::from_millis(500);

/// Pause between reconnection attempts.
const RECONNECT_EVERY: Duration = Duration::from_secs(1);

/// A connection to Redis that is either up or being re-established in the background.
pub struct RedisLink {
    client: redis::Client,
    conn: RwLock<Option<MultiplexedConnection>>,
    up: AtomicBool,
}

impl RedisLink {
    /// Parses `url` and starts the background task that (re)connects. The link starts down;
    /// it comes up within a moment when Redis answers.
    pub fn start(url: &str) -> anyhow::Result<Arc<Self>> {
        let client = redis::Client::open(url)?;
        let link = Arc::new(Self { client, conn: RwLock::new(None), up: AtomicBool::new(false) });
        let weak = Arc::downgrade(&link);
        tokio::spawn(async move {
            while let Some(link) = weak.upgrade() {
                if !link.is_up() {
                    link.connect().await;
                }
                drop(link);
                tokio::time::sleep(RECONNECT_EVERY).await;
            }
        });
        Ok(link)
    }

    /// Connects now (used at start so the first requests already share state).
    pub async fn connect(&self) -> bool {
        let attempt = async {
            let mut conn = self.client.get_multiplexed_async_connection().await?;
            redis::cmd("PING").query_async::<String>(&mut conn).await?;
            Ok::<_, redis::RedisError>(conn)
        };
        match tokio::time::timeout(OPERATION_TIMEOUT, attempt).await {
            Ok(Ok(conn)) => {
                *self.conn.write() = Some(conn);
                if !self.up.swap(true, Ordering::SeqCst) {
                    tracing::info!("redis connected: shared limits and replay memory in use");
                }
                true
            }
            Ok(Err(e)) => {
                tracing::debug!(error = %e, "redis connection attempt failed");
                false
            }
            Err(_) => false,
        }
    }

    /// Whether the last operation (or connection attempt) succeeded.
    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::SeqCst)
    }

    fn mark_down(&self, why: &str) {
        *self.conn.write() = None;
        if self.up.swap(false, Ordering::SeqCst) {
            tracing::warn!(
                reason = why,
                "redis unreachable: falling back to process-local limits and replay memory"
            );
        }
    }

    /// Runs `op` on the connection within [`OPERATION_TIMEOUT`]; `None` (and the link marked
    /// down) when Redis is down, slow or failing.
    pub async fn run<T, F, Fut>(&self, op: F) -> Option<T>
    where
        F: FnOnce(MultiplexedConnection) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let conn = self.conn.read().clone()?;
        match tokio::time::timeout(OPERATION_TIMEOUT, op(conn)).await {
            Ok(Ok(value)) => Some(value),
            Ok(Err(e)) => {
                self.mark_down(&e.to_string());
                None
            }
            Err(_) => {
                self.mark_down("timeout");
                None
            }
        }
    }

    /// Round-trip time of a `PING`, or why it failed.
    pub async fn ping(&self) -> Result<Duration, String> {
        let started = Instant::now();
        let answer = self
            .run(|mut conn| async move { redis::cmd("PING").query_async::<String>(&mut conn).await })
            .await;
        match answer {
            Some(_) => Ok(started.elapsed()),
            None => Err("redis unreachable".into()),
        }
    }

    /// The client, for connections of their own (pub/sub).
    fn client(&self) -> &redis::Client {
        &self.client
    }
}
