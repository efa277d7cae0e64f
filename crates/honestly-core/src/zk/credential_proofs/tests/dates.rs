//! Date edges with fixed reference dates, and one real proof: someone born 1950-03-01 is 76
//! on 2026-03-01 (proven and verified) and not on 2026-02-28; someone born 2008-02-29 is 18
//! on 2026-03-01 and not on 2026-02-28. The proof is bound to its scope and nonce.

use honestly_zk::circuits::credential_query::query_signal_index;
use honestly_zk::snarkjs::{proof_from_value, public_signals_from_value};
use honestly_zk::{fr_from_decimal, CircuitId, Fr};

use super::support::*;
use crate::credentials::Credential;
use crate::zk::credential_proofs::CredentialProofError;

/// A credential for someone born on `birth`, issued 2026-01-01, valid until 2030-01-01.
fn born(birth: u32) -> Credential {
    credential(|claims| {
        claims.birth_date = day(birth);
        claims.issued_at = day(20_260_101);
        claims.valid_until = day(20_300_101);
    })
}

fn unmet(err: CredentialProofError) -> Option<&'static str> {
    assert_eq!(err.reason(), Some("unsatisfied"), "{err:?}");
    err.predicate()
}

#[tokio::test]
async fn born_on_feb_29_is_18_on_march_1() {
    let c = born(20_080_229);
    let q = query(r#"{"min_age": 18}"#);
    assert_eq!(unmet(prove_on(&unloaded(), &c, &q, 20_260_228).await.unwrap_err()), Some("min_age"));
    assert!(matches!(
        prove_on(&unloaded(), &c, &q, 20_260_301).await,
        Err(CredentialProofError::KeysLoading)
    ));
}

#[tokio::test]
async fn born_1950_03_01_is_76_on_2026_03_01_proven_and_verified() {
    let c = born(19_500_301);
    let q = query(r#"{"min_age": 76, "disclose": ["nationality"]}"#);
    assert_eq!(unmet(prove_on(&unloaded(), &c, &q, 20_260_228).await.unwrap_err()), Some("min_age"));

    let zk = loaded().await;
    let proof = prove_on(zk, &c, &q, 20_260_301).await.unwrap();
    assert_eq!(proof.public_signals.len(), 20);
    assert_eq!(proof.public_inputs["minAge"], "76");
    assert_eq!(proof.public_inputs["referenceDate"], "20260301");
    assert_eq!(proof.public_inputs["disclosedNationality"], "276");
    assert_eq!(proof.public_inputs["scope"], "7");
    assert_eq!(proof.public_inputs["nonce"], "8");
    assert_eq!(
        proof.nullifier(),
        honestly_zk::fr_to_decimal(&honestly_zk::poseidon_hash(&[secret(), Fr::from(7u64)]))
    );

    let circuit = zk.circuit(CircuitId::CredentialQuery.name()).unwrap();
    let key = &circuit.key;
    let groth = proof_from_value(&proof.proof).unwrap();
    let signals = public_signals_from_value(&serde_json::json!(proof.public_signals)).unwrap();
    assert_eq!(key.verify(&groth, &signals), Ok(true));
    // Replayed under another nonce or scope, it fails.
    for name in ["nonce", "scope"] {
        let mut replayed = signals.clone();
        replayed[query_signal_index(name)] = fr_from_decimal("9").unwrap();
        assert_eq!(key.verify(&groth, &replayed), Ok(false), "{name}");
    }
}
