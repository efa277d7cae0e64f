//! Reading a backup archive for a restore: its manifest, then every file the manifest names,
//! each checked against its size and SHA-256 while it is written into a private staging
//! directory; the database copy must then pass `PRAGMA integrity_check` and match what the
//! manifest says of it. Nothing outside the staging directory is written. Blocking.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

use anyhow::{anyhow, bail, Context};
use honestly_store::sqlite::snapshot::{self, SnapshotFacts};
use sha2::{Digest, Sha256};
use zip::ZipArchive;

use super::manifest::{self, Manifest};
use super::write::new_private_file;

/// An archive whose every file was checked and written into the staging directory.
#[derive(Debug)]
pub struct Checked {
    /// Its manifest.
    pub manifest: Manifest,
    /// What its database copy holds.
    pub facts: SnapshotFacts,
}

/// Checks the archive at `archive` and extracts it into `staging` (an empty private directory),
/// under the same relative paths as in `DATA_DIR`. An error says why the archive is refused.
pub fn extract(archive: &Path, staging: &Path) -> anyhow::Result<Checked> {
    let file = File::open(archive).with_context(|| format!("opening {}", archive.display()))?;
    let mut zip =
        ZipArchive::new(file).map_err(|e| anyhow!("{} is not a backup archive: {e}", archive.display()))?;
    let manifest = read_manifest(&mut zip)?;
    for name in zip.file_names() {
        if name != manifest::MANIFEST && manifest.file(name).is_none() {
            bail!("the archive holds {name:?}, which its manifest does not name");
        }
    }
    for entry in &manifest.files {
        let relative = manifest::relative_path(&entry.path).map_err(|e| anyhow!(e))?;
        let target = staging.join(&relative);
        if let Some(parent) = target.parent() {
            fs::DirBuilder::new().recursive(true).mode(0o700).create(parent)?;
        }
        let mut source = zip
            .by_name(&entry.path)
            .map_err(|e| anyhow!("the manifest names {}, which the archive lacks ({e})", entry.path))?;
        let mut out = new_private_file(&target).with_context(|| format!("creating {}", target.display()))?;
        let mismatch =
            || anyhow!("{} does not match its manifest: the backup is damaged or altered", entry.path);
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let mut buf = vec![0u8; 64 * 1024];
        // Never more than the manifest's size plus one byte, whatever the entry claims.
        let mut limited = (&mut source).take(entry.size.saturating_add(1));
        loop {
            let n = limited.read(&mut buf).map_err(|e| mismatch().context(e))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n])?;
            size += n as u64;
        }
        if size != entry.size || hex::encode(hasher.finalize()) != entry.sha256.to_ascii_lowercase() {
            return Err(mismatch());
        }
        out.sync_all()?;
    }
    let facts = snapshot::inspect(&staging.join(manifest::DATABASE)).context("checking the database")?;
    let known = snapshot::known_schema_versions();
    if let Some(newer) = facts.schema_versions.iter().find(|v| !known.contains(v)) {
        bail!("the database has schema version {newer}, which this version of honestly does not know (restore it with a newer one)");
    }
    if facts.schema_versions != manifest.database.schema_versions
        || facts.key_versions != manifest.database.key_versions
    {
        bail!("the database does not match what its manifest says of it: the backup is damaged or altered");
    }
    Ok(Checked { manifest, facts })
}

fn read_manifest(zip: &mut ZipArchive<File>) -> anyhow::Result<Manifest> {
    let entry = zip
        .by_name(manifest::MANIFEST)
        .map_err(|_| anyhow!("the archive has no {}: it is not a Honestly backup", manifest::MANIFEST))?;
    let mut bytes = Vec::new();
    entry
        .take(manifest::MAX_MANIFEST_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| anyhow!("reading {}: {e}", manifest::MANIFEST))?;
    if bytes.len() as u64 > manifest::MAX_MANIFEST_BYTES {
        bail!("{} is larger than {} bytes", manifest::MANIFEST, manifest::MAX_MANIFEST_BYTES);
    }
    Manifest::parse(&bytes).map_err(|e| anyhow!(e))
}
