//! The most recent agent interactions of this process, recorded by the `/ai` envelope for
//! `/monitoring/ai-interactions` (the durable record of each call is the audit trail).

use std::collections::VecDeque;

use parking_lot::Mutex;
use serde::Serialize;
use utoipa::ToSchema;

/// Interactions kept in memory.
pub const CAPACITY: usize = 10_000;

/// One `/ai/*` call.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Interaction {
    /// The agent (as claimed when the call was refused before authentication), if known.
    pub agent_id: Option<String>,
    /// `verify_proof`, `verify_proofs_batch`, `get_document_hash`, `create_share_link`,
    /// `create_proof_request`, `health`, `create_agent`, `list_agents`, `get_agent`,
    /// `delete_agent`.
    pub action: String,
    /// Whether the call was answered with a 2xx status.
    pub success: bool,
    /// RFC 3339, when the call ended.
    pub timestamp: String,
    /// Time spent answering.
    pub duration_ms: f64,
    /// The error code of a refused or failed call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A bounded ring of the latest interactions.
#[derive(Default)]
pub struct AiInteractions {
    ring: Mutex<VecDeque<Interaction>>,
}

impl AiInteractions {
    /// Records one call, forgetting the oldest beyond [`CAPACITY`].
    pub fn record(&self, interaction: Interaction) {
        let mut ring = self.ring.lock();
        if ring.len() == CAPACITY {
            ring.pop_front();
        }
        ring.push_back(interaction);
    }

    /// Newest first, at most `limit`, only of `agent_id` when given; with the number of held
    /// interactions that match.
    pub fn recent(&self, limit: usize, agent_id: Option<&str>) -> (Vec<Interaction>, usize) {
        let ring = self.ring.lock();
        let matching =
            ring.iter().rev().filter(|i| agent_id.is_none_or(|a| i.agent_id.as_deref() == Some(a)));
        let mut total = 0;
        let mut page = Vec::with_capacity(limit.min(ring.len()));
        for interaction in matching {
            if page.len() < limit {
                page.push(interaction.clone());
            }
            total += 1;
        }
        (page, total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(agent: &str, n: usize) -> Interaction {
        Interaction {
            agent_id: Some(agent.into()),
            action: "verify_proof".into(),
            success: true,
            timestamp: format!("t{n}"),
            duration_ms: 1.0,
            error: None,
        }
    }

    #[test]
    fn newest_first_filtered_and_bounded() {
        let ring = AiInteractions::default();
        for n in 0..CAPACITY + 5 {
            ring.record(call(if n % 2 == 0 { "a" } else { "b" }, n));
        }
        let (all, total) = ring.recent(3, None);
        assert_eq!(total, CAPACITY);
        assert_eq!(
            all.iter().map(|i| i.timestamp.as_str()).collect::<Vec<_>>(),
            ["t10004", "t10003", "t10002"]
        );
        let (only_a, total_a) = ring.recent(2, Some("a"));
        assert_eq!(total_a, CAPACITY / 2);
        assert!(only_a.iter().all(|i| i.agent_id.as_deref() == Some("a")));
        assert_eq!(only_a[0].timestamp, "t10004");
    }
}
