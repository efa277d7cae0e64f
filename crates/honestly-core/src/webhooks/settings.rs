//! How deliveries are made and retried; read from the configuration, smaller in tests.

use std::time::Duration;

use crate::config::{Config, Environment};

/// The delivery settings.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// Which callback URL rules apply (loopback is allowed in development only).
    pub environment: Environment,
    /// `WEBHOOK_RETRY_BASE`: the first retry's delay; each next one doubles.
    pub retry_base: Duration,
    /// The longest delay between two attempts.
    pub retry_cap: Duration,
    /// How long after the first attempt an event is given up.
    pub give_up_after: Duration,
    /// `WEBHOOK_POLL_INTERVAL`: how often a worker looks for due events without being woken.
    pub poll_interval: Duration,
    /// How long a claimed event stays a worker's before another may take it over.
    pub lease: Duration,
    /// Deliveries in flight per worker, at most.
    pub max_in_flight: usize,
    /// `WEBHOOK_CONNECT_TIMEOUT`: to resolve the host and to connect.
    pub connect_timeout: Duration,
    /// `WEBHOOK_TIMEOUT`: a whole attempt, answer included.
    pub timeout: Duration,
}

impl WebhookSettings {
    /// The defaults: retries after 5 s, 10 s, 20 s… at most 1 h apart for 24 h; polls every
    /// second; 60 s leases; 16 deliveries in flight; 5 s to connect, 10 s per attempt.
    pub fn new(environment: Environment) -> Self {
        Self {
            environment,
            retry_base: Duration::from_secs(5),
            retry_cap: Duration::from_secs(3600),
            give_up_after: Duration::from_secs(24 * 3600),
            poll_interval: Duration::from_secs(1),
            lease: Duration::from_secs(60),
            max_in_flight: 16,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
        }
    }

    /// The settings `config` names. The lease outlasts the longest attempt by at least 30 s,
    /// so an attempt still running is never taken over.
    pub fn from_config(config: &Config) -> Self {
        let defaults = Self::new(config.environment);
        let longest = config.webhook_connect_timeout + config.webhook_timeout;
        Self {
            retry_base: config.webhook_retry_base,
            poll_interval: config.webhook_poll_interval,
            connect_timeout: config.webhook_connect_timeout,
            timeout: config.webhook_timeout,
            lease: defaults.lease.max(longest + Duration::from_secs(30)),
            ..defaults
        }
    }

    /// The delay before attempt `failed + 1` after `failed` failed attempts: `retry_base`
    /// doubled per earlier failure, at most `retry_cap`, plus up to a quarter more drawn from
    /// `jitter` (a number in `0..1`) so that retries of many events spread out.
    pub fn retry_delay(&self, failed: u32, jitter: f64) -> Duration {
        let doublings = failed.saturating_sub(1).min(32);
        let delay = self.retry_base.saturating_mul(1u32 << doublings.min(31)).min(self.retry_cap);
        delay.mul_f64(1.0 + jitter.clamp(0.0, 1.0) / 4.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap_with_bounded_jitter() {
        let s = WebhookSettings::new(Environment::Production);
        let secs: Vec<u64> = (1..=12).map(|n| s.retry_delay(n, 0.0).as_secs()).collect();
        assert_eq!(secs, [5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]);
        assert_eq!(s.retry_delay(1000, 0.0), Duration::from_secs(3600));
        assert_eq!(s.retry_delay(1, 1.0), Duration::from_millis(6250));
        assert_eq!(s.retry_delay(1, 7.0), Duration::from_millis(6250), "jitter is clamped");
    }
}
