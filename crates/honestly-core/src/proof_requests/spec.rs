//! What a verifier sends to create a request ([`NewProofRequest`]), and its validation into
//! the stored [`ProofRequestSpec`].

use std::collections::HashSet;

use honestly_zk::{fr_to_decimal, sha256_field};
use serde::Deserialize;

use super::model::{ProofRequestSpec, RequestedProof};
use super::urls::url_problem;
use crate::error::FieldErrors;
use crate::ids::{IssuerId, UserId};
use crate::zk::credential_proofs::{random_nonce, scope_field, CredentialQuery};

/// The longest purpose, in characters.
pub const MAX_PURPOSE_CHARS: usize = 300;
/// The most trusted issuers one request names.
pub const MAX_TRUSTED_ISSUERS: usize = 16;
/// The shortest time a request stays open, in seconds.
pub const MIN_TTL_SECONDS: u64 = 60;
/// The longest time a request stays open, in seconds (a day).
pub const MAX_TTL_SECONDS: u64 = 86_400;
/// How long a request stays open when the verifier does not say, in seconds.
pub const DEFAULT_TTL_SECONDS: u64 = 600;

/// The domain tag of a default scope.
const DEFAULT_SCOPE_TAG: &str = "honestly/request-scope/v1";

/// A verifier's new request, as the API takes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewProofRequest {
    /// Why, shown to the holder (1–300 characters).
    pub purpose: String,
    /// `credential_query` (default: a credential of a trusted issuer) or `age_proof_v2` (a
    /// self-declared age: only `min_age`, no issuers, not unique per holder).
    #[serde(default)]
    pub proof_type: Option<String>,
    /// The predicates (`min_age`, `not_expired`, `nationality_in`, `nationality_not_in`,
    /// `disclose`).
    pub query: CredentialQuery,
    /// Ids of the issuers whose credentials are accepted (1–16 for `credential_query`).
    #[serde(default)]
    pub trusted_issuers: Vec<String>,
    /// The scope (1–256 bytes); by default derived from the verifier and the purpose, so the
    /// same verifier asking for the same purpose gets the same nullifier of a holder.
    #[serde(default)]
    pub scope: Option<String>,
    /// Seconds the request stays open (60–86400, default 600).
    #[serde(default)]
    pub ttl_seconds: Option<u64>,
    /// Where to hear of the end (http or https, no credentials, at most 2048 characters).
    #[serde(default)]
    pub callback_url: Option<String>,
    /// Where the holder goes after answering (same rules).
    #[serde(default)]
    pub redirect_url: Option<String>,
    /// One answer per holder and scope (default true).
    #[serde(default)]
    pub unique_per_holder: Option<bool>,
}

/// What a request for a self-declared age (`age_proof_v2`) cannot ask: it proves `min_age`
/// of a birth date the holder enters, bound to nothing else.
fn self_declared_problems(request: &NewProofRequest, errors: &mut FieldErrors) {
    let q = &request.query;
    if q.min_age.is_none() {
        errors.add("query.min_age", "a self-declared age request asks for min_age");
    }
    for (field, asked) in [
        ("query.not_expired", q.not_expired.is_some()),
        ("query.nationality_in", q.nationality_in.is_some()),
        ("query.nationality_not_in", q.nationality_not_in.is_some()),
        ("query.disclose", q.disclose.is_some()),
    ] {
        if asked {
            errors.add(field, "an age_proof_v2 proof shows only min_age; ask for credential_query");
        }
    }
    if !request.trusted_issuers.is_empty() {
        errors.add("trusted_issuers", "no issuer vouches for a self-declared age: leave it out");
    }
    if request.unique_per_holder == Some(true) {
        errors.add(
            "unique_per_holder",
            "an age_proof_v2 proof has no nullifier per scope: one answer per holder needs credential_query",
        );
    }
}

/// The scope of a request of `owner` for `purpose` when none is given: a decimal field
/// element, `sha256_field(tag || 0x00 || owner || "|" || purpose)`.
pub fn default_scope(owner: &UserId, purpose: &str) -> String {
    let text = format!("{DEFAULT_SCOPE_TAG}\0{owner}|{purpose}");
    fr_to_decimal(&sha256_field(text.as_bytes()))
}

