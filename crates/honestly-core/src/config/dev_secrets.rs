//! Development secrets: generated once into `DATA_DIR/dev-secrets.json` (mode 0600) so that
//! restarts keep tokens and documents valid without any configuration.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use rand::RngCore;
use serde::{Deserialize, Serialize};

/// The secrets a development server generates for itself.
#[derive(Clone, Serialize, Deserialize)]
pub(super) struct DevSecrets {
    pub jwt_secret: String,
    pub ai_agent_secret: String,
    pub vault_master_key: String,
}

/// What happened to the development secrets file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DevSecretsOutcome {
    /// The file was created now.
    Generated(PathBuf),
    /// The file existed and was reused.
    Reused(PathBuf),
}

impl DevSecretsOutcome {
    /// A line for the start-up log.
    pub fn note(&self) -> Option<String> {
        match self {
            DevSecretsOutcome::Generated(path) => Some(format!(
                "development mode: generated missing secrets into {} (keep it private; set the \
                 variables explicitly in production)",
                path.display()
            )),
            DevSecretsOutcome::Reused(path) => Some(format!(
                "development mode: using generated secrets from {} for variables that are not set",
                path.display()
            )),
        }
    }
}

fn random_hex32() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Reads the file, or creates it with fresh secrets (0600, written atomically).
pub(super) fn load_or_create(data_dir: &Path) -> std::io::Result<(DevSecrets, DevSecretsOutcome)> {
    let path = data_dir.join("dev-secrets.json");
    if path.exists() {
        let raw = fs::read(&path)?;
        let secrets: DevSecrets = serde_json::from_slice(&raw).map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{} is not a valid secrets file ({e}); remove it to regenerate", path.display()),
            )
        })?;
        return Ok((secrets, DevSecretsOutcome::Reused(path)));
    }
    crate::private_fs::create_dir(data_dir)?;
    let secrets = DevSecrets {
        jwt_secret: random_hex32(),
        ai_agent_secret: random_hex32(),
        vault_master_key: random_hex32(),
    };
    let tmp = data_dir.join(format!(".dev-secrets.{}.tmp", std::process::id()));
    {
        let mut file = fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp)?;
        file.write_all(&serde_json::to_vec_pretty(&secrets).map_err(std::io::Error::other)?)?;
        file.sync_all()?;
    }
    fs::set_permissions(&tmp, fs::Permissions::from_mode(0o600))?;
    // Another process may have won the race: keep whichever file landed first.
    match fs::hard_link(&tmp, &path) {
        Ok(()) => {
            fs::remove_file(&tmp)?;
            Ok((secrets, DevSecretsOutcome::Generated(path)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            fs::remove_file(&tmp)?;
            load_or_create(data_dir)
        }
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}
