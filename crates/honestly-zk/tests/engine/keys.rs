//! Key files and key identity.

use honestly_zk::{
    circuits::{fingerprint, fingerprint_of, AuthenticityCircuit},
    keyfile::{self, FINGERPRINT_FILE, PROVING_KEY_FILE, VERIFICATION_KEY_FILE},
    prover::prove_age_with_rng,
    CircuitId,
};
use sha2::{Digest, Sha256};

use crate::common::*;

#[test]
fn key_files_roundtrip_and_id_is_sha256_of_the_json() {
    let dir = tempfile::tempdir().unwrap();
    let keys = age_keys();
    let id = keyfile::write_keys(dir.path(), CircuitId::Age, &keys.pk, &keys.vk).unwrap();
    let vk_path = dir.path().join("age_proof").join(VERIFICATION_KEY_FILE);
    let json = std::fs::read(&vk_path).unwrap();
    assert_eq!(id, hex::encode(Sha256::digest(&json)));
    assert_eq!(json, keys.json.as_bytes());
    let prepared = keyfile::read_verification_key(&vk_path).unwrap();
    assert_eq!(prepared.id(), id);
    assert_eq!(prepared.vk(), &keys.vk);
    let pk = keyfile::read_proving_key(&dir.path().join("age_proof").join(PROVING_KEY_FILE)).unwrap();
    assert_eq!(pk, keys.pk);
    let (proof, public) = prove_age_with_rng(&pk, &age_claim(18, 5), &mut rng(13)).unwrap();
    assert_eq!(prepared.verify(&proof, &public.to_signals()), Ok(true));
}

#[test]
fn corrupt_key_files_are_errors() {
    let bytes = keyfile::proving_key_to_bytes(&age_keys().pk);
    assert!(keyfile::proving_key_from_bytes(&bytes[..bytes.len() - 1]).is_err());
    let mut flipped = bytes.clone();
    flipped[40] ^= 0x55;
    assert!(keyfile::proving_key_from_bytes(&flipped).is_err());
    assert!(keyfile::read_proving_key(std::path::Path::new("/nonexistent/pk.bin")).is_err());
}

/// Key files carry the fingerprint of the circuit they were made for; keys without one, or
/// with another circuit's, are stale.
#[test]
fn key_files_carry_the_circuit_fingerprint() {
    let dir = tempfile::tempdir().unwrap();
    let keys = age_keys();
    assert!(!keyfile::keys_are_current(dir.path(), CircuitId::Age).unwrap());
    keyfile::write_keys(dir.path(), CircuitId::Age, &keys.pk, &keys.vk).unwrap();
    let fp_path = dir.path().join("age_proof").join(FINGERPRINT_FILE);
    let age = fingerprint(CircuitId::Age).unwrap();
    assert_eq!(std::fs::read_to_string(&fp_path).unwrap().trim(), age);
    assert!(keyfile::keys_are_current(dir.path(), CircuitId::Age).unwrap());
    // The age keys are not the authenticity circuit's keys.
    assert!(!keyfile::keys_are_current(dir.path(), CircuitId::Authenticity).unwrap());
    // Deterministic, and different for different circuits.
    assert_eq!(fingerprint(CircuitId::Age).unwrap(), age);
    let authenticity = fingerprint(CircuitId::Authenticity).unwrap();
    assert_ne!(authenticity, age);
    // The same constraint system under another name is another circuit.
    assert_ne!(fingerprint_of("other", AuthenticityCircuit::blank()).unwrap(), authenticity);
    // Another version of the circuit (here: another fingerprint) makes the keys stale…
    std::fs::write(&fp_path, format!("{authenticity}\n")).unwrap();
    assert!(!keyfile::keys_are_current(dir.path(), CircuitId::Age).unwrap());
    // …and so do keys written before fingerprints existed.
    std::fs::remove_file(&fp_path).unwrap();
    assert!(!keyfile::keys_are_current(dir.path(), CircuitId::Age).unwrap());
}
