//! How proof requests are shown: to their verifier ([`ProofRequestView`], with the result once
//! answered) and to the holder ([`RequestDescription`], what is asked in words).

use std::collections::BTreeMap;

use honestly_core::proof_requests::words::request_in_words;
use honestly_core::proof_requests::{ProofRequestRecord, ProofRequestResult};
use serde::Serialize;
use utoipa::ToSchema;

use super::credential_proofs::QueryInput;
use crate::state::AppState;

/// The issuer that vouched for an answer.
#[derive(Serialize, ToSchema)]
pub struct IssuerNameView {
    /// `iss_…`.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// What a proof disclosed.
#[derive(Serialize, ToSchema)]
pub struct DisclosedView {
    /// ISO 3166-1 alpha-3, when the request asked it disclosed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
}

/// The answer of a completed request.
#[derive(Serialize, ToSchema)]
pub struct ProofRequestResultView {
    /// The proof verified against every expectation of the request.
    pub verified: bool,
    /// Each predicate asked, and the bindings (`trusted_issuers`, `not_revoked`, `scope`,
    /// `nonce`) → shown by the proof.
    pub checks: BTreeMap<String, bool>,
    /// What the proof disclosed.
    pub disclosed: DisclosedView,
    /// The holder's nullifier for the request's scope (decimal).
    pub nullifier: String,
    /// The issuer of the holder's credential (null for a self-declared age).
    pub issuer: Option<IssuerNameView>,
    /// `true` when the holder declared the fact themselves (`age_proof_v2`): nobody vouched
    /// for it.
    pub self_declared: bool,
    /// `credential_query` or `age_proof_v2`.
    pub proof_type: String,
    /// snarkjs proof JSON.
    #[schema(value_type = crate::openapi::SnarkjsProof)]
    pub proof: serde_json::Value,
    /// Decimal strings in the circuit's order.
    pub public_signals: Vec<String>,
}

impl From<ProofRequestResult> for ProofRequestResultView {
    fn from(r: ProofRequestResult) -> Self {
        Self {
            verified: r.verified,
            checks: r.checks,
            disclosed: DisclosedView { nationality: r.disclosed.nationality },
            nullifier: r.nullifier,
            issuer: r.issuer.map(|i| IssuerNameView { id: i.id.into_string(), name: i.name }),
            self_declared: r.self_declared,
            proof_type: r.proof_type,
            proof: r.proof,
            public_signals: r.public_signals,
        }
    }
}

/// A proof request as its verifier sees it.
#[derive(Serialize, ToSchema)]
pub struct ProofRequestView {
    /// `req_…`.
    pub id: String,
    /// `pending`, `completed`, `declined` or `expired`.
    pub status: String,
    /// Why, as shown to the holder.
    pub purpose: String,
    /// `credential_query` (a credential of a trusted issuer) or `age_proof_v2` (a
    /// self-declared age).
    pub proof_type: String,
    /// The predicates asked.
    #[schema(value_type = QueryInput)]
    pub query: serde_json::Value,
    /// The trusted issuers' ids.
    pub trusted_issuers: Vec<String>,
    /// The scope the holder's nullifier is bound to.
    pub scope: String,
    /// The nonce the proof is bound to (decimal).
    pub nonce: String,
    /// One answer per holder and scope.
    pub unique_per_holder: bool,
    /// Where the end is reported.
    pub callback_url: Option<String>,
    /// Where the holder goes after answering.
    pub redirect_url: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub expires_at: String,
    /// RFC 3339, once completed, declined or expired.
    pub finished_at: Option<String>,
    /// The holder's link (`{base}/r/{token}`): only in the answer that created the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_uri: Option<String>,
    /// The QR code of the link as PNG: only on creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qr_png_url: Option<String>,
    /// The QR code of the link as SVG: only on creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qr_svg_url: Option<String>,
    /// The answer, once completed.
    pub result: Option<ProofRequestResultView>,
}

impl ProofRequestView {
    /// The view of a stored request.
    pub fn of(r: ProofRequestRecord) -> Self {
        let spec = r.spec;
        Self {
            id: r.id.into_string(),
            status: r.status.as_str().to_owned(),
            purpose: spec.purpose,
            proof_type: spec.proof_type.as_str().to_owned(),
            query: serde_json::to_value(&spec.query).unwrap_or_default(),
            trusted_issuers: spec.trusted_issuers.into_iter().map(|i| i.into_string()).collect(),
            scope: spec.scope,
            nonce: spec.nonce,
            unique_per_holder: spec.unique_per_holder,
            callback_url: spec.callback_url,
            redirect_url: spec.redirect_url,
            created_at: r.created_at.rfc3339(),
            expires_at: r.expires_at.rfc3339(),
            finished_at: r.finished_at.map(|t| t.rfc3339()),
            request_uri: None,
            qr_png_url: None,
            qr_svg_url: None,
            result: r.result.map(ProofRequestResultView::from),
        }
    }

    /// The view of a request just created, with its holder's links.
    pub fn created(state: &AppState, r: ProofRequestRecord, token: &str) -> Self {
        let service = &state.proof_requests;
        Self {
            request_uri: Some(service.request_uri(token)),
            qr_png_url: Some(service.qr_url(token, "png")),
            qr_svg_url: Some(service.qr_url(token, "svg")),
            ..Self::of(r)
        }
    }
}

/// Who asks.
#[derive(Serialize, ToSchema)]
pub struct VerifierView {
    /// The verifier's account name.
    pub name: String,
}

/// A request as a holder sees it before answering.
#[derive(Serialize, ToSchema)]
pub struct RequestDescription {
    /// Who asks.
    pub verifier: VerifierView,
    /// Why.
    pub purpose: String,
    /// `credential_query` (answer with a credential) or `age_proof_v2` (answer with a
    /// document and the birth date you declare: self-declared, not attested).
    pub proof_type: String,
    /// What you would show, one sentence each.
    pub asks: Vec<String>,
    /// The predicates, as the verifier wrote them.
    #[schema(value_type = QueryInput)]
    pub query: serde_json::Value,
    /// The issuers whose credentials are accepted.
    pub trusted_issuers: Vec<IssuerNameView>,
    /// Whether you can answer this verifier's purpose only once.
    pub unique_per_holder: bool,
    /// RFC 3339: after this the request takes no answer.
    pub expires_at: String,
    /// `pending` (a finished or expired request is answered 410).
    pub status: String,
}

impl RequestDescription {
    /// The description of a pending request.
    pub async fn of(state: &AppState, r: &ProofRequestRecord) -> Result<Self, crate::error::ApiError> {
        let name = state.proof_requests.owner_name(&r.owner).await?.unwrap_or_default();
        let mut trusted = Vec::with_capacity(r.spec.trusted_issuers.len());
        for id in &r.spec.trusted_issuers {
            if let Some(issuer) = state.store.issuer(id).await? {
                trusted.push(IssuerNameView { id: issuer.id.into_string(), name: issuer.name });
            }
        }
        Ok(Self {
            verifier: VerifierView { name },
            purpose: r.spec.purpose.clone(),
            proof_type: r.spec.proof_type.as_str().to_owned(),
            asks: request_in_words(r.spec.proof_type, &r.spec.query),
            query: serde_json::to_value(&r.spec.query).unwrap_or_default(),
            trusted_issuers: trusted,
            unique_per_holder: r.spec.unique_per_holder,
            expires_at: r.expires_at.rfc3339(),
            status: r.status.as_str().to_owned(),
        })
    }
}
