//! The key lifecycle: built-in keys are generated on first start when missing (written to a
//! temporary directory, then renamed into place), every verification key is loaded, checked
//! and prepared once (never expires), proving keys are loaded on first use and then kept.
//! External snarkjs keys live in `DATA_DIR/zk/external/<name>.json` with an optional sidecar
//! `<name>.settings.json` naming the nullifier signal.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use honestly_zk::circuits::credential_query::QUERY_PUBLIC_SIGNALS;
use honestly_zk::groth::setup;
use honestly_zk::keyfile::{self, prepare_verification_key_json, read_proving_key, write_keys};
use honestly_zk::snarkjs::MAX_JSON_BYTES;
use honestly_zk::{key_id, CircuitId, ProvingKey};
use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;

use super::batcher::{BatchSettings, BatchStats};
pub use super::circuit::{CircuitInfo, LoadedCircuit};
use super::pairing::{pairing_batcher, PairingBatcher};
use crate::bounded;
use crate::cpu::{CpuBusy, CpuPool};

/// Longest external circuit name.
const MAX_NAME: usize = 64;
/// Largest external verification key accepted, in bytes.
pub const MAX_VK_BYTES: usize = 256 * 1024;
/// Most external circuits registered at once.
const MAX_EXTERNAL: usize = 64;
/// Largest external circuit settings file read (`{"nullifier_signal": i}`).
const MAX_SIDECAR_BYTES: u64 = 4 * 1024;

/// Where a circuit's `verification_key.json` is served, relative to the server.
pub fn verification_key_path(circuit: &str) -> String {
    format!("/zkp/artifacts/{circuit}/verification_key.json")
}

/// Why a key operation failed.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Invalid name or key.
    #[error("{0}")]
    Invalid(String),
    /// Already exists.
    #[error("a circuit named {0} exists")]
    Exists(String),
    /// The CPU pool is saturated.
    #[error(transparent)]
    Busy(#[from] CpuBusy),
    /// Anything else (I/O, corrupt key files), with its cause.
    #[error("zero-knowledge keys failed")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

#[derive(Serialize, Deserialize, Default)]
struct Sidecar {
    nullifier_signal: Option<usize>,
}

/// The zero-knowledge key service.
pub struct ZkService {
    keys_dir: PathBuf,
    external_dir: PathBuf,
    cpu: CpuPool,
    pairings: PairingBatcher,
    circuits: RwLock<BTreeMap<String, Arc<LoadedCircuit>>>,
    /// One lazily loaded proving key per built-in circuit, at [`CircuitId::index`].
    proving: [OnceCell<Arc<ProvingKey>>; CircuitId::ALL.len()],
    ready: AtomicBool,
}

/// The names of a built-in circuit's public signals, in order (`docs/zk.md`, "Circuits").
pub fn signal_names(id: CircuitId) -> Vec<String> {
    let names: &[&str] = match id {
        CircuitId::Age => &["minAge", "referenceTs", "documentHash", "commitment", "nullifier"],
        CircuitId::Authenticity => &["root", "leaf", "epoch", "nullifier"],
        CircuitId::AgeV2 => &["minAge", "referenceDate", "documentHash", "commitment", "nullifier"],
        CircuitId::CredentialQuery => &QUERY_PUBLIC_SIGNALS,
    };
    names.iter().map(|s| s.to_string()).collect()
}

/// The index of a built-in circuit's `nullifier` signal.
fn nullifier_index(id: CircuitId) -> Option<usize> {
    signal_names(id).iter().position(|name| name == "nullifier")
}

fn valid_external_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && name.as_bytes()[0].is_ascii_lowercase()
        && CircuitId::from_name(name).is_none()
}

