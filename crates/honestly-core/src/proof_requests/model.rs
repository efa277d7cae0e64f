//! What the store keeps of a proof request. The verifier's question ([`ProofRequestSpec`])
//! and, once answered, the result ([`ProofRequestResult`]) are stored whole (as JSON); what
//! look-ups and the atomic changes need (owner, token hash, status, times) stands apart.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clock::Timestamp;
use crate::ids::{IssuerId, ProofRequestId, UserId};
use crate::zk::credential_proofs::CredentialQuery;

crate::text_enum! {
    /// Where a proof request stands.
    pub enum ProofRequestStatus {
        /// Waiting for the holder.
        Pending => "pending",
        /// Answered with a proof.
        Completed => "completed",
        /// The holder declined.
        Declined => "declined",
        /// Nobody answered in time.
        Expired => "expired",
    }
}

/// The kind of proof a request asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestedProof {
    /// A `credential_query` proof from a credential of a trusted issuer, bound to the
    /// request's nonce and scope.
    #[default]
    #[serde(rename = "credential_query")]
    CredentialQuery,
    /// An `age_proof_v2` proof of a birth date the holder enters: self-declared, not attested
    /// by anyone (only `min_age` can be asked).
    #[serde(rename = "age_proof_v2")]
    SelfDeclaredAge,
}

impl RequestedProof {
    /// The circuit's name (`credential_query` or `age_proof_v2`).
    pub fn as_str(self) -> &'static str {
        match self {
            RequestedProof::CredentialQuery => "credential_query",
            RequestedProof::SelfDeclaredAge => "age_proof_v2",
        }
    }

    /// The kind named `name`, if it is one.
    pub fn parse(name: &str) -> Option<Self> {
        [RequestedProof::CredentialQuery, RequestedProof::SelfDeclaredAge]
            .into_iter()
            .find(|k| k.as_str() == name)
    }
}

/// What the verifier asks, as validated at creation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofRequestSpec {
    /// Why, shown to the holder (1–300 characters).
    pub purpose: String,
    /// The kind of proof asked for (requests stored before it existed asked for credentials).
    #[serde(default)]
    pub proof_type: RequestedProof,
    /// The predicates the holder's credential must meet.
    pub query: CredentialQuery,
    /// The issuers whose credentials are accepted (1–16, hosted here; none for a
    /// self-declared age).
    pub trusted_issuers: Vec<IssuerId>,
    /// The scope text: the holder's nullifier is the same for the same scope.
    pub scope: String,
    /// The nonce (decimal field element), made by the server.
    pub nonce: String,
    /// Whether one holder may answer only once per scope of this verifier.
    pub unique_per_holder: bool,
    /// Where the verifier wants to hear of the end (http or https).
    pub callback_url: Option<String>,
    /// Where the holder is sent after answering (http or https).
    pub redirect_url: Option<String>,
    /// How long the request stays open, in seconds.
    pub ttl_seconds: u64,
}

/// An issuer named in a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuerRef {
    /// Its id.
    pub id: IssuerId,
    /// Its name.
    pub name: String,
}

/// What a proof disclosed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disclosed {
    /// The nationality (ISO 3166-1 alpha-3), when the query asked it disclosed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
}

/// The answer of a completed request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProofRequestResult {
    /// Whether the proof verified against every expectation of the request.
    pub verified: bool,
    /// Each predicate asked (and the binding to this request: `scope`, `nonce`,
    /// `trusted_issuers`, `not_revoked`) → whether the proof shows it.
    pub checks: BTreeMap<String, bool>,
    /// What the proof disclosed.
    pub disclosed: Disclosed,
    /// The holder's nullifier for the request's scope (decimal).
    pub nullifier: String,
    /// The issuer of the credential (none for a self-declared age).
    pub issuer: Option<IssuerRef>,
    /// Whether the holder declared the fact themselves (`age_proof_v2`): nobody vouched
    /// for it.
    #[serde(default)]
    pub self_declared: bool,
    /// The circuit (`credential_query` or `age_proof_v2`).
    pub proof_type: String,
    /// The snarkjs proof.
    pub proof: serde_json::Value,
    /// The public signals, decimal, in the circuit's order.
    pub public_signals: Vec<String>,
}

