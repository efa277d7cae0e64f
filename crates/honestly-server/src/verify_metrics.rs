//! The figures of verifications batched across requests (the core's batcher counters), for
//! `/monitoring/metrics` (JSON) and `/metrics` (Prometheus).

use std::fmt::Write;

use honestly_core::zk::batcher::{BatchStats, BATCH_SIZE_BUCKETS};
use serde::Serialize;

/// How single verifications were scheduled since start.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VerificationBatching {
    /// Whether batching is on (`VERIFY_BATCHING`).
    pub enabled: bool,
    /// Verifications run at once on a free place of the CPU pool.
    pub immediate: u64,
    /// Verifications that waited in the queue for a batch.
    pub queued: u64,
    /// Batches run.
    pub batches: u64,
    /// Verifications checked in those batches.
    pub batched: u64,
    /// Batches whose combined check failed (a bad proof among them), so that each proof was
    /// checked on its own.
    pub fallbacks: u64,
    /// Verifications refused with 503 because the queue was full.
    pub queue_full: u64,
    /// Verifications answered 503 after waiting for the CPU pool as long as it allows.
    pub expired: u64,
    /// Verifications in the queue now.
    pub queue_depth: u64,
    /// Batches by size, smallest first: each bucket counts the batches larger than the
    /// previous bucket's bound and at most its own.
    pub batch_sizes: Vec<BatchSizeBucket>,
}

/// One bucket of the batch-size histogram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BatchSizeBucket {
    /// The largest batch size counted here; `null` for the last bucket (any larger size).
    pub up_to: Option<u64>,
    /// Batches in this bucket.
    pub count: u64,
}

impl From<BatchStats> for VerificationBatching {
    fn from(s: BatchStats) -> Self {
        let bounds = BATCH_SIZE_BUCKETS.iter().map(|&b| Some(b as u64)).chain([None]);
        Self {
            enabled: s.enabled,
            immediate: s.immediate,
            queued: s.queued,
            batches: s.batches,
            batched: s.batched_jobs,
            fallbacks: s.fallbacks,
            queue_full: s.queue_full,
            expired: s.expired,
            queue_depth: s.queue_depth,
            batch_sizes: bounds
                .zip(s.batch_sizes)
                .map(|(up_to, count)| BatchSizeBucket { up_to, count })
                .collect(),
        }
    }
}

/// The same figures in the Prometheus text format: counters, the queue gauge and a
/// histogram of batch sizes.
pub fn prometheus(s: &BatchStats) -> String {
    let mut out = String::new();
    let counters = [
        ("honestly_verify_immediate_total", "Verifications run at once on a free place.", s.immediate),
        ("honestly_verify_queued_total", "Verifications that waited for a batch.", s.queued),
        (
            "honestly_verify_batch_fallbacks_total",
            "Batches checked one by one after a failed combined check.",
            s.fallbacks,
        ),
        (
            "honestly_verify_queue_full_total",
            "Verifications refused because the queue was full.",
            s.queue_full,
        ),
        ("honestly_verify_expired_total", "Verifications that waited too long for the CPU pool.", s.expired),
    ];
    for (name, help, value) in counters {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}");
    }
    let name = "honestly_verify_queue_depth";
    let _ = writeln!(
        out,
        "# HELP {name} Verifications waiting for a batch.\n# TYPE {name} gauge\n{name} {}",
        s.queue_depth
    );
    let name = "honestly_verify_batch_size";
    let _ = writeln!(out, "# HELP {name} Proofs per batch across requests.\n# TYPE {name} histogram");
    let mut cumulative = 0;
    for (i, count) in s.batch_sizes.iter().enumerate() {
        cumulative += count;
        let le = BATCH_SIZE_BUCKETS.get(i).map_or_else(|| "+Inf".to_string(), |b| b.to_string());
        let _ = writeln!(out, "{name}_bucket{{le=\"{le}\"}} {cumulative}");
    }
    let _ = writeln!(out, "{name}_sum {}\n{name}_count {}", s.batched_jobs, s.batches);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_batch_size_histogram_is_cumulative() {
        let mut sizes = vec![0; BATCH_SIZE_BUCKETS.len() + 1];
        sizes[0] = 2; // two batches of 1
        sizes[5] = 1; // one of 17..=32
        let stats = BatchStats { batches: 3, batched_jobs: 30, batch_sizes: sizes, ..BatchStats::default() };
        let text = prometheus(&stats);
        assert!(text.contains("honestly_verify_batch_size_bucket{le=\"1\"} 2\n"), "{text}");
        assert!(text.contains("honestly_verify_batch_size_bucket{le=\"16\"} 2\n"), "{text}");
        assert!(text.contains("honestly_verify_batch_size_bucket{le=\"32\"} 3\n"), "{text}");
        assert!(text.contains("honestly_verify_batch_size_bucket{le=\"+Inf\"} 3\n"), "{text}");
        assert!(text.contains("honestly_verify_batch_size_count 3\n"), "{text}");
        let json = VerificationBatching::from(stats);
        assert_eq!(json.batch_sizes[0], BatchSizeBucket { up_to: Some(1), count: 2 });
        assert_eq!(json.batch_sizes.last(), Some(&BatchSizeBucket { up_to: None, count: 0 }));
    }
}