impl NewProofRequest {
    /// Validates the request of `owner`; every problem is named by its field. Whether the
    /// trusted issuers exist is checked by the service.
    pub fn validate(&self, owner: &UserId) -> Result<ProofRequestSpec, FieldErrors> {
        let mut errors = FieldErrors::new();
        let purpose = self.purpose.trim();
        let chars = purpose.chars().count();
        if chars == 0 || chars > MAX_PURPOSE_CHARS {
            errors.add("purpose", format!("must be 1 to {MAX_PURPOSE_CHARS} characters"));
        } else if purpose.chars().any(char::is_control) {
            errors.add("purpose", "must not contain control characters");
        }
        let proof_type = match self.proof_type.as_deref() {
            None => RequestedProof::CredentialQuery,
            Some(name) => RequestedProof::parse(name).unwrap_or_else(|| {
                errors.add("proof_type", "must be credential_query or age_proof_v2");
                RequestedProof::CredentialQuery
            }),
        };
        if let Err(refused) = self.query.predicates() {
            for (field, reason) in refused.into_map() {
                errors.add(field, reason);
            }
        }
        if proof_type == RequestedProof::SelfDeclaredAge {
            self_declared_problems(self, &mut errors);
        }
        let mut trusted = Vec::new();
        if proof_type == RequestedProof::SelfDeclaredAge {
            // No issuer vouches for a self-declared age (checked above).
        } else if self.trusted_issuers.is_empty() || self.trusted_issuers.len() > MAX_TRUSTED_ISSUERS {
            errors.add("trusted_issuers", format!("must name 1 to {MAX_TRUSTED_ISSUERS} issuers"));
        } else {
            let mut seen = HashSet::new();
            for (i, raw) in self.trusted_issuers.iter().enumerate() {
                match IssuerId::parse(raw) {
                    Ok(id) if !seen.insert(id.clone()) => {
                        errors.add(format!("trusted_issuers[{i}]"), "listed twice")
                    }
                    Ok(id) => trusted.push(id),
                    Err(e) => errors.add(format!("trusted_issuers[{i}]"), e.to_string()),
                }
            }
        }
        if let Some(scope) = &self.scope {
            if let Err(refused) = scope_field(scope) {
                for (field, reason) in refused.into_map() {
                    errors.add(field, reason);
                }
            }
        }
        let ttl_seconds = self.ttl_seconds.unwrap_or(DEFAULT_TTL_SECONDS);
        if !(MIN_TTL_SECONDS..=MAX_TTL_SECONDS).contains(&ttl_seconds) {
            errors.add("ttl_seconds", format!("must be {MIN_TTL_SECONDS} to {MAX_TTL_SECONDS} seconds"));
        }
        for (field, url) in [("callback_url", &self.callback_url), ("redirect_url", &self.redirect_url)] {
            if let Some(problem) = url.as_deref().and_then(url_problem) {
                errors.add(field, problem);
            }
        }
        errors.into_result()?;
        Ok(ProofRequestSpec {
            purpose: purpose.to_owned(),
            proof_type,
            query: self.query.clone(),
            trusted_issuers: trusted,
            scope: self.scope.clone().unwrap_or_else(|| default_scope(owner, purpose)),
            nonce: fr_to_decimal(&random_nonce()),
            unique_per_holder: self
                .unique_per_holder
                .unwrap_or(proof_type == RequestedProof::CredentialQuery),
            callback_url: self.callback_url.clone(),
            redirect_url: self.redirect_url.clone(),
            ttl_seconds,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> NewProofRequest {
        NewProofRequest {
            purpose: "Entry to the bar".into(),
            proof_type: None,
            query: CredentialQuery { min_age: Some(18), ..CredentialQuery::default() },
            trusted_issuers: vec![IssuerId::generate().into_string()],
            scope: None,
            ttl_seconds: None,
            callback_url: None,
            redirect_url: None,
            unique_per_holder: None,
        }
    }

    #[test]
    fn defaults_are_filled_and_the_scope_is_the_same_for_the_same_owner_and_purpose() {
        let owner = UserId::generate();
        let a = request().validate(&owner).unwrap();
        let b = request().validate(&owner).unwrap();
        assert_eq!(a.ttl_seconds, DEFAULT_TTL_SECONDS);
        assert!(a.unique_per_holder);
        assert_eq!(a.scope, b.scope);
        assert_ne!(a.nonce, b.nonce);
        assert_ne!(a.scope, request().validate(&UserId::generate()).unwrap().scope);
        assert!(scope_field(&a.scope).is_ok());
    }

    #[test]
    fn a_self_declared_age_asks_for_min_age_only_and_trusts_no_issuer() {
        let owner = UserId::generate();
        let mut age = request();
        age.proof_type = Some("age_proof_v2".into());
        age.trusted_issuers.clear();
        let spec = age.validate(&owner).unwrap();
        assert_eq!(spec.proof_type, RequestedProof::SelfDeclaredAge);
        assert!(!spec.unique_per_holder, "no per-scope nullifier: not unique by default");
        let mut bad = age.clone();
        bad.query.not_expired = Some(true);
        bad.trusted_issuers = vec![IssuerId::generate().into_string()];
        bad.unique_per_holder = Some(true);
        let refused = bad.validate(&owner).unwrap_err();
        for field in ["query.not_expired", "trusted_issuers", "unique_per_holder"] {
            assert!(refused.get(field).is_some(), "{field}: {refused:?}");
        }
        let mut no_age = age.clone();
        no_age.query.min_age = None;
        assert!(no_age.validate(&owner).unwrap_err().get("query.min_age").is_some());
        let mut unknown = age;
        unknown.proof_type = Some("authenticity_proof".into());
        assert!(unknown.validate(&owner).unwrap_err().get("proof_type").is_some());
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut bad = request();
        bad.purpose = "  ".into();
        bad.ttl_seconds = Some(59);
        bad.callback_url = Some("ftp://x.example/".into());
        bad.redirect_url = Some("https://u:p@x.example/".into());
        bad.trusted_issuers = vec!["iss_nope".into()];
        bad.query.min_age = Some(0);
        let refused = bad.validate(&UserId::generate()).unwrap_err();
        for field in
            ["purpose", "ttl_seconds", "callback_url", "redirect_url", "trusted_issuers[0]", "query.min_age"]
        {
            assert!(refused.get(field).is_some(), "{field}: {refused:?}");
        }
        let mut none = request();
        none.trusted_issuers.clear();
        assert!(none.validate(&UserId::generate()).unwrap_err().get("trusted_issuers").is_some());
        let mut long = request();
        long.purpose = "x".repeat(301);
        assert!(long.validate(&UserId::generate()).unwrap_err().get("purpose").is_some());
    }
}
