//! The verifier's page of a share link: the claim in plain words, the status the server found,
//! the document's type and fingerprint, the link's dates and remaining views, its QR code, and
//! everything needed to check the proof independently with snarkjs.

use base64::Engine;
use honestly_core::documents::DocumentType;
use honestly_core::links::{Access, AccessLevel};
use maud::{html, Markup};

use super::format;
use super::layout::document;
use super::share_claim::Claim;

/// The command that checks the downloaded files.
pub const SNARKJS_COMMAND: &str = "snarkjs groth16 verify verification_key.json public.json proof.json";

/// What the server found when it checked the link's proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The proof verifies against the circuit's key.
    Verified,
    /// The proof does not verify.
    NotValid,
    /// No proof is shared.
    NoProof,
}

impl Status {
    /// The status of `proof_verified` as the link service reports it.
    pub fn of(proof_verified: Option<bool>) -> Self {
        match proof_verified {
            Some(true) => Status::Verified,
            Some(false) => Status::NotValid,
            None => Status::NoProof,
        }
    }
}

fn status_box(status: Status) -> Markup {
    let (class, title, text) = match status {
        Status::Verified => (
            "status ok",
            "✓ Verified",
            "The server checked this zero-knowledge proof against the published verification key.",
        ),
        Status::NotValid => {
            ("status bad", "✗ Not valid", "This proof does not verify. Do not rely on the claim above.")
        }
        Status::NoProof => ("status none", "No proof attached", "There is nothing to verify on this link."),
    };
    html! { p class=(class) { strong { (title) } (text) } }
}

/// The note under a self-declared claim (an age proof): nobody vouches for the birth date.
fn self_declared_note() -> Markup {
    html! {
        p class="attestation" {
            strong { "Self-declared, not attested." }
            " The birth date behind this proof is self-declared, not attested: the holder typed it in and no issuer vouches for it."
        }
    }
}

fn document_type_label(t: DocumentType) -> &'static str {
    match t {
        DocumentType::Identity => "Identity document",
        DocumentType::License => "Licence",
        DocumentType::Financial => "Financial document",
        DocumentType::Credential => "Credential",
        DocumentType::Other => "Other document",
    }
}

fn data_json(value: &serde_json::Value) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    format!("data:application/json;base64,{}", base64::engine::general_purpose::STANDARD.encode(text))
}

fn views_left(access: &Access) -> String {
    match access.link.max_accesses {
        Some(max) => {
            let left = max.saturating_sub(access.link.access_count);
            if left == 1 {
                "1 more view".into()
            } else {
                format!("{left} more views")
            }
        }
        None => "Unlimited until it expires".into(),
    }
}

fn document_section(access: &Access, content_url: Option<&str>) -> Markup {
    let doc = &access.shared.document;
    let detailed = matches!(access.link.access_level, AccessLevel::Metadata | AccessLevel::Full);
    html! {
        h2 { "The document" }
        dl {
            dt { "Type" } dd { (document_type_label(doc.document_type)) }
            dt { "Fingerprint (SHA-256)" } dd { code { (doc.sha256) } }
            @if detailed {
                dt { "File name" } dd { (doc.file_name) }
                dt { "Format" } dd { (doc.mime_type) }
                dt { "Size" } dd { (doc.size_bytes) " bytes" }
                dt { "Uploaded" } dd { (format::date_time(doc.created_at)) }
                @if let Some(fields) = doc.metadata.as_object() {
                    @for (name, value) in fields {
                        dt { (name) }
                        dd { @if let Some(text) = value.as_str() { (text) } @else { code { (value) } } }
                    }
                }
            }
        }
        @if let Some(url) = content_url {
            p { a href=(url) download { "Download the document" } " (this download link works for 5 minutes, or until the link expires if that is sooner)." }
        }
    }
}

fn link_section(access: &Access, token: &str) -> Markup {
    let link = &access.link;
    let still_usable = link.max_accesses.is_none_or(|m| link.access_count < m);
    html! {
        h2 { "This link" }
        dl {
            dt { "Created" } dd { (format::date_time(link.created_at)) }
            dt { "Expires" } dd { (format::date_time(link.expires_at)) }
            dt { "Views left" } dd { (views_left(access)) }
        }
        @if still_usable {
            p { "Show this code to let someone else open the link:" }
            img class="qr" src=(honestly_core::links::qr_path(token)) width="192" height="192"
                alt="QR code of this share link";
        } @else {
            p { "This was the last view this link allows; it no longer opens." }
        }
    }
}

fn verify_section(access: &Access) -> Markup {
    let Some(proof) = &access.shared.proof else { return html! {} };
    let public = serde_json::Value::from(proof.public_signals.clone());
    html! {
        h2 { "Check it yourself" }
        p { "Download the three files into one folder and run snarkjs there:" }
        ul {
            li { a href=(data_json(&proof.proof)) download="proof.json" { "proof.json" } " — the proof" }
            li { a href=(data_json(&public)) download="public.json" { "public.json" } " — its public inputs" }
            li {
                a href=(honestly_core::zk::verification_key_path(&proof.proof_type)) download="verification_key.json" {
                    "verification_key.json"
                }
                " — the key of the “" (proof.proof_type) "” circuit"
                @if let Some(sha) = &access.shared.vk_sha256 { " (SHA-256 " code { (sha) } ")" }
            }
        }
        pre { code { (SNARKJS_COMMAND) } }
        p { "It prints " code { "OK!" } " when the proof is valid." }
    }
}

/// The whole page of an opened link. `content_url` is the short-lived download link of a
/// `full` link; `issuer` the name of a credential proof's issuer, when it is hosted here.
pub fn render(access: &Access, token: &str, content_url: Option<&str>, issuer: Option<&str>) -> Markup {
    let claim = Claim::of(&access.shared, access.link.access_level, issuer);
    document(
        "Shared proof",
        html! {
            h1 { (claim.sentence()) }
            @if claim.is_self_declared() { (self_declared_note()) }
            (status_box(Status::of(access.shared.proof_verified)))
            (document_section(access, content_url))
            (link_section(access, token))
            (verify_section(access))
        },
    )
}