/// A proof request as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ProofRequestRecord {
    /// Its id.
    pub id: ProofRequestId,
    /// The verifier who asked (for an agent, the agent's user).
    pub owner: UserId,
    /// What is asked.
    pub spec: ProofRequestSpec,
    /// Hex SHA-256 of the holder's token (the token itself is never stored).
    pub token_hash: String,
    /// Where it stands.
    pub status: ProofRequestStatus,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it stops accepting answers.
    pub expires_at: Timestamp,
    /// When it was completed, declined or expired.
    pub finished_at: Option<Timestamp>,
    /// The answer, when completed.
    pub result: Option<ProofRequestResult>,
}

impl ProofRequestRecord {
    /// Whether it is pending but past its expiry at `now` (to be marked expired).
    pub fn is_overdue(&self, now: Timestamp) -> bool {
        self.status == ProofRequestStatus::Pending && self.expires_at <= now
    }
}

/// How a pending request ends.
#[derive(Debug, Clone, PartialEq)]
pub enum Finish {
    /// Answered. With `nullifier` set (requests unique per holder), the pair (owner, scope,
    /// nullifier) is recorded in the same transaction, and refused when recorded before.
    Complete {
        /// The answer.
        result: Box<ProofRequestResult>,
        /// The holder's nullifier, when each holder may answer once per scope.
        unique_nullifier: Option<String>,
    },
    /// The holder declined.
    Decline,
    /// Nobody answered in time (only a request past its expiry).
    Expire,
}

impl Finish {
    /// The status this change sets.
    pub fn status(&self) -> ProofRequestStatus {
        match self {
            Finish::Complete { .. } => ProofRequestStatus::Completed,
            Finish::Decline => ProofRequestStatus::Declined,
            Finish::Expire => ProofRequestStatus::Expired,
        }
    }
}

/// What became of a [`Finish`].
#[derive(Debug, Clone, PartialEq)]
pub enum FinishOutcome {
    /// Done: the request as it now is. Of concurrent changes, on any replica, exactly one
    /// is `Done`.
    Done(ProofRequestRecord),
    /// It had ended before (or, for `Expire`, is not due yet): nothing changed.
    NotPending(ProofRequestRecord),
    /// An answer or decline that came after the expiry: nothing changed (the request is
    /// still pending in the store, due to expire).
    TooLate(ProofRequestRecord),
    /// The same holder already answered a request of this owner with this scope: nothing
    /// changed.
    AlreadyAnswered,
    /// No such request.
    NotFound,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_results_stored_before_self_declared_ages_read_as_credential_queries() {
        let spec: ProofRequestSpec = serde_json::from_value(serde_json::json!({
            "purpose": "Entry", "query": {"min_age": 18}, "trusted_issuers": [], "scope": "1", "nonce": "2",
            "unique_per_holder": true, "callback_url": null, "redirect_url": null, "ttl_seconds": 600
        }))
        .unwrap();
        assert_eq!(spec.proof_type, RequestedProof::CredentialQuery);
        let result: ProofRequestResult = serde_json::from_value(serde_json::json!({
            "verified": true, "checks": {"min_age": true}, "disclosed": {}, "nullifier": "3",
            "issuer": {"id": format!("iss_{}", "0".repeat(32)), "name": "Registry"},
            "proof_type": "credential_query", "proof": {}, "public_signals": []
        }))
        .unwrap();
        assert!(!result.self_declared);
        assert_eq!(result.issuer.unwrap().name, "Registry");
        assert_eq!(serde_json::to_value(RequestedProof::SelfDeclaredAge).unwrap(), "age_proof_v2");
        assert_eq!(RequestedProof::parse("age_proof_v2"), Some(RequestedProof::SelfDeclaredAge));
        assert_eq!(RequestedProof::parse("age_proof"), None);
    }
}
