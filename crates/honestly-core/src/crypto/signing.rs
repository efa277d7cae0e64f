//! The server's Ed25519 bundle-signing key: `BUNDLE_SIGNING_KEY` (the same on every replica), or
//! else generated once into `DATA_DIR/signing-key.json` (mode 0600); published as a JWK set at
//! `/.well-known/honestly-keys.json`.

use std::fs;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

#[derive(Serialize, Deserialize)]
struct KeyFile {
    key_id: String,
    secret_key_hex: String,
}

/// The signing key and its id.
pub struct BundleSigner {
    key: SigningKey,
    key_id: String,
}

fn key_id_of(public: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(public.as_bytes())[..8])
}

impl BundleSigner {
    /// The key whose 32-byte Ed25519 seed is `seed` (from `BUNDLE_SIGNING_KEY`).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        let key = SigningKey::from_bytes(seed);
        Self { key_id: key_id_of(&key.verifying_key()), key }
    }

    /// Reads `DATA_DIR/signing-key.json`, creating it with a fresh key on first start.
    pub fn load_or_create(data_dir: &Path) -> std::io::Result<Self> {
        let path = data_dir.join("signing-key.json");
        if path.exists() {
            let file: KeyFile = serde_json::from_slice(&fs::read(&path)?).map_err(std::io::Error::other)?;
            let bytes = Zeroizing::new(hex::decode(&file.secret_key_hex).map_err(std::io::Error::other)?);
            let secret: [u8; 32] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| std::io::Error::other("signing key is not 32 bytes"))?;
            let key = SigningKey::from_bytes(&secret);
            return Ok(Self { key_id: key_id_of(&key.verifying_key()), key });
        }
        crate::private_fs::create_dir(data_dir)?;
        let key = SigningKey::generate(&mut rand::rngs::OsRng);
        let key_id = key_id_of(&key.verifying_key());
        let file = KeyFile { key_id: key_id.clone(), secret_key_hex: hex::encode(key.to_bytes()) };
        let tmp = data_dir.join(format!(".signing-key.{}.tmp", std::process::id()));
        {
            let mut f = fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp)?;
            f.write_all(&serde_json::to_vec(&file).map_err(std::io::Error::other)?)?;
            f.sync_all()?;
        }
        match fs::hard_link(&tmp, &path) {
            Ok(()) => {
                fs::remove_file(&tmp)?;
                Ok(Self { key, key_id })
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                fs::remove_file(&tmp)?;
                Self::load_or_create(data_dir)
            }
            Err(e) => Err(e),
        }
    }

    /// The key's id (first 16 hex characters of SHA-256 over the public key).
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Signs `message`; the signature in base64url without padding.
    pub fn sign(&self, message: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(self.key.sign(message).to_bytes())
    }

    /// The public key as a JWK set (`kty: OKP`, `crv: Ed25519`).
    pub fn jwks(&self) -> serde_json::Value {
        serde_json::json!({
            "keys": [{
                "kty": "OKP",
                "crv": "Ed25519",
                "alg": "EdDSA",
                "use": "sig",
                "kid": self.key_id,
                "x": URL_SAFE_NO_PAD.encode(self.key.verifying_key().as_bytes()),
            }]
        })
    }
}
