//! `manifest.json`, the description a backup archive carries of itself: its format, when and by
//! which version it was made, what the database needs (schema, master-key versions), every
//! other file with its size and SHA-256, and what was deliberately left out.
//!
//! It also decides which paths may appear in an archive, for writing and for reading: a restore
//! never places a file that the manifest does not name or whose name could leave `DATA_DIR`.

use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The name of the manifest inside the archive.
pub const MANIFEST: &str = "manifest.json";
/// The value of `format`.
pub const FORMAT: &str = "honestly-backup";
/// The layout version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// The database copy's name inside the archive (and in `DATA_DIR` by default).
pub const DATABASE: &str = "honestly.db";
/// The bundle-signing key made on first start when `BUNDLE_SIGNING_KEY` is not set.
pub const SIGNING_KEY: &str = "signing-key.json";
/// The directory of zero-knowledge keys under `DATA_DIR` (built-in circuits by default, and
/// the external circuits an admin added).
pub const ZK_DIR: &str = "zk";
/// The largest manifest a restore reads.
pub const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;
/// The most files one archive may name.
pub const MAX_FILES: usize = 10_000;
/// The deepest path (in components) an archive may name.
const MAX_DEPTH: usize = 4;
/// The longest path component an archive may name.
const MAX_COMPONENT: usize = 128;

/// What was left out of every backup, and why (shown in the manifest for whoever restores).
pub const NOT_INCLUDED: &[&str] = &[
    "VAULT_MASTER_KEY: never stored in DATA_DIR; the documents cannot be read without the \
     master key(s) named in database.key_versions, so keep it apart from the backups",
    "JWT_SECRET, AI_AGENT_SECRET, MONITORING_TOKEN, BUNDLE_SIGNING_KEY, NEO4J_PASS: \
     configuration secrets, kept in the secret manager",
    "dev-secrets.json: development secrets (they include a master key), never copied",
    "honestly.db-wal, honestly.db-shm: the database copy is complete without them",
    "ZK_KEYS_DIR outside DATA_DIR: keys kept elsewhere (for example in an image) are not copied",
];

/// The archive's description of itself.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// The layout version ([`FORMAT_VERSION`]).
    pub format_version: u32,
    /// When the database copy was taken (RFC 3339, UTC).
    pub created_at: String,
    /// The version of `honestly` that wrote the archive.
    pub honestly_version: String,
    /// The database copy.
    pub database: DatabaseEntry,
    /// Every file of the archive but the manifest, the database first.
    pub files: Vec<FileEntry>,
    /// What a restore needs that is not in the archive.
    pub not_included: Vec<String>,
}

/// What the database copy needs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DatabaseEntry {
    /// Its path in the archive ([`DATABASE`]).
    pub path: String,
    /// The schema migrations applied to it.
    pub schema_versions: Vec<i64>,
    /// The master-key versions its sealed rows were encrypted under (the first 16 hex
    /// characters of SHA-256 over each key).
    pub key_versions: Vec<String>,
}

/// One file of the archive.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    /// Its path in the archive, which is also its path under `DATA_DIR` (`/`-separated).
    pub path: String,
    /// What it is.
    pub description: String,
    /// Its size in bytes.
    pub size: u64,
    /// SHA-256 of its content, lowercase hex.
    pub sha256: String,
}

impl Manifest {
    /// Parses and checks a manifest read from an archive: the format, the version, every path,
    /// no path twice, and the database among the files.
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let manifest: Manifest =
            serde_json::from_slice(bytes).map_err(|e| format!("{MANIFEST} is not a backup manifest: {e}"))?;
        if manifest.format != FORMAT {
            return Err(format!("{MANIFEST} describes {:?}, not a Honestly backup", manifest.format));
        }
        if manifest.format_version != FORMAT_VERSION {
            return Err(format!(
                "backup format version {} is not supported (this build reads version {FORMAT_VERSION})",
                manifest.format_version
            ));
        }
        if manifest.files.len() > MAX_FILES {
            return Err(format!("the manifest names {} files (at most {MAX_FILES})", manifest.files.len()));
        }
        let mut seen = std::collections::BTreeSet::new();
        for file in &manifest.files {
            relative_path(&file.path)?;
            if !seen.insert(file.path.as_str()) {
                return Err(format!("the manifest names {} twice", file.path));
            }
            if file.sha256.len() != 64 || !file.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!("the manifest's SHA-256 of {} is malformed", file.path));
            }
        }
        if manifest.database.path != DATABASE || !seen.contains(DATABASE) {
            return Err(format!("the manifest does not name the database ({DATABASE})"));
        }
        Ok(manifest)
    }

    /// The manifest's entry for `path`.
    pub fn file(&self, path: &str) -> Option<&FileEntry> {
        self.files.iter().find(|f| f.path == path)
    }
}

