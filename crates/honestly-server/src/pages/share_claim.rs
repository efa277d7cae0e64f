//! What a share link claims, in plain words for the person who scanned its QR code. The words
//! come from the proof's real public signals (an age proof's `minAge` and `referenceTs`), never
//! from anything the owner typed.

use honestly_core::links::{AccessLevel, Shared};

use super::format;

/// The claim a link makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// An age proof: at least `min_age` years old on the day of `reference_ts`.
    Age {
        /// The proof's `minAge`.
        min_age: u64,
        /// The proof's `referenceTs` (Unix seconds).
        reference_ts: i64,
    },
    /// An authenticity proof: the document is in the registry.
    Registered,
    /// A proof of another (operator-added) circuit, by name.
    OtherProof(String),
    /// No proof: the link shares the document's fingerprint, details or content.
    NoProof(AccessLevel),
}

impl Claim {
    /// The claim of what `shared` holds, shared at `level`.
    pub fn of(shared: &Shared, level: AccessLevel) -> Self {
        let Some(proof) = &shared.proof else { return Claim::NoProof(level) };
        match proof.proof_type.as_str() {
            "age_proof" => {
                let inputs = proof.public_inputs();
                let number =
                    |name: &str| inputs.get(name).and_then(|v| v.as_str()).and_then(|s| s.parse().ok());
                match (number("minAge"), number("referenceTs")) {
                    (Some(min_age), Some(reference_ts)) => {
                        Claim::Age { min_age, reference_ts: i64::try_from(reference_ts).unwrap_or(i64::MAX) }
                    }
                    _ => Claim::OtherProof(proof.proof_type.clone()),
                }
            }
            "authenticity_proof" => Claim::Registered,
            other => Claim::OtherProof(other.to_string()),
        }
    }

    /// One sentence a person understands at a glance.
    pub fn sentence(&self) -> String {
        match self {
            Claim::Age { min_age, reference_ts } => match format::date(*reference_ts) {
                Some(day) => format!(
                    "The holder is at least {min_age} years old — proven on {day}, without revealing the birth date."
                ),
                None => format!("The holder is at least {min_age} years old — proven without revealing the birth date."),
            },
            Claim::Registered => {
                "This document is registered in the Honestly registry — without revealing its content.".into()
            }
            Claim::OtherProof(name) => {
                format!("A zero-knowledge proof of the kind “{name}” about this document — without revealing its content.")
            }
            Claim::NoProof(AccessLevel::ProofOnly) => {
                "The owner shares this document's type and fingerprint (SHA-256) — no proof is attached.".into()
            }
            Claim::NoProof(AccessLevel::Metadata) => {
                "The owner shares this document's type, fingerprint (SHA-256) and details — no proof is attached."
                    .into()
            }
            Claim::NoProof(AccessLevel::Full) => {
                "The owner shares this document itself, with its fingerprint (SHA-256) — no proof is attached.".into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_age_claim_names_the_real_threshold_and_day() {
        let claim = Claim::Age { min_age: 21, reference_ts: 1_795_856_773 };
        assert_eq!(
            claim.sentence(),
            "The holder is at least 21 years old — proven on 28 Nov 2026, without revealing the birth date."
        );
    }

    #[test]
    fn other_claims_say_what_is_shared() {
        assert!(Claim::Registered.sentence().contains("registered in the Honestly registry"));
        assert!(Claim::NoProof(AccessLevel::Full).sentence().contains("document itself"));
        assert!(Claim::NoProof(AccessLevel::ProofOnly).sentence().contains("no proof is attached"));
        assert!(Claim::OtherProof("kyc_v2".into()).sentence().contains("kyc_v2"));
    }
}
