//! How issuers, credential requests and credentials look in the API's answers.

use honestly_core::credentials::IssuerPublicKey;
use honestly_core::issuance::held::HeldView;
use honestly_core::issuance::requests::{RequestView, RequestedClaims};
use honestly_core::issuance::{IssuedCredential, IssuerRecord};
use serde::Serialize;
use utoipa::ToSchema;

/// An EdDSA-Poseidon public key on Baby Jubjub (circomlib's form), coordinates as decimals.
#[derive(Serialize, ToSchema)]
pub struct PublicKeyView {
    /// x, decimal.
    pub x: String,
    /// y, decimal.
    pub y: String,
}

impl From<&IssuerPublicKey> for PublicKeyView {
    fn from(key: &IssuerPublicKey) -> Self {
        Self { x: key.x_decimal(), y: key.y_decimal() }
    }
}

/// An issuer hosted on this server.
#[derive(Serialize, ToSchema)]
pub struct IssuerView {
    /// `iss_…`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The key that signs its credentials and revocation states.
    pub public_key: PublicKeyView,
    /// RFC 3339.
    pub created_at: String,
}

impl From<&IssuerRecord> for IssuerView {
    fn from(issuer: &IssuerRecord) -> Self {
        Self {
            id: issuer.id.to_string(),
            name: issuer.name.clone(),
            public_key: (&issuer.public_key).into(),
            created_at: issuer.created_at.rfc3339(),
        }
    }
}

/// The claims a request asks for.
#[derive(Serialize, ToSchema)]
pub struct ClaimsView {
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// ISO 3166-1 alpha-3 (`DEU`), or null when not stated.
    pub nationality: Option<String>,
    /// ISO 3166-1 numeric (276), 0 when not stated.
    pub nationality_code: u16,
    /// `YYYY-MM-DD`, or null when the document has none.
    pub document_expiry: Option<String>,
}

impl From<&RequestedClaims> for ClaimsView {
    fn from(c: &RequestedClaims) -> Self {
        Self {
            birth_date: c.birth_date.to_string(),
            nationality: c.nationality.entry().map(|e| e.alpha3.to_string()),
            nationality_code: c.nationality.entry().map_or(0, |e| e.numeric),
            document_expiry: c.document_expiry.map(|d| d.to_string()),
        }
    }
}

/// A credential request.
#[derive(Serialize, ToSchema)]
pub struct CredentialRequestView {
    /// `crq_…`.
    pub id: String,
    /// `pending`, `approved`, `rejected` or `withdrawn`.
    pub status: String,
    /// The issuer asked.
    pub issuer_id: String,
    /// The document to attest.
    pub document_id: String,
    /// The claims asked for.
    pub claims: ClaimsView,
    /// The issuer's reason for a rejection, or why it was withdrawn.
    pub reason: Option<String>,
    /// The credential issued on approval (`crd_…`).
    pub credential_id: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, when decided or withdrawn.
    pub decided_at: Option<String>,
}

impl From<&RequestView> for CredentialRequestView {
    fn from(v: &RequestView) -> Self {
        let r = &v.record;
        Self {
            id: r.id.to_string(),
            status: r.status.as_str().into(),
            issuer_id: r.issuer_id.to_string(),
            document_id: r.document_id.to_string(),
            claims: (&v.claims).into(),
            reason: r.reason.clone(),
            credential_id: r.credential_id.as_ref().map(|c| c.to_string()),
            created_at: r.created_at.rfc3339(),
            decided_at: r.decided_at.map(|t| t.rfc3339()),
        }
    }
}

/// A credential the caller keeps (without the credential JSON: `GET /vault/credentials/{id}`
/// has it).
#[derive(Serialize, ToSchema)]
pub struct HeldCredentialView {
    /// `crd_…`.
    pub id: String,
    /// The issuer, when hosted here.
    pub issuer_id: Option<String>,
    /// The issuer's name, when the credential carries it.
    pub issuer_name: Option<String>,
    /// The key that signed it.
    pub issuer_public_key: PublicKeyView,
    /// The attested document, while the caller keeps it.
    pub document_id: Option<String>,
    /// `YYYY-MM-DD`: the credential's last valid day.
    pub valid_until: String,
    /// `YYYY-MM-DD`.
    pub issued_at: String,
    /// Whether its issuer revoked it (null for an issuer not hosted here).
    pub revoked: Option<bool>,
    /// RFC 3339: when the caller got it.
    pub created_at: String,
}

impl From<&HeldView> for HeldCredentialView {
    fn from(v: &HeldView) -> Self {
        let r = &v.record;
        Self {
            id: r.id.to_string(),
            issuer_id: r.issuer_id.as_ref().map(|i| i.to_string()),
            issuer_name: v.credential.issuer.name().map(str::to_owned),
            issuer_public_key: (&r.issuer_key).into(),
            document_id: r.document_id.as_ref().map(|d| d.to_string()),
            valid_until: v.credential.claims.valid_until.to_string(),
            issued_at: v.credential.claims.issued_at.to_string(),
            revoked: v.revoked,
            created_at: r.created_at.rfc3339(),
        }
    }
}

/// A credential the caller's issuer issued.
#[derive(Serialize, ToSchema)]
pub struct IssuedCredentialView {
    /// `crd_…`.
    pub id: String,
    /// The request it answered.
    pub request_id: String,
    /// The holder's account.
    pub holder_id: String,
    /// `YYYY-MM-DD`.
    pub valid_until: String,
    /// RFC 3339.
    pub issued_at: String,
    /// RFC 3339, when revoked.
    pub revoked_at: Option<String>,
}

impl From<&IssuedCredential> for IssuedCredentialView {
    fn from(c: &IssuedCredential) -> Self {
        Self {
            id: c.id.to_string(),
            request_id: c.request_id.to_string(),
            holder_id: c.holder.to_string(),
            valid_until: honestly_core::credentials::CalendarDate::from_yyyymmdd(c.valid_until)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            issued_at: c.issued_at.rfc3339(),
            revoked_at: c.revoked_at.map(|t| t.rfc3339()),
        }
    }
}
