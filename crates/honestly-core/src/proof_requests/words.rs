//! What a request asks, in words a holder reads before answering.

use super::model::RequestedProof;
use crate::zk::credential_proofs::{CountryInput, CredentialQuery};

/// Country codes as a verifier wrote them, for people: alpha codes in capitals, numeric ones
/// with three digits, separated by commas.
pub fn countries(list: &[CountryInput]) -> String {
    list.iter()
        .map(|c| match c {
            CountryInput::Numeric(n) => format!("{n:03}"),
            CountryInput::Text(t) => t.to_uppercase(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One sentence per thing a request of `kind` asks the holder to show.
pub fn request_in_words(kind: RequestedProof, query: &CredentialQuery) -> Vec<String> {
    match kind {
        RequestedProof::CredentialQuery => asked_in_words(query),
        RequestedProof::SelfDeclaredAge => vec![format!(
            "You declare that you are at least {} years old (self-declared, not attested)",
            query.min_age.unwrap_or_default()
        )],
    }
}

/// One sentence per thing the query asks the holder to show (an empty query asks only for a
/// valid, unrevoked credential of a trusted issuer).
pub fn asked_in_words(query: &CredentialQuery) -> Vec<String> {
    let mut words = Vec::new();
    if let Some(years) = query.min_age {
        words.push(format!("You are at least {years} years old"));
    }
    if query.not_expired == Some(true) {
        words.push("Your attested document has not expired".to_owned());
    }
    if let Some(list) = &query.nationality_in {
        words.push(format!("Your nationality is one of: {}", countries(list)));
    }
    if let Some(list) = &query.nationality_not_in {
        words.push(format!("Your nationality is none of: {}", countries(list)));
    }
    if query.disclose.as_ref().is_some_and(|d| !d.is_empty()) {
        words.push("Your nationality is revealed to the verifier".to_owned());
    }
    if words.is_empty() {
        words.push("You hold a valid, unrevoked credential".to_owned());
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_predicate_has_its_sentence() {
        let query = CredentialQuery {
            min_age: Some(18),
            not_expired: Some(true),
            nationality_in: Some(vec![CountryInput::Text("deu".into()), CountryInput::Numeric(250)]),
            disclose: Some(vec!["nationality".into()]),
            ..CredentialQuery::default()
        };
        let words = asked_in_words(&query);
        assert_eq!(words.len(), 4, "{words:?}");
        assert_eq!(words[0], "You are at least 18 years old");
        assert_eq!(words[2], "Your nationality is one of: DEU, 250");
        assert_eq!(asked_in_words(&CredentialQuery::default()).len(), 1);
    }
}
