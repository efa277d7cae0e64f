//! Reading and writing the issuer's files: bounded reads, private (0600) files that are never
//! written over, and atomic replacement of the revocation state file.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use honestly_core::bounded::{self, BoundedError};
use honestly_core::credentials::IssuerKeyFile;
use honestly_core::private_fs::FILE_MODE;
use zeroize::Zeroizing;

/// Reads `path` if it holds at most `limit` bytes.
pub fn read(path: &Path, limit: usize) -> Result<Vec<u8>, String> {
    bounded::read_file(path, limit as u64).map_err(|e| e.to_string())
}

/// Reads `path` like [`read`]; `Ok(None)` when it does not exist.
pub fn read_if_present(path: &Path, limit: usize) -> Result<Option<Vec<u8>>, String> {
    match bounded::read_file(path, limit as u64) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(BoundedError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

/// Reads and checks the issuer key file at `path`; its bytes are wiped once parsed.
pub fn read_key(path: &Path) -> Result<IssuerKeyFile, String> {
    let limit = honestly_core::credentials::issuer_key::MAX_ISSUER_KEY_FILE_BYTES;
    let bytes = Zeroizing::new(read(path, limit)?);
    IssuerKeyFile::from_json(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Creates `path` (which must not exist) with mode 0600 and writes `bytes` to it; on failure
/// nothing is left behind.
pub fn write_new_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut file =
        OpenOptions::new().write(true).create_new(true).mode(FILE_MODE).open(path).map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                format!("{} already exists: not written over", path.display())
            } else {
                format!("cannot create {}: {e}", path.display())
            }
        })?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    written.map_err(|e| {
        let _ = fs::remove_file(path);
        format!("cannot write {}: {e}", path.display())
    })
}

/// Replaces `path` with `bytes` atomically: a private temporary file next to it, synced, then
/// renamed over it (a reader sees the old file or the new one, never half of one).
pub fn replace_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let temporary = temporary_path(path)?;
    write_new_private(&temporary, bytes)?;
    fs::rename(&temporary, path).map_err(|e| {
        let _ = fs::remove_file(&temporary);
        format!("cannot replace {}: {e}", path.display())
    })
}

/// `.NAME.tmp-PID` in `path`'s directory.
fn temporary_path(path: &Path) -> Result<PathBuf, String> {
    let name =
        path.file_name().ok_or_else(|| format!("{} is not a file name", path.display()))?.to_string_lossy();
    Ok(path.with_file_name(format!(".{name}.tmp-{}", std::process::id())))
}
