//! `honestly issuer revoke` and `honestly issuer state`: the issuer's revoked ids and its
//! signed revocation state, kept in one file and replaced atomically.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use honestly_core::credentials::native_eddsa::issuer_public_key;
use honestly_core::credentials::revocation_file::MAX_REVOCATION_FILE_BYTES;
use honestly_core::credentials::{
    Credential, CredentialSerial, IssuerKeyFile, NativeEddsa, RevocationStateFile, MAX_CREDENTIAL_JSON_BYTES,
};
use honestly_zk::fr_from_decimal;
use honestly_zk::revocation::MAX_FUTURE_SKEW_SECS;

use super::files;

/// The most credentials and ids one run revokes.
const MAX_TARGETS: usize = 10_000;

/// What to revoke: credential files and credentialIds (both empty: sign the state again).
pub struct Targets<'a> {
    /// Credential files.
    pub credentials: &'a [PathBuf],
    /// credentialIds, decimal.
    pub ids: &'a [String],
}

/// Adds the targets to the state file at `state` (created when missing), signs a fresh
/// revocation state with the key at `key`, replaces the file and prints the signed state.
pub fn run(key: &Path, state: &Path, targets: &Targets<'_>) -> Result<(), String> {
    if targets.credentials.len() + targets.ids.len() > MAX_TARGETS {
        return Err(format!("at most {MAX_TARGETS} credentials and ids at a time"));
    }
    let key = files::read_key(key)?;
    let previous = match files::read_if_present(state, MAX_REVOCATION_FILE_BYTES)? {
        Some(bytes) => Some(read_state(&key, state, &bytes)?),
        None => None,
    };
    let mut revoked = previous.as_ref().map(|file| file.revoked.clone()).unwrap_or_default();
    let before = revoked.len();
    let wanted = wanted_ids(&key, targets)?;
    let asked = wanted.len();
    revoked.extend(wanted);
    let issued_at = signing_time(previous.as_ref().map(|file| file.state.state.issued_at))?;
    let file = RevocationStateFile::signed(&key, revoked, issued_at).map_err(|e| e.to_string())?;
    files::replace_private(state, file.to_json_pretty().as_bytes())?;
    println!("{}", serde_json::to_string_pretty(&file.state).map_err(|e| e.to_string())?);
    let added = file.revoked.len() - before;
    eprintln!(
        "{added} newly revoked ({} already were), {} revoked in all; state signed at {issued_at}, wrote {}",
        asked - added,
        file.revoked.len(),
        state.display()
    );
    Ok(())
}

/// The state file's content, when it is this key's and its signed root is the root of its ids.
fn read_state(key: &IssuerKeyFile, path: &Path, bytes: &[u8]) -> Result<RevocationStateFile, String> {
    let file = RevocationStateFile::from_json(bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    if file.public_key != *key.public_key() {
        return Err(format!("{} is the revocation state of another issuer key", path.display()));
    }
    file.tree().map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(file)
}

/// The credentialIds of the targets (distinct).
fn wanted_ids(key: &IssuerKeyFile, targets: &Targets<'_>) -> Result<BTreeSet<CredentialSerial>, String> {
    let mut ids = BTreeSet::new();
    for path in targets.credentials {
        let credential = Credential::from_json(&files::read(path, MAX_CREDENTIAL_JSON_BYTES)?)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if credential.issuer.public_key() != &issuer_public_key(key.public_key()) {
            return Err(format!("{} was signed by another issuer key", path.display()));
        }
        if !credential.verify_signature(&NativeEddsa) {
            return Err(format!("{}: the signature does not verify", path.display()));
        }
        ids.insert(credential.claims.credential_id);
    }
    for text in targets.ids {
        let id =
            fr_from_decimal(text).ok().and_then(|x| CredentialSerial::from_field(&x)).ok_or_else(|| {
                format!("--id {text:?}: a credentialId is a decimal number from 1 to 2^128 - 1")
            })?;
        ids.insert(id);
    }
    Ok(ids)
}

/// Now in Unix seconds, and always after the previous state's time (two states never share
/// a time, so a verifier can tell which is newer), unless that time is further ahead of this
/// clock than verifiers accept.
fn signing_time(previous: Option<u64>) -> Result<u64, String> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_err(|e| format!("the clock: {e}"))?.as_secs();
    match previous {
        Some(last) if last >= now => {
            let next = last.saturating_add(1);
            if next - now > MAX_FUTURE_SKEW_SECS {
                return Err(format!(
                    "the last state was signed at {last}, ahead of this clock ({now}): check the clock"
                ));
            }
            Ok(next)
        }
        _ => Ok(now),
    }
}
