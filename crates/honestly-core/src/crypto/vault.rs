//! Document encryption at rest.
//!
//! - Master keys come from `VAULT_MASTER_KEY`: one or more 32-byte keys, comma-separated; the
//!   first is current (used to encrypt), every one decrypts. Each key is known by its *key
//!   version*: the first 16 hex characters of SHA-256 over the key, recorded on every
//!   ciphertext, so the master key can be rotated (`honestly keys rotate`).
//! - Per-user keys: HKDF-SHA256(ikm = master key, salt = `honestly-vault-v1`,
//!   info = `document-key:` + user id) → 32 bytes.
//! - AES-256-GCM with a fresh random 96-bit nonce per ciphertext; the associated data binds
//!   the ciphertext to its document and owner (`document_id` + `\0` + `user_id`), so a
//!   ciphertext moved to another row does not decrypt.

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use hkdf::Hkdf;
use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::config::decode_key32;

const HKDF_SALT: &[u8] = b"honestly-vault-v1";

/// Why vault keys or a ciphertext were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// `VAULT_MASTER_KEY` holds no usable key.
    #[error("no valid master key: each must be 32 bytes as 64 hex characters or base64")]
    NoKey,
    /// The ciphertext names a key version this process does not have.
    #[error("unknown key version {0}")]
    UnknownKeyVersion(String),
    /// Authentication failed: wrong key, tampered data, or moved ciphertext.
    #[error("ciphertext does not authenticate")]
    Authentication,
}

/// An encrypted blob with what is needed to open it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// The master key's version.
    pub key_version: String,
    /// The 96-bit nonce.
    pub nonce: Vec<u8>,
    /// Ciphertext followed by the 16-byte tag.
    pub ciphertext: Vec<u8>,
}

/// One master key and its version.
struct MasterKey {
    version: String,
    key: Zeroizing<[u8; 32]>,
}

/// The master keys of this process.
pub struct VaultKeys {
    keys: Vec<MasterKey>,
}

/// The version string of a master key.
pub fn key_version(key: &[u8; 32]) -> String {
    hex::encode(&Sha256::digest(key)[..8])
}

impl VaultKeys {
    /// Parses `VAULT_MASTER_KEY` (comma-separated, first is current).
    pub fn parse(value: &str) -> Result<Self, VaultError> {
        let mut keys = Vec::new();
        for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let key = decode_key32(part).ok_or(VaultError::NoKey)?;
            keys.push(MasterKey { version: key_version(&key), key: Zeroizing::new(key) });
        }
        if keys.is_empty() {
            return Err(VaultError::NoKey);
        }
        Ok(Self { keys })
    }

    /// These keys with `key` put first (current), keeping the others for decryption.
    pub fn with_current(mut self, key: [u8; 32]) -> Self {
        let version = key_version(&key);
        self.keys.retain(|k| k.version != version);
        self.keys.insert(0, MasterKey { version, key: Zeroizing::new(key) });
        self
    }

    /// The version new ciphertexts are made under.
    pub fn current_version(&self) -> &str {
        &self.keys[0].version
    }

    fn cipher(&self, version: &str, user_id: &str) -> Result<Aes256Gcm, VaultError> {
        let master = self
            .keys
            .iter()
            .find(|k| k.version == version)
            .ok_or_else(|| VaultError::UnknownKeyVersion(version.to_string()))?;
        let hk = Hkdf::<Sha256>::new(Some(HKDF_SALT), master.key.as_slice());
        let mut user_key = Zeroizing::new([0u8; 32]);
        hk.expand(format!("document-key:{user_id}").as_bytes(), user_key.as_mut_slice())
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        Ok(Aes256Gcm::new_from_slice(user_key.as_slice()).expect("32-byte key"))
    }

    /// Encrypts `plaintext` in place (no second copy) under the current key.
    pub fn seal(&self, mut plaintext: Vec<u8>, document_id: &str, user_id: &str) -> Sealed {
        let version = self.current_version().to_string();
        let cipher = self.cipher(&version, user_id).expect("the current key exists");
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        cipher
            .encrypt_in_place(Nonce::from_slice(&nonce), &aad(document_id, user_id), &mut plaintext)
            .expect("AES-GCM encryption of an in-memory buffer");
        Sealed { key_version: version, nonce: nonce.to_vec(), ciphertext: plaintext }
    }

    /// Decrypts in place; fails unless the ciphertext authenticates for this document/owner.
    pub fn open(&self, sealed: Sealed, document_id: &str, user_id: &str) -> Result<Vec<u8>, VaultError> {
        if sealed.nonce.len() != 12 {
            return Err(VaultError::Authentication);
        }
        let cipher = self.cipher(&sealed.key_version, user_id)?;
        let mut buffer = sealed.ciphertext;
        cipher
            .decrypt_in_place(Nonce::from_slice(&sealed.nonce), &aad(document_id, user_id), &mut buffer)
            .map_err(|_| VaultError::Authentication)?;
        Ok(buffer)
    }
}

fn aad(document_id: &str, user_id: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(document_id.len() + user_id.len() + 1);
    aad.extend_from_slice(document_id.as_bytes());
    aad.push(0);
    aad.extend_from_slice(user_id.as_bytes());
    aad
}

#[cfg(test)]
mod tests {
    use super::*;

    const K1: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    const K2: &str = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";

    #[test]
    fn seal_open_round_trip_with_fresh_nonces() {
        let keys = VaultKeys::parse(K1).unwrap();
        let a = keys.seal(b"hello".to_vec(), "doc_1", "usr_1");
        let b = keys.seal(b"hello".to_vec(), "doc_1", "usr_1");
        assert_ne!(a.nonce, b.nonce);
        assert_ne!(a.ciphertext, b.ciphertext);
        assert!(!a.ciphertext.windows(5).any(|w| w == b"hello"));
        assert_eq!(keys.open(a, "doc_1", "usr_1").unwrap(), b"hello");
    }

    #[test]
    fn moved_tampered_or_foreign_ciphertexts_fail() {
        let keys = VaultKeys::parse(K1).unwrap();
        let sealed = keys.seal(b"secret".to_vec(), "doc_1", "usr_1");
        assert_eq!(keys.open(sealed.clone(), "doc_2", "usr_1"), Err(VaultError::Authentication));
        assert_eq!(keys.open(sealed.clone(), "doc_1", "usr_2"), Err(VaultError::Authentication));
        let mut tampered = sealed.clone();
        tampered.ciphertext[0] ^= 1;
        assert_eq!(keys.open(tampered, "doc_1", "usr_1"), Err(VaultError::Authentication));
        let other = VaultKeys::parse(K2).unwrap();
        assert!(matches!(other.open(sealed, "doc_1", "usr_1"), Err(VaultError::UnknownKeyVersion(_))));
    }

    #[test]
    fn rotation_keeps_old_ciphertexts_readable() {
        let old = VaultKeys::parse(K1).unwrap();
        let sealed = old.seal(b"data".to_vec(), "doc_1", "usr_1");
        let both = VaultKeys::parse(&format!("{K2},{K1}")).unwrap();
        assert_ne!(both.current_version(), sealed.key_version);
        assert_eq!(both.open(sealed, "doc_1", "usr_1").unwrap(), b"data");
        assert!(VaultKeys::parse("").is_err());
        assert!(VaultKeys::parse("short").is_err());
    }
}
