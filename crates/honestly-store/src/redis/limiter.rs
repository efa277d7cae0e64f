//! GCRA in Redis: one atomic round trip per request (a Lua script using the Redis clock, so
//! replicas with skewed clocks still share one schedule). Same algorithm and answers as
//! [`honestly_core::ratelimit::gcra_step`]; falls back to a process-local limiter while Redis is down.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::RedisLink;
use honestly_core::ratelimit::{Decision, MemoryRateLimiter, Quota, RateLimiter};

/// KEYS[1] = counter; ARGV = emission interval (µs), burst. Returns {allowed, remaining,
/// retry_after_µs}.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - burst * interval
if now < allow_at then
  return {0, 0, allow_at - now}
end
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil((new_tat - now) / 1000) + 1)
return {1, math.floor((now + burst * interval - new_tat) / interval), 0}
";

/// KEYS[1] = counter; ARGV = emission interval (µs). Moves the TAT back by one interval, or
/// forgets it when that is not in the future (same as [`honestly_core::ratelimit::gcra_refund`]).
const REFUND: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]))
if not tat then return 0 end
local new_tat = tat - tonumber(ARGV[1])
if new_tat <= now then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil((new_tat - now) / 1000) + 1)
end
return 1
";

fn interval_us(quota: Quota) -> u64 {
    u64::try_from(quota.emission_interval().as_micros()).unwrap_or(u64::MAX).max(1)
}

fn redis_key(key: &str) -> String {
    format!("honestly:rl:{key}")
}

/// A limiter shared by every replica through Redis.
pub struct RedisRateLimiter {
    link: Arc<RedisLink>,
    script: redis::Script,
    refund: redis::Script,
    local: MemoryRateLimiter,
}

impl RedisRateLimiter {
    /// A limiter over `link`, with a local fallback.
    pub fn new(link: Arc<RedisLink>) -> Self {
        Self {
            link,
            script: redis::Script::new(GCRA),
            refund: redis::Script::new(REFUND),
            local: MemoryRateLimiter::new(),
        }
    }
}

#[async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn check(&self, key: &str, quota: Quota) -> Decision {
        let interval_us = interval_us(quota);
        let burst = quota.burst.max(1);
        let redis_key = redis_key(key);
        let script = &self.script;
        let answer = self
            .link
            .run(|mut conn| async move {
                let mut call = script.key(redis_key);
                call.arg(interval_us).arg(burst);
                call.invoke_async::<(i64, i64, i64)>(&mut conn).await
            })
            .await;
        match answer {
            Some((allowed, remaining, retry_us)) => Decision {
                allowed: allowed == 1,
                limit: quota.burst,
                remaining: u32::try_from(remaining.max(0)).unwrap_or(u32::MAX),
                retry_after: Duration::from_micros(u64::try_from(retry_us.max(0)).unwrap_or(0)),
            },
            None => self.local.check_local(key, quota),
        }
    }

    async fn refund(&self, key: &str, quota: Quota) {
        let (interval_us, redis_key) = (interval_us(quota), redis_key(key));
        let script = &self.refund;
        let answer = self
            .link
            .run(|mut conn| async move {
                let mut call = script.key(redis_key);
                call.arg(interval_us);
                call.invoke_async::<i64>(&mut conn).await
            })
            .await;
        if answer.is_none() {
            // Redis is down: the request was counted by the local fallback.
            self.local.refund_local(key, quota);
        }
    }
}
