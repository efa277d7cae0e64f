//! What a share link claims, in plain words for the person who scanned its QR code. The words
//! come from the proof's real public signals (an age proof's `minAge` and `referenceTs` or
//! `referenceDate`), never from anything the owner typed.

use honestly_core::credentials::CalendarDate;
use honestly_core::links::{AccessLevel, Shared};

use super::format;

/// The claim a link makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// An age proof (self-declared): at least `min_age` years old on `day`.
    Age {
        /// The proof's `minAge`.
        min_age: u64,
        /// The day of the proof's `referenceTs` or `referenceDate` (`28 Nov 2026`), when it is
        /// a day people can read.
        day: Option<String>,
    },
    /// A credential proof: an issuer signed the claims the proof's predicates are about.
    Attested {
        /// The issuer's name, when it is hosted here (otherwise its key is all there is).
        issuer: Option<String>,
        /// What the proof shows, in words (`at least 18 years old`, `document not expired`).
        facts: Vec<String>,
    },
    /// An authenticity proof: the document is in the registry.
    Registered,
    /// A proof of another (operator-added) circuit, by name.
    OtherProof(String),
    /// No proof: the link shares the document's fingerprint, details or content.
    NoProof(AccessLevel),
}

impl Claim {
    /// The claim of what `shared` holds, shared at `level`; `issuer` names the issuer of a
    /// credential proof when it is hosted here.
    pub fn of(shared: &Shared, level: AccessLevel, issuer: Option<&str>) -> Self {
        let Some(proof) = &shared.proof else { return Claim::NoProof(level) };
        match proof.proof_type.as_str() {
            "credential_query" => Claim::Attested {
                issuer: issuer.map(str::to_owned),
                facts: credential_facts(&proof.public_inputs()),
            },
            "age_proof" | "age_proof_v2" => {
                let inputs = proof.public_inputs();
                let number = |name: &str| {
                    inputs.get(name).and_then(|v| v.as_str()).and_then(|s| s.parse::<u64>().ok())
                };
                let day = match proof.proof_type.as_str() {
                    "age_proof" => {
                        number("referenceTs").map(|ts| format::date(i64::try_from(ts).unwrap_or(i64::MAX)))
                    }
                    _ => number("referenceDate").map(|date| {
                        u32::try_from(date)
                            .ok()
                            .and_then(|d| CalendarDate::from_yyyymmdd(d).ok())
                            .map(format::calendar_date)
                    }),
                };
                match (number("minAge"), day) {
                    (Some(min_age), Some(day)) => Claim::Age { min_age, day },
                    _ => Claim::OtherProof(proof.proof_type.clone()),
                }
            }
            "authenticity_proof" => Claim::Registered,
            other => Claim::OtherProof(other.to_string()),
        }
    }

    /// Whether the claim rests only on what the holder declared (an age proof's birth date).
    pub fn is_self_declared(&self) -> bool {
        matches!(self, Claim::Age { .. })
    }

    /// One sentence a person understands at a glance.
    pub fn sentence(&self) -> String {
        match self {
            Claim::Age { min_age, day } => match day {
                Some(day) => format!(
                    "The holder is at least {min_age} years old — proven on {day}, without revealing the birth date."
                ),
                None => format!("The holder is at least {min_age} years old — proven without revealing the birth date."),
            },
            Claim::Attested { issuer, facts } => {
                let by = issuer.as_deref().unwrap_or("an issuer not known to this server");
                if facts.is_empty() {
                    format!("Attested by {by}: the holder has a valid credential — without revealing it.")
                } else {
                    format!("Attested by {by}: {}.", facts.join(", "))
                }
            }
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

/// A credential proof's predicates in words, from its public inputs.
fn credential_facts(inputs: &serde_json::Map<String, serde_json::Value>) -> Vec<String> {
    let number = |name: &str| inputs.get(name).and_then(|v| v.as_str()).and_then(|s| s.parse::<u64>().ok());
    let countries = || {
        (0..8)
            .filter_map(|i| number(&format!("nationalityList[{i}]")))
            .filter(|code| *code != 0)
            .map(country_name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut facts = Vec::new();
    if let Some(age) = number("minAge").filter(|age| *age > 0) {
        facts.push(format!("at least {age} years old"));
    }
    if number("notExpired") == Some(1) {
        facts.push("document not expired".to_owned());
    }
    match number("nationalityMode") {
        Some(1) => facts.push(format!("nationality one of {}", countries())),
        Some(2) => facts.push(format!("nationality none of {}", countries())),
        _ => {}
    }
    if number("discloseNationality") == Some(1) {
        if let Some(code) = number("disclosedNationality").filter(|code| *code != 0) {
            facts.push(format!("nationality {}", country_name(code)));
        }
    }
    facts
}

fn country_name(code: u64) -> String {
    honestly_core::credentials::Country::from_numeric(code)
        .ok()
        .and_then(|c| c.entry())
        .map_or_else(|| format!("{code:03}"), |e| e.name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_age_claim_names_the_real_threshold_and_day() {
        let claim = Claim::Age { min_age: 21, day: format::date(1_795_856_773) };
        assert!(claim.is_self_declared());
        assert_eq!(
            claim.sentence(),
            "The holder is at least 21 years old — proven on 28 Nov 2026, without revealing the birth date."
        );
    }

    #[test]
    fn a_credential_claim_says_who_attested_what() {
        let mut inputs = serde_json::Map::new();
        for (name, value) in [
            ("minAge", "18"),
            ("notExpired", "1"),
            ("nationalityMode", "1"),
            ("nationalityList[0]", "276"),
            ("nationalityList[1]", "250"),
        ] {
            inputs.insert(name.into(), serde_json::Value::String(value.into()));
        }
        let claim = Claim::Attested {
            issuer: Some("Example Registry Office".into()),
            facts: credential_facts(&inputs),
        };
        assert!(!claim.is_self_declared());
        assert_eq!(
            claim.sentence(),
            "Attested by Example Registry Office: at least 18 years old, document not expired, nationality one of Germany, France."
        );
        let unknown = Claim::Attested { issuer: None, facts: vec![] };
        assert!(unknown.sentence().contains("an issuer not known to this server"));
    }

    #[test]
    fn other_claims_say_what_is_shared() {
        assert!(Claim::Registered.sentence().contains("registered in the Honestly registry"));
        assert!(!Claim::Registered.is_self_declared());
        assert!(Claim::NoProof(AccessLevel::Full).sentence().contains("document itself"));
        assert!(Claim::NoProof(AccessLevel::ProofOnly).sentence().contains("no proof is attached"));
        assert!(Claim::OtherProof("kyc_v2".into()).sentence().contains("kyc_v2"));
    }
}
