//! Key files as `honestly zk setup` writes them: `<dir>/<circuit>/proving_key.bin`
//! (compressed arkworks serialization), `<dir>/<circuit>/verification_key.json` (snarkjs
//! JSON) and `<dir>/<circuit>/circuit.sha256` (the fingerprint of the circuit the keys were
//! made for, see [`crate::circuits::fingerprint`]). The only file-system code in the crate.

use std::io::Read;
use std::path::{Path, PathBuf};

use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};

use crate::{
    circuits::{fingerprint, CircuitId},
    error::{ParseError, ProveError, ZkError},
    groth::{key_id, PreparedKey, ProvingKey, VerifyingKey},
    snarkjs,
};

/// File name of a proving key inside a circuit's key directory.
pub const PROVING_KEY_FILE: &str = "proving_key.bin";
/// File name of a verification key inside a circuit's key directory.
pub const VERIFICATION_KEY_FILE: &str = "verification_key.json";
/// File name of the circuit fingerprint inside a circuit's key directory.
pub const FINGERPRINT_FILE: &str = "circuit.sha256";
/// Largest fingerprint file read (64 hex digits and a newline, with room to spare).
const MAX_FINGERPRINT_BYTES: u64 = 1024;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ZkError + '_ {
    move |source| ZkError::Io { path: path.display().to_string(), source }
}

/// A proving key as compressed arkworks bytes.
pub fn proving_key_to_bytes(pk: &ProvingKey) -> Vec<u8> {
    let mut out = Vec::with_capacity(pk.compressed_size());
    // Writing into a Vec cannot fail.
    pk.serialize_compressed(&mut out).unwrap_or_default();
    out
}

/// Reads a proving key from compressed arkworks bytes, checking every point.
pub fn proving_key_from_bytes(bytes: &[u8]) -> Result<ProvingKey, ParseError> {
    ProvingKey::deserialize_compressed(bytes).map_err(|e| ParseError::KeyBytes(e.to_string()))
}

/// The key directory of `circuit` under `dir`.
pub fn circuit_dir(dir: &Path, circuit: &str) -> PathBuf {
    dir.join(circuit)
}

/// Writes the key files of a built-in circuit (creating the directory): both keys and the
/// circuit's fingerprint; returns the key id.
pub fn write_keys(
    dir: &Path,
    circuit: CircuitId,
    pk: &ProvingKey,
    vk: &VerifyingKey,
) -> Result<String, ZkError> {
    let d = circuit_dir(dir, circuit.name());
    std::fs::create_dir_all(&d).map_err(io(&d))?;
    let pk_path = d.join(PROVING_KEY_FILE);
    std::fs::write(&pk_path, proving_key_to_bytes(pk)).map_err(io(&pk_path))?;
    let json = snarkjs::verification_key_to_json(vk);
    let vk_path = d.join(VERIFICATION_KEY_FILE);
    std::fs::write(&vk_path, json.as_bytes()).map_err(io(&vk_path))?;
    let fingerprint = fingerprint(circuit).map_err(|e| ProveError::Synthesis(e.to_string()))?;
    let fp_path = d.join(FINGERPRINT_FILE);
    std::fs::write(&fp_path, format!("{fingerprint}\n")).map_err(io(&fp_path))?;
    Ok(key_id(json.as_bytes()))
}

/// Whether the keys of `circuit` under `dir` exist and were made for the circuit as it is
/// now: both key files present and a fingerprint file equal to [`fingerprint`]. Keys without
/// a fingerprint file, or with another one, are stale (made for another version of the
/// circuit) and must not be used.
pub fn keys_are_current(dir: &Path, circuit: CircuitId) -> Result<bool, ZkError> {
    let d = circuit_dir(dir, circuit.name());
    if !d.join(PROVING_KEY_FILE).is_file() || !d.join(VERIFICATION_KEY_FILE).is_file() {
        return Ok(false);
    }
    let fp_path = d.join(FINGERPRINT_FILE);
    let mut stored = Vec::new();
    match std::fs::File::open(&fp_path) {
        Ok(file) => {
            file.take(MAX_FINGERPRINT_BYTES).read_to_end(&mut stored).map_err(io(&fp_path))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(io(&fp_path)(e)),
    }
    let current = fingerprint(circuit).map_err(|e| ProveError::Synthesis(e.to_string()))?;
    Ok(String::from_utf8_lossy(&stored).trim() == current)
}

/// Reads a proving key file.
pub fn read_proving_key(path: &Path) -> Result<ProvingKey, ZkError> {
    let bytes = std::fs::read(path).map_err(io(path))?;
    Ok(proving_key_from_bytes(&bytes)?)
}

/// Reads, checks and prepares a snarkjs `verification_key.json` (ours or external); the
/// prepared key's id is the SHA-256 of the file's bytes.
pub fn read_verification_key(path: &Path) -> Result<PreparedKey, ZkError> {
    let bytes = std::fs::read(path).map_err(io(path))?;
    prepare_verification_key_json(&bytes).map_err(ZkError::from)
}

/// Parses, checks and prepares verification-key JSON bytes; id = SHA-256 of the bytes.
pub fn prepare_verification_key_json(bytes: &[u8]) -> Result<PreparedKey, ParseError> {
    let vk = snarkjs::parse_verification_key(bytes)?;
    Ok(PreparedKey::new(&vk, key_id(bytes)))
}
