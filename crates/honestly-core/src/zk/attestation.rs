//! Who stands behind a proof's statement. An age proof (`age_proof`, `age_proof_v2`) proves a
//! birth date the holder typed in: it is `self_declared`, not attested by anyone a verifier
//! could trust. Verifiers see this label next to every age proof.

use honestly_zk::CircuitId;

/// The label of a statement only the holder vouches for.
pub const SELF_DECLARED: &str = "self_declared";

/// The label of a statement an issuer signed (a `credential_query` proof).
pub const ATTESTED: &str = "attested";

/// The attestation of a built-in proof type's statement: `Some("self_declared")` for age
/// proofs, `Some("attested")` for credential proofs (an issuer signed the claims), `None` for proof types whose statement is not about a declared fact (e.g.
/// `authenticity_proof`) and for external circuits.
pub fn attestation(proof_type: &str) -> Option<&'static str> {
    match CircuitId::from_name(proof_type) {
        Some(CircuitId::Age | CircuitId::AgeV2) => Some(SELF_DECLARED),
        Some(CircuitId::CredentialQuery) => Some(ATTESTED),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_proofs_are_self_declared() {
        assert_eq!(attestation("age_proof"), Some("self_declared"));
        assert_eq!(attestation("age_proof_v2"), Some("self_declared"));
        assert_eq!(attestation("authenticity_proof"), None);
        assert_eq!(attestation("credential_query"), Some("attested"));
        assert_eq!(attestation("my_external_circuit"), None);
    }
}