fn internal(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> KeyError {
    KeyError::Internal(e.into())
}

/// Generates the keys of `id` into `keys_dir/<name>/` unless current ones are there. Keys
/// made for another version of the circuit (no fingerprint, or another one) are stale: they
/// are moved aside to `<name>.stale` (an imported key can be recovered from there) and
/// replaced, so a changed circuit never runs with its old keys.
fn ensure_keys(keys_dir: &Path, id: CircuitId) -> Result<(), KeyError> {
    if keyfile::keys_are_current(keys_dir, id).map_err(internal)? {
        return Ok(());
    }
    let dir = keyfile::circuit_dir(keys_dir, id.name());
    if dir.exists() {
        let stale = keys_dir.join(format!("{}.stale", id.name()));
        tracing::warn!(
            circuit = id.name(),
            moved_to = %stale.display(),
            "zero-knowledge keys are incomplete or were made for another version of the circuit; generating new keys"
        );
        let _ = std::fs::remove_dir_all(&stale);
        std::fs::rename(&dir, &stale).map_err(|e| {
            internal(format!(
                "{} holds keys that are incomplete or made for another version of the circuit and \
                 cannot be replaced ({e}); run `honestly zk setup` and install the new keys",
                dir.display()
            ))
        })?;
    } else {
        tracing::info!(circuit = id.name(), "generating zero-knowledge keys (first start)");
    }
    let (pk, vk) = setup(id).map_err(internal)?;
    let staging = keys_dir.join(format!(".staging-{}-{}", id.name(), std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    crate::private_fs::create_dir(keys_dir).map_err(internal)?;
    write_keys(&staging, id, &pk, &vk).map_err(internal)?;
    // The key files are the server's own, like everything else it keeps.
    crate::private_fs::secure_tree(&staging).map_err(internal)?;
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(keyfile::circuit_dir(&staging, id.name()), &dir).map_err(internal)?;
    let _ = std::fs::remove_dir_all(&staging);
    Ok(())
}

fn load_builtin(keys_dir: &Path, id: CircuitId) -> Result<LoadedCircuit, KeyError> {
    let path = keyfile::circuit_dir(keys_dir, id.name()).join(keyfile::VERIFICATION_KEY_FILE);
    let vk_json = bounded::read_file(&path, MAX_JSON_BYTES as u64).map_err(internal)?;
    let key =
        prepare_verification_key_json(&vk_json).map_err(|e| internal(format!("{}: {e}", path.display())))?;
    if key.n_public() != id.n_public() {
        return Err(internal(format!("{} has {} public signals", path.display(), key.n_public())));
    }
    let info = CircuitInfo {
        name: id.name().into(),
        n_public: id.n_public(),
        public_signals: signal_names(id),
        vk_sha256: key_id(&vk_json),
        external: false,
        nullifier_signal: nullifier_index(id),
    };
    Ok(LoadedCircuit { info, key, vk_json })
}

fn load_external(
    name: &str,
    vk_json: Vec<u8>,
    nullifier_signal: Option<usize>,
) -> Result<LoadedCircuit, KeyError> {
    let key = prepare_verification_key_json(&vk_json)
        .map_err(|e| KeyError::Invalid(format!("verification_key: {e}")))?;
    let n = key.n_public();
    if nullifier_signal.is_some_and(|i| i >= n) {
        return Err(KeyError::Invalid(format!("nullifier_signal must be below {n}")));
    }
    let info = CircuitInfo {
        name: name.into(),
        n_public: n,
        public_signals: (0..n).map(|i| format!("public_{i}")).collect(),
        vk_sha256: key_id(&vk_json),
        external: true,
        nullifier_signal,
    };
    Ok(LoadedCircuit { info, key, vk_json })
}

/// Reads, checks and prepares the external key `external_dir/<name>.json` with its optional
/// settings file; each file is read up to its bound only.
fn read_external(external_dir: &Path, name: &str) -> Result<LoadedCircuit, KeyError> {
    let sidecar: Sidecar =
        bounded::read_file(&external_dir.join(format!("{name}.settings.json")), MAX_SIDECAR_BYTES)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
    let vk_json = bounded::read_file(&external_dir.join(format!("{name}.json")), MAX_JSON_BYTES as u64)
        .map_err(internal)?;
    load_external(name, vk_json, sidecar.nullifier_signal)
}

impl ZkService {
    /// A service over `keys_dir` (built-in keys) and `external_dir`; nothing loaded yet.
    /// Single verifications are batched with the default [`BatchSettings`].
    pub fn new(keys_dir: PathBuf, external_dir: PathBuf, cpu: CpuPool) -> Self {
        Self {
            keys_dir,
            external_dir,
            pairings: pairing_batcher(cpu.clone(), BatchSettings::default()),
            cpu,
            circuits: RwLock::new(BTreeMap::new()),
            proving: std::array::from_fn(|_| OnceCell::new()),
            ready: AtomicBool::new(false),
        }
    }

    /// Generates missing built-in keys, then loads and prepares every verification key
    /// (built-in and external). The service is ready afterwards.
    pub async fn initialise(&self) -> Result<(), KeyError> {
        let (keys_dir, external_dir) = (self.keys_dir.clone(), self.external_dir.clone());
        let loaded = tokio::task::spawn_blocking(move || -> Result<Vec<LoadedCircuit>, KeyError> {
            let mut loaded = Vec::new();
            for id in CircuitId::ALL {
                ensure_keys(&keys_dir, id)?;
                loaded.push(load_builtin(&keys_dir, id)?);
            }
            if let Ok(entries) = std::fs::read_dir(&external_dir) {
                for entry in entries.flatten() {
                    let path = entry.path();
                    let Some(name) =
                        path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".json"))
                    else {
                        continue;
                    };
                    if name.ends_with(".settings") || !valid_external_name(name) {
                        continue;
                    }
                    match read_external(&external_dir, name) {
                        Ok(c) => loaded.push(c),
                        Err(e) => tracing::warn!(file = %path.display(), "external key skipped: {}", crate::error::chain(&e)),
                    }
                }
            }
            Ok(loaded)
        })
        .await
        .map_err(internal)??;
        let mut circuits = self.circuits.write().unwrap_or_else(|p| p.into_inner());
        for c in loaded {
            tracing::info!(circuit = %c.info.name, vk_sha256 = %c.info.vk_sha256, "verification key prepared");
            circuits.insert(c.info.name.clone(), Arc::new(c));
        }
        self.ready.store(true, Ordering::Release);
        Ok(())
    }

    /// Whether every verification key is loaded.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Every known circuit.
    pub fn circuits(&self) -> Vec<CircuitInfo> {
        self.circuits.read().unwrap_or_else(|p| p.into_inner()).values().map(|c| c.info.clone()).collect()
    }

    /// One circuit, if known.
    pub fn circuit(&self, name: &str) -> Option<Arc<LoadedCircuit>> {
        self.circuits.read().unwrap_or_else(|p| p.into_inner()).get(name).cloned()
    }

    /// The proving key of a built-in circuit, loaded on first use and kept.
    pub async fn proving_key(&self, id: CircuitId) -> Result<Arc<ProvingKey>, KeyError> {
        let slot = &self.proving[id.index()];
        let path = keyfile::circuit_dir(&self.keys_dir, id.name()).join(keyfile::PROVING_KEY_FILE);
        slot.get_or_try_init(|| async {
            tracing::info!(circuit = id.name(), "loading proving key (first use)");
            let key = self.cpu.run(move || read_proving_key(&path)).await?;
            key.map(Arc::new).map_err(internal)
        })
        .await
        .cloned()
    }

    /// Registers an external snarkjs Groth16 BN254 key (persisted in the external directory).
    pub async fn add_external(
        &self,
        name: &str,
        verification_key: &serde_json::Value,
        nullifier_signal: Option<usize>,
    ) -> Result<CircuitInfo, KeyError> {
        if !valid_external_name(name) {
            return Err(KeyError::Invalid(
                "name must be 1-64 of a-z 0-9 _ starting with a letter, and not a built-in circuit".into(),
            ));
        }
        if self.circuit(name).is_some() {
            return Err(KeyError::Exists(name.into()));
        }
        if self.circuits().iter().filter(|c| c.external).count() >= MAX_EXTERNAL {
            return Err(KeyError::Invalid(format!("at most {MAX_EXTERNAL} external circuits")));
        }
        let bytes = serde_json::to_vec_pretty(verification_key).map_err(internal)?;
        if bytes.len() > MAX_VK_BYTES {
            return Err(KeyError::Invalid("verification_key is too large".into()));
        }
        let loaded = self.cpu.run(move || load_external_owned(bytes, nullifier_signal)).await??;
        let loaded = LoadedCircuit { info: CircuitInfo { name: name.into(), ..loaded.info }, ..loaded };
        crate::private_fs::create_dir(&self.external_dir).map_err(internal)?;
        let sidecar = serde_json::to_vec(&Sidecar { nullifier_signal }).map_err(internal)?;
        write_atomically(&self.external_dir.join(format!("{name}.settings.json")), &sidecar)?;
        write_atomically(&self.external_dir.join(format!("{name}.json")), &loaded.vk_json)?;
        let info = loaded.info.clone();
        self.circuits.write().unwrap_or_else(|p| p.into_inner()).insert(name.into(), Arc::new(loaded));
        Ok(info)
    }

    /// Removes an external key; false when no external circuit has that name.
    pub fn remove_external(&self, name: &str) -> Result<bool, KeyError> {
        let mut circuits = self.circuits.write().unwrap_or_else(|p| p.into_inner());
        match circuits.get(name) {
            Some(c) if c.info.external => {
                circuits.remove(name);
                let _ = std::fs::remove_file(self.external_dir.join(format!("{name}.json")));
                let _ = std::fs::remove_file(self.external_dir.join(format!("{name}.settings.json")));
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// The pool verification and proving run on.
    pub fn cpu(&self) -> &CpuPool {
        &self.cpu
    }

    /// This service, batching single verifications as `settings` say.
    pub fn with_batching(mut self, settings: BatchSettings) -> Self {
        self.pairings = pairing_batcher(self.cpu.clone(), settings);
        self
    }

    /// The counters of the verification batcher since start.
    pub fn batch_stats(&self) -> BatchStats {
        self.pairings.stats()
    }

    /// The batcher single verifications go through.
    pub(crate) fn pairings(&self) -> &PairingBatcher {
        &self.pairings
    }
}

fn load_external_owned(bytes: Vec<u8>, nullifier_signal: Option<usize>) -> Result<LoadedCircuit, KeyError> {
    load_external("", bytes, nullifier_signal)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), KeyError> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    crate::private_fs::write(&tmp, bytes).map_err(internal)?;
    std::fs::rename(&tmp, path).map_err(internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vk_bytes(keys_dir: &Path) -> Vec<u8> {
        std::fs::read(keyfile::circuit_dir(keys_dir, "age_proof").join(keyfile::VERIFICATION_KEY_FILE))
            .unwrap()
    }

    /// Every built-in circuit names as many signals as it has, and its nullifier is the
    /// signal named `nullifier` (the last of each today).
    #[test]
    fn built_in_signal_names_and_nullifiers() {
        for id in CircuitId::ALL {
            let names = signal_names(id);
            assert_eq!(names.len(), id.n_public(), "{id}");
            assert_eq!(nullifier_index(id), Some(id.n_public() - 1), "{id}");
            assert_eq!(CircuitId::ALL[id.index()], id);
        }
        assert_eq!(signal_names(CircuitId::CredentialQuery)[3], "referenceDate");
    }

    /// External key files are read up to their bound only: a device that never ends or a
    /// file over the bound is refused without being read whole.
    #[test]
    fn external_key_files_are_read_within_a_bound() {
        let dir = tempfile::tempdir().unwrap();
        let external = dir.path();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/dev/zero", external.join("endless.json")).unwrap();
            let err = read_external(external, "endless").err().expect("refused");
            assert!(
                crate::error::chain(&err).contains("larger than 4194304 bytes"),
                "{}",
                crate::error::chain(&err)
            );
        }
        std::fs::write(external.join("huge.json"), vec![b' '; MAX_JSON_BYTES + 1]).unwrap();
        let err = read_external(external, "huge").err().expect("refused");
        assert!(crate::error::chain(&err).contains("larger than"), "{}", crate::error::chain(&err));
        // The committed circom fixture loads, with its bounded settings file.
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../honestly-zk/tests/fixtures/circom_multiplier/verification_key.json");
        std::fs::copy(fixture, external.join("multiplier.json")).unwrap();
        std::fs::write(external.join("multiplier.settings.json"), br#"{"nullifier_signal": 0}"#).unwrap();
        let loaded = read_external(external, "multiplier").unwrap();
        assert_eq!(loaded.info.nullifier_signal, Some(0));
    }

    /// Keys made for another version of a circuit (another fingerprint, or none: written before
    /// fingerprints existed) are never kept: they are moved aside and replaced.
    #[test]
    fn stale_keys_are_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path();
        ensure_keys(keys, CircuitId::Age).unwrap();
        let first = vk_bytes(keys);
        assert!(keyfile::keys_are_current(keys, CircuitId::Age).unwrap());
        // Current keys are kept.
        ensure_keys(keys, CircuitId::Age).unwrap();
        assert_eq!(vk_bytes(keys), first);

        let fingerprint = keyfile::circuit_dir(keys, "age_proof").join(keyfile::FINGERPRINT_FILE);
        for stale in [Some("0".repeat(64)), None] {
            let before = vk_bytes(keys);
            match &stale {
                Some(other) => std::fs::write(&fingerprint, other).unwrap(),
                None => std::fs::remove_file(&fingerprint).unwrap(),
            }
            ensure_keys(keys, CircuitId::Age).unwrap();
            assert_ne!(vk_bytes(keys), before, "stale keys kept ({stale:?})");
            assert!(keyfile::keys_are_current(keys, CircuitId::Age).unwrap());
            let moved = keys.join("age_proof.stale").join(keyfile::VERIFICATION_KEY_FILE);
            assert_eq!(std::fs::read(moved).unwrap(), before);
        }
    }
}
