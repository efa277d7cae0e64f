//! Writing a backup archive: a consistent copy of the database (taken while the server keeps
//! serving), the files of `DATA_DIR` a restore needs, and the manifest describing them, in a
//! ZIP file that only its owner can read. Blocking.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use anyhow::Context;
use honestly_core::clock::Timestamp;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::manifest::{self, DatabaseEntry, FileEntry, Manifest};

/// What goes into a backup.
pub struct Sources<'a> {
    /// The live SQLite database.
    pub database: &'a Path,
    /// `DATA_DIR`, where the signing key and `zk/` live.
    pub data_dir: &'a Path,
}

/// Creates `path`, which must not exist, readable and writable by its owner only.
pub fn new_private_file(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).write(true).create_new(true).mode(0o600).open(path)
}

/// A private directory (0700) beside the archive for the database copy, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn beside(out: &Path) -> io::Result<Self> {
        let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let dir = parent.join(format!(".honestly-backup-{}", std::process::id()));
        fs::DirBuilder::new().mode(0o700).create(&dir)?;
        Ok(Self(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Writes the backup of `sources` into `out` (a new, empty, private file at `out_path`) and
/// returns its manifest.
pub fn write_backup(sources: &Sources<'_>, out: File, out_path: &Path) -> anyhow::Result<Manifest> {
    let scratch = Scratch::beside(out_path).context("creating a private scratch directory")?;
    let copy = scratch.0.join(manifest::DATABASE);
    drop(new_private_file(&copy)?);
    let created_at = Timestamp::now();
    honestly_store::sqlite::snapshot::snapshot_into(sources.database, &copy)?;
    let facts = honestly_store::sqlite::snapshot::inspect(&copy).context("checking the database copy")?;

    let mut zip = ZipWriter::new(out);
    let mut files = Vec::new();
    files.push(add_file(&mut zip, &copy, manifest::DATABASE, "the SQLite database, copied at created_at")?);
    let signing_key = sources.data_dir.join(manifest::SIGNING_KEY);
    if is_plain_file(&signing_key)? {
        files.push(add_file(
            &mut zip,
            &signing_key,
            manifest::SIGNING_KEY,
            "the Ed25519 key that signs share bundles (a secret: keep the archive private)",
        )?);
    }
    for relative in zk_files(&sources.data_dir.join(manifest::ZK_DIR))? {
        let path = Path::new(manifest::ZK_DIR).join(&relative);
        let Some(name) = manifest::archive_path(&path) else { continue };
        let description = "a zero-knowledge key file (proofs verify only with the key they were made for)";
        files.push(add_file(&mut zip, &sources.data_dir.join(&path), &name, description)?);
    }
    let manifest = Manifest {
        format: manifest::FORMAT.into(),
        format_version: manifest::FORMAT_VERSION,
        created_at: created_at.rfc3339(),
        honestly_version: env!("CARGO_PKG_VERSION").into(),
        database: DatabaseEntry {
            path: manifest::DATABASE.into(),
            schema_versions: facts.schema_versions,
            key_versions: facts.key_versions,
        },
        files,
        not_included: manifest::NOT_INCLUDED.iter().map(|s| s.to_string()).collect(),
    };
    zip.start_file(manifest::MANIFEST, options(0))?;
    zip.write_all(&serde_json::to_vec_pretty(&manifest)?)?;
    let file = zip.finish()?;
    file.sync_all()?;
    Ok(manifest)
}

fn options(size: u64) -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(1))
        .unix_permissions(0o600)
        .large_file(size >= u64::from(u32::MAX))
}

/// Whether `path` is a regular file (not a link, not missing).
fn is_plain_file(path: &Path) -> io::Result<bool> {
    match fs::symlink_metadata(path) {
        Ok(meta) => Ok(meta.file_type().is_file()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// The regular files under `dir` whose every name is one a backup may carry (temporary and
/// hidden files, links and anything deeper than the archive allows are skipped), sorted.
fn zk_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![(PathBuf::new(), 1usize)];
    while let Some((relative, depth)) = pending.pop() {
        let entries = match fs::read_dir(dir.join(&relative)) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let Some(name) =
                entry.file_name().to_str().filter(|n| manifest::safe_component(n)).map(String::from)
            else {
                continue;
            };
            let kind = entry.file_type()?;
            let path = relative.join(&name);
            if kind.is_file() {
                found.push(path);
            } else if kind.is_dir() && depth < 3 {
                pending.push((path, depth + 1));
            }
            if found.len() >= manifest::MAX_FILES - 2 {
                return Err(io::Error::other(format!("{} holds too many files", dir.display())));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Adds the file at `source` as `name`, hashing what is written.
fn add_file<W: Write + Seek>(
    zip: &mut ZipWriter<W>,
    source: &Path,
    name: &str,
    description: &str,
) -> anyhow::Result<FileEntry> {
    let mut file = File::open(source).with_context(|| format!("reading {}", source.display()))?;
    let size = file.metadata()?.len();
    zip.start_file(name, options(size))?;
    let mut hasher = Sha256::new();
    let mut written = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).with_context(|| format!("reading {}", source.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        zip.write_all(&buf[..n])?;
        written += n as u64;
    }
    Ok(FileEntry {
        path: name.to_string(),
        description: description.to_string(),
        size: written,
        sha256: hex::encode(hasher.finalize()),
    })
}
