//! The AI-signature replay memory in Redis: `SET key 1 NX PX ttl` — the first replica to store
//! a digest accepts the request, every other use anywhere is a replay. While Redis is down it
//! falls back to the memory it was given (the server gives the store's, which every replica
//! shares and a restart keeps).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::RedisLink;
use honestly_core::agents::{ReplayError, ReplayMemory};

/// A replay memory shared by every replica.
pub struct RedisReplay {
    link: Arc<RedisLink>,
    fallback: Arc<dyn ReplayMemory>,
}

impl RedisReplay {
    /// A memory over `link` that asks `fallback` while Redis does not answer.
    pub fn new(link: Arc<RedisLink>, fallback: Arc<dyn ReplayMemory>) -> Self {
        Self { link, fallback }
    }
}

#[async_trait]
impl ReplayMemory for RedisReplay {
    async fn first_use(&self, digest: [u8; 32], ttl: Duration) -> Result<bool, ReplayError> {
        let key = format!("honestly:replay:{}", hex::encode(digest));
        let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let stored = self
            .link
            .run(|mut conn| async move {
                redis::cmd("SET")
                    .arg(key)
                    .arg(1)
                    .arg("NX")
                    .arg("PX")
                    .arg(millis)
                    .query_async::<Option<String>>(&mut conn)
                    .await
            })
            .await;
        match stored {
            Some(answer) => Ok(answer.is_some()),
            None => self.fallback.first_use(digest, ttl).await,
        }
    }
}
