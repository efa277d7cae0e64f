//! A proof request's result in one sentence for its verifier: "Verified: at least 18, document
//! not expired — attested by Example Registry Office".

use honestly_core::proof_requests::words::countries;
use honestly_core::proof_requests::{ProofRequestRecord, ProofRequestResult};

/// The facts a result shows, each in a few words.
fn facts(request: &ProofRequestRecord, result: &ProofRequestResult) -> Vec<String> {
    let query = &request.spec.query;
    let mut facts = Vec::new();
    if let Some(years) = query.min_age {
        facts.push(format!("at least {years}"));
    }
    if query.not_expired == Some(true) {
        facts.push("document not expired".to_owned());
    }
    if let Some(list) = &query.nationality_in {
        facts.push(format!("nationality one of {}", countries(list)));
    }
    if let Some(list) = &query.nationality_not_in {
        facts.push(format!("nationality none of {}", countries(list)));
    }
    if let Some(nationality) = &result.disclosed.nationality {
        facts.push(format!("nationality {nationality}"));
    }
    if facts.is_empty() {
        facts.push("a valid, unrevoked credential".to_owned());
    }
    facts
}

/// The result in words.
pub fn result_in_words(request: &ProofRequestRecord, result: &ProofRequestResult) -> String {
    let verdict = if result.verified { "Verified" } else { "Not verified" };
    let source = if result.self_declared {
        "self-declared, not attested".to_owned()
    } else {
        match &result.issuer {
            Some(issuer) => format!("attested by {}", issuer.name),
            None => "attested by an issuer no longer hosted here".to_owned(),
        }
    };
    format!("{verdict}: {} — {source}", facts(request, result).join(", "))
}
