//! What the server keeps on disk (the database and its `-wal` and `-shm`, the secrets files,
//! the zero-knowledge keys) is its owner's only: directories are created 0700 and files 0600,
//! and at start every entry of `DATA_DIR` that is open to the group or to others is narrowed
//! to its owner bits.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// The mode of the directories the server creates.
pub const DIR_MODE: u32 = 0o700;
/// The mode of the files the server creates.
pub const FILE_MODE: u32 = 0o600;
/// How deep [`secure_tree`] walks below its root.
const MAX_DEPTH: usize = 6;
/// How many entries [`secure_tree`] looks at, at most.
const MAX_ENTRIES: usize = 100_000;

/// Creates `dir` and its missing parents with mode 0700 (existing ones are left as they are;
/// [`restrict`] narrows them).
pub fn create_dir(dir: &Path) -> io::Result<()> {
    fs::DirBuilder::new().recursive(true).mode(DIR_MODE).create(dir)
}

/// Takes every group and other permission bit off `path` (a symbolic link is left alone);
/// true when its mode changed.
pub fn restrict(path: &Path) -> io::Result<bool> {
    let meta = fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() {
        return Ok(false);
    }
    let mode = meta.permissions().mode();
    if mode & 0o077 == 0 {
        return Ok(false);
    }
    fs::set_permissions(path, fs::Permissions::from_mode(mode & 0o7700))?;
    Ok(true)
}

/// [`restrict`], when `path` exists.
pub fn restrict_if_present(path: &Path) -> io::Result<bool> {
    match restrict(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        other => other,
    }
}

/// Writes `bytes` to `path` (created 0600 if new, narrowed to 0600 if it existed).
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file =
        fs::OpenOptions::new().write(true).create(true).truncate(true).mode(FILE_MODE).open(path)?;
    file.write_all(bytes)?;
    restrict(path)?;
    Ok(())
}

/// Creates `path` empty with mode 0600 when it does not exist, and narrows it when it does
/// (SQLite gives a database's `-wal` and `-shm` the mode of the database file).
pub fn touch(path: &Path) -> io::Result<()> {
    fs::OpenOptions::new().append(true).create(true).mode(FILE_MODE).open(path)?;
    restrict(path)?;
    Ok(())
}

/// [`restrict_if_present`], leaving alone (with a warning) what the server may not change: a
/// volume's mount point owned by root (a Kubernetes `emptyDir` with `fsGroup`, say) is not the
/// server's to narrow, and refusing to start over it would help nobody.
fn restrict_owned(path: &Path) -> io::Result<bool> {
    match restrict_if_present(path) {
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            tracing::warn!(path = %path.display(), "cannot narrow the permissions of an entry the server does not own");
            Ok(false)
        }
        other => other,
    }
}

/// Makes `root` (created if missing) and everything below it private: [`restrict`] on each
/// entry the server owns, not following symbolic links, at most [`MAX_DEPTH`] levels and
/// [`MAX_ENTRIES`] entries deep. Returns how many entries changed.
pub fn secure_tree(root: &Path) -> io::Result<usize> {
    create_dir(root)?;
    let mut changed = usize::from(restrict_owned(root)?);
    let mut seen = 0usize;
    let mut pending = vec![(root.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = pending.pop() {
        let entries = match fs::read_dir(&dir) {
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => continue,
            other => other?,
        };
        for entry in entries {
            seen += 1;
            if seen > MAX_ENTRIES {
                return Ok(changed);
            }
            let entry = entry?;
            let path = entry.path();
            // An entry removed meanwhile (a temporary file) is simply skipped.
            changed += usize::from(restrict_owned(&path)?);
            if depth < MAX_DEPTH && entry.file_type()?.is_dir() {
                pending.push((path, depth + 1));
            }
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn created_directories_and_files_are_the_owners_only() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b");
        create_dir(&nested).unwrap();
        assert_eq!(mode(&dir.path().join("a")), 0o700);
        assert_eq!(mode(&nested), 0o700);
        write(&nested.join("f"), b"x").unwrap();
        assert_eq!(mode(&nested.join("f")), 0o600);
        touch(&nested.join("db")).unwrap();
        assert_eq!(mode(&nested.join("db")), 0o600);
    }

    #[test]
    fn looser_modes_below_the_root_are_narrowed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("data");
        fs::create_dir_all(root.join("zk/age_proof")).unwrap();
        for (path, m) in [(root.clone(), 0o755), (root.join("zk"), 0o775), (root.join("zk/age_proof"), 0o755)]
        {
            fs::set_permissions(&path, fs::Permissions::from_mode(m)).unwrap();
        }
        for file in ["honestly.db", "honestly.db-wal", "zk/age_proof/proving_key.bin"] {
            fs::write(root.join(file), b"x").unwrap();
            fs::set_permissions(root.join(file), fs::Permissions::from_mode(0o644)).unwrap();
        }
        std::os::unix::fs::symlink("/etc/hostname", root.join("link")).unwrap();
        assert_eq!(secure_tree(&root).unwrap(), 6);
        assert_eq!(mode(&root), 0o700);
        assert_eq!(mode(&root.join("zk/age_proof")), 0o700);
        assert_eq!(mode(&root.join("honestly.db")), 0o600);
        assert_eq!(mode(&root.join("zk/age_proof/proving_key.bin")), 0o600);
        assert_eq!(secure_tree(&root).unwrap(), 0, "a second pass changes nothing");
    }
}