/// `path` (an archive path) as a relative path under `DATA_DIR`, when it is one a backup may
/// hold: the database, the signing key, or a file under `zk/`; plain names only (no `..`, no
/// absolute or hidden parts), at most a few levels deep.
pub fn relative_path(path: &str) -> Result<PathBuf, String> {
    let refused = || format!("the archive path {path:?} is not one a backup holds");
    let parts: Vec<&str> = path.split('/').collect();
    if parts.len() > MAX_DEPTH || !parts.iter().all(|p| safe_component(p)) {
        return Err(refused());
    }
    let allowed = matches!(parts.as_slice(), [DATABASE] | [SIGNING_KEY] | [ZK_DIR, _, ..]);
    let relative: PathBuf = parts.iter().collect();
    let plain = relative.components().all(|c| matches!(c, Component::Normal(_)));
    if allowed && plain {
        Ok(relative)
    } else {
        Err(refused())
    }
}

/// A name a backup may carry: letters, digits, `_`, `-` and `.`, not starting with `.`.
pub fn safe_component(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_COMPONENT
        && !name.starts_with('.')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// The archive path of `relative` (a path under `DATA_DIR` made of safe components).
pub fn archive_path(relative: &Path) -> Option<String> {
    let parts: Option<Vec<&str>> = relative
        .components()
        .map(|c| match c {
            Component::Normal(part) => part.to_str().filter(|p| safe_component(p)),
            _ => None,
        })
        .collect();
    parts.map(|p| p.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(files: &[&str]) -> Vec<u8> {
        let files: Vec<FileEntry> = files
            .iter()
            .map(|p| FileEntry {
                path: p.to_string(),
                description: String::new(),
                size: 1,
                sha256: "a".repeat(64),
            })
            .collect();
        serde_json::to_vec(&Manifest {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            created_at: "2026-01-01T00:00:00Z".into(),
            honestly_version: "0".into(),
            database: DatabaseEntry { path: DATABASE.into(), schema_versions: vec![1], key_versions: vec![] },
            files,
            not_included: vec![],
        })
        .unwrap()
    }

    #[test]
    fn only_paths_a_backup_holds_are_accepted() {
        for good in ["honestly.db", "signing-key.json", "zk/age_proof/proving_key.bin", "zk/external/c.json"]
        {
            assert_eq!(relative_path(good).unwrap(), good.split('/').collect::<PathBuf>(), "{good}");
        }
        for bad in [
            "../honestly.db",
            "/etc/passwd",
            "zk/../../x",
            "zk/./x",
            "zk/.tmp",
            "zk",
            "dev-secrets.json",
            "honestly.db-wal",
            "zk//x",
            "zk/a/b/c/d",
            "zk\\..\\x",
            "",
        ] {
            assert!(relative_path(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn a_manifest_must_be_ours_name_the_database_and_each_file_once() {
        assert!(Manifest::parse(&manifest(&["honestly.db", "zk/a/b.json"])).is_ok());
        for (files, problem) in [
            (&["signing-key.json"][..], "does not name the database"),
            (&["honestly.db", "honestly.db"][..], "twice"),
            (&["honestly.db", "../x"][..], "is not one a backup holds"),
        ] {
            let refused = Manifest::parse(&manifest(files)).unwrap_err();
            assert!(refused.contains(problem), "{refused}");
        }
        let mut other: serde_json::Value = serde_json::from_slice(&manifest(&["honestly.db"])).unwrap();
        other["format_version"] = 2.into();
        let refused = Manifest::parse(&serde_json::to_vec(&other).unwrap()).unwrap_err();
        assert!(refused.contains("not supported"), "{refused}");
        assert!(Manifest::parse(b"not json").unwrap_err().contains("not a backup manifest"));
    }
}
