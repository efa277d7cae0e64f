//! Per-route request metrics, keyed by `"METHOD /route/{template}"` (never by raw path), with
//! latency percentiles from an HDR histogram. Feeds `/monitoring/metrics` and `/metrics`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::time::Duration;

use hdrhistogram::Histogram;
use std::sync::Mutex;

use serde::Serialize;

/// A Prometheus counter family: name, type, help text and how to read it from a snapshot.
type CounterFamily = (&'static str, &'static str, &'static str, fn(&RouteSnapshot) -> f64);

/// The key used for requests that matched no route (one bucket, bounded cardinality).
pub const UNMATCHED_ROUTE: &str = "(unmatched)";

struct RouteStats {
    request_count: u64,
    error_count: u64,
    client_error_count: u64,
    slow_count: u64,
    total_micros: u128,
    histogram: Histogram<u64>,
}

impl RouteStats {
    fn new() -> Self {
        Self {
            request_count: 0,
            error_count: 0,
            client_error_count: 0,
            slow_count: 0,
            total_micros: 0,
            // 1 µs .. 1 h, 3 significant digits.
            histogram: Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("valid histogram bounds"),
        }
    }
}

/// One route's figures, as served by `/monitoring/metrics`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RouteSnapshot {
    /// Requests answered.
    pub request_count: u64,
    /// Mean latency in milliseconds.
    pub avg_response_time_ms: f64,
    /// Median latency in milliseconds.
    pub p50_ms: f64,
    /// 95th percentile latency in milliseconds.
    pub p95_ms: f64,
    /// 99th percentile latency in milliseconds.
    pub p99_ms: f64,
    /// Responses with a 5xx status.
    pub error_count: u64,
    /// `error_count / request_count`.
    pub error_rate: f64,
    /// Responses with a 4xx status.
    pub client_error_count: u64,
    /// Requests slower than `SLOW_REQUEST_THRESHOLD`.
    pub slow_count: u64,
}

/// The registry of every route's statistics.
#[derive(Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<String, RouteStats>>,
}

fn ms(micros: u64) -> f64 {
    micros as f64 / 1000.0
}

impl Metrics {
    /// Records one answered request.
    pub fn record(&self, key: &str, status: u16, latency: Duration, slow: bool) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX).max(1);
        let mut routes = self.routes.lock().unwrap_or_else(|p| p.into_inner());
        let stats = routes.entry(key.to_string()).or_insert_with(RouteStats::new);
        stats.request_count += 1;
        stats.total_micros += u128::from(micros);
        stats.error_count += u64::from(status >= 500);
        stats.client_error_count += u64::from((400..500).contains(&status));
        stats.slow_count += u64::from(slow);
        stats.histogram.saturating_record(micros);
    }

    /// A consistent copy of every route's figures.
    pub fn snapshot(&self) -> BTreeMap<String, RouteSnapshot> {
        let routes = self.routes.lock().unwrap_or_else(|p| p.into_inner());
        routes
            .iter()
            .map(|(key, s)| {
                let count = s.request_count.max(1);
                let snapshot = RouteSnapshot {
                    request_count: s.request_count,
                    avg_response_time_ms: (s.total_micros as f64 / count as f64) / 1000.0,
                    p50_ms: ms(s.histogram.value_at_quantile(0.50)),
                    p95_ms: ms(s.histogram.value_at_quantile(0.95)),
                    p99_ms: ms(s.histogram.value_at_quantile(0.99)),
                    error_count: s.error_count,
                    error_rate: s.error_count as f64 / count as f64,
                    client_error_count: s.client_error_count,
                    slow_count: s.slow_count,
                };
                (key.clone(), snapshot)
            })
            .collect()
    }

    /// The same figures in the Prometheus text exposition format.
    pub fn prometheus(&self, uptime: Duration) -> String {
        let snapshot = self.snapshot();
        let mut out = String::new();
        let _ = writeln!(out, "# HELP honestly_uptime_seconds Seconds since the process started.");
        let _ = writeln!(out, "# TYPE honestly_uptime_seconds gauge");
        let _ = writeln!(out, "honestly_uptime_seconds {}", uptime.as_secs_f64());
        let families: [CounterFamily; 4] = [
            ("honestly_http_requests_total", "counter", "Requests answered.", |s| s.request_count as f64),
            ("honestly_http_server_errors_total", "counter", "Responses with a 5xx status.", |s| {
                s.error_count as f64
            }),
            ("honestly_http_client_errors_total", "counter", "Responses with a 4xx status.", |s| {
                s.client_error_count as f64
            }),
            (
                "honestly_http_slow_requests_total",
                "counter",
                "Requests slower than SLOW_REQUEST_THRESHOLD.",
                |s| s.slow_count as f64,
            ),
        ];
        for (name, kind, help, value) in families {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            for (key, s) in &snapshot {
                let _ = writeln!(out, "{name}{{{}}} {}", labels(key), value(s));
            }
        }
        let name = "honestly_http_request_duration_seconds";
        let _ = writeln!(out, "# HELP {name} Request latency.");
        let _ = writeln!(out, "# TYPE {name} summary");
        for (key, s) in &snapshot {
            let l = labels(key);
            for (q, v) in [("0.5", s.p50_ms), ("0.95", s.p95_ms), ("0.99", s.p99_ms)] {
                let _ = writeln!(out, "{name}{{{l},quantile=\"{q}\"}} {}", v / 1000.0);
            }
            let sum = s.avg_response_time_ms * s.request_count as f64 / 1000.0;
            let _ = writeln!(out, "{name}_sum{{{l}}} {sum}");
            let _ = writeln!(out, "{name}_count{{{l}}} {}", s.request_count);
        }
        out
    }
}

/// `"GET /a/{id}"` → `method="GET",route="/a/{id}"`, label values escaped.
fn labels(key: &str) -> String {
    let (method, route) = key.split_once(' ').unwrap_or(("", key));
    let escape = |v: &str| v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    format!("method=\"{}\",route=\"{}\"", escape(method), escape(route))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_errors_slow_requests_and_percentiles() {
        let m = Metrics::default();
        for i in 1..=100u64 {
            m.record("GET /x/{id}", if i == 100 { 500 } else { 200 }, Duration::from_millis(i), i > 95);
        }
        let s = &m.snapshot()["GET /x/{id}"];
        assert_eq!(s.request_count, 100);
        assert_eq!(s.error_count, 1);
        assert_eq!(s.slow_count, 5);
        assert!((s.p50_ms - 50.0).abs() < 1.0, "{}", s.p50_ms);
        assert!((s.p99_ms - 99.0).abs() < 1.0, "{}", s.p99_ms);
        let text = m.prometheus(Duration::from_secs(1));
        assert!(text.contains("honestly_http_requests_total{method=\"GET\",route=\"/x/{id}\"} 100"));
    }
}
