//! What a verifier asks of a proof beyond validity ([`Expected`], the `expected` member of the
//! verification routes), with the value types of its credential members. How the members are
//! read and checked is elsewhere: [`super::verify`] (coverage, age and authenticity checks) and
//! [`super::credential_expected`] (credential proofs).

use honestly_zk::babyjub::PointJson;
use honestly_zk::eddsa::SignatureJson;
use serde::{Deserialize, Serialize};

/// What a verifier asks of a proof beyond validity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// The proof's `minAge` must be at least this (age proofs).
    pub min_age: Option<u64>,
    /// The proof must be about the document with this hex SHA-256.
    pub document_sha256: Option<String>,
    /// The proof's reference time must be at most this many seconds old (age proofs; an
    /// `age_proof_v2` is dated by a UTC day and counts its age from the end of that day).
    pub max_proof_age_seconds: Option<u64>,
    /// The proof's registry root must be exactly this (authenticity proofs, decimal).
    pub registry_root: Option<String>,
    /// The issuers a credential proof may come from: ids (`iss_…`) or keys `{x, y}`.
    pub trusted_issuers: Option<Vec<TrustedIssuer>>,
    /// A credential proof must show that the document is not expired.
    pub not_expired: Option<bool>,
    /// A credential proof must show the nationality among these countries (≤ 8).
    pub nationality_in: Option<Vec<CountryCode>>,
    /// A credential proof must show the nationality is none of these countries (≤ 8).
    pub nationality_not_in: Option<Vec<CountryCode>>,
    /// What a credential proof must disclose: `["nationality"]`.
    pub disclose: Option<Vec<String>>,
    /// A credential proof's scope (text, see `query_fields`).
    pub scope: Option<String>,
    /// A credential proof's nonce (text, see `query_fields`).
    pub nonce: Option<String>,
    /// Days a credential proof's reference date may lie from today (0–7, default 1).
    pub reference_date_tolerance_days: Option<u64>,
    /// The issuer's signed revocation state to check a credential proof against (default: the
    /// issuer's current one, when this server knows the issuer).
    pub revocation_state: Option<RevocationStateJson>,
    /// The oldest revocation state accepted, in seconds (60 to 30 days, default 3600).
    pub max_revocation_age_seconds: Option<u64>,
}

/// The expectations a verifier can state, by name: the members of [`Expected`].
pub const EXPECTATIONS: [&str; 14] = [
    "min_age",
    "document_sha256",
    "max_proof_age_seconds",
    "registry_root",
    "trusted_issuers",
    "not_expired",
    "nationality_in",
    "nationality_not_in",
    "disclose",
    "scope",
    "nonce",
    "reference_date_tolerance_days",
    "revocation_state",
    "max_revocation_age_seconds",
];

impl Expected {
    /// The names of the expectations given, in [`EXPECTATIONS`] order.
    pub fn given(&self) -> Vec<&'static str> {
        let given = [
            self.min_age.is_some(),
            self.document_sha256.is_some(),
            self.max_proof_age_seconds.is_some(),
            self.registry_root.is_some(),
            self.trusted_issuers.is_some(),
            self.not_expired.is_some(),
            self.nationality_in.is_some(),
            self.nationality_not_in.is_some(),
            self.disclose.is_some(),
            self.scope.is_some(),
            self.nonce.is_some(),
            self.reference_date_tolerance_days.is_some(),
            self.revocation_state.is_some(),
            self.max_revocation_age_seconds.is_some(),
        ];
        EXPECTATIONS.into_iter().zip(given).filter(|(_, g)| *g).map(|(name, _)| name).collect()
    }
}

/// An issuer a verifier trusts: its id on this server (`"iss_…"`) or its public key
/// `{"x": "…", "y": "…"}` (decimal, circomlib coordinates).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum TrustedIssuer {
    /// An issuer id of this server, resolved to its key when the proof is checked.
    Id(String),
    /// A public key.
    Key(PointJson),
}

/// A country as a verifier writes it: an ISO 3166-1 numeric code (`276`) or an alpha-3
/// (`"DEU"`), alpha-2 or numeric text.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum CountryCode {
    /// A numeric code.
    Numeric(u64),
    /// A code as text.
    Text(String),
}

/// A signed revocation state as JSON: `{"root": "<dec>", "issued_at": <unix seconds>,
/// "signature": {"R8x", "R8y", "S"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RevocationStateJson {
    /// The revocation tree's root, decimal.
    pub root: String,
    /// When the issuer signed it (Unix seconds).
    pub issued_at: u64,
    /// The issuer's EdDSA-Poseidon signature over the state's message.
    pub signature: SignatureJson,
}
