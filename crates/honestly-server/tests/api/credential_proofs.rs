//! `credential_query` is a built-in circuit: listed with its 20 named public signals and its
//! verification key served like the others.

use serde_json::Value;

use crate::helpers::TestApp;

/// The public signals in order, as `docs/zk.md` lists them (the contract).
const SIGNALS: [&str; 20] = [
    "issuerAx",
    "issuerAy",
    "revocationRoot",
    "referenceDate",
    "minAge",
    "notExpired",
    "nationalityMode",
    "nationalityList[0]",
    "nationalityList[1]",
    "nationalityList[2]",
    "nationalityList[3]",
    "nationalityList[4]",
    "nationalityList[5]",
    "nationalityList[6]",
    "nationalityList[7]",
    "discloseNationality",
    "scope",
    "nonce",
    "disclosedNationality",
    "nullifier",
];

#[tokio::test]
async fn credential_query_is_listed_and_its_verification_key_is_served() {
    let app = TestApp::spawn().await;
    let circuits: Value = app.get("/zkp/circuits").await.json().await.unwrap();
    let query = circuits
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "credential_query")
        .expect("credential_query is listed");
    assert_eq!(query["n_public"], 20);
    assert_eq!(query["external"], false);
    let names: Vec<&str> =
        query["public_signals"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert_eq!(names, SIGNALS);

    let r = app.get("/zkp/artifacts/credential_query/verification_key.json").await;
    assert_eq!(r.status(), 200);
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    assert_eq!(etag, format!("\"{}\"", query["vk_sha256"].as_str().unwrap()));
    let bytes = r.bytes().await.unwrap();
    assert_eq!(
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)),
        query["vk_sha256"].as_str().unwrap()
    );
    let vk: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(vk["nPublic"], 20);
    assert_eq!(vk["protocol"], "groth16");
    assert_eq!(vk["IC"].as_array().unwrap().len(), 21);
}
