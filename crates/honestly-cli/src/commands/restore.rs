//! `honestly restore FILE`: fills an empty `DATA_DIR` from a backup made by `honestly backup`.
//! The archive is checked whole (manifest, every file's size and SHA-256, the database's
//! integrity check) in a private staging directory before any file is put in place; files are
//! created 0600 and directories 0700. The restore is written to the restored audit trail
//! (actor `cli`). The configuration's secrets are not needed (nor generated): only `DATA_DIR`
//! and `DATABASE_URL` are read.
//!
//! Exit status: 0 restored, 1 the backup is refused (DATA_DIR is left empty), 2 a
//! configuration problem, a Neo4j deployment, a `DATA_DIR` that is not empty or an unreadable
//! `FILE`.

use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use honestly_core::audit::{Actor, AuditEvent, AuditLog, Outcome};
use honestly_core::config::environment_with_dotenv;
use honestly_core::crypto::vault::key_version;

use super::backup::extract::{extract, Checked};
use super::backup::manifest;

/// The backup to restore.
#[derive(Args)]
pub struct RestoreArgs {
    /// The archive written by `honestly backup`.
    file: PathBuf,
}

/// Runs `honestly restore`.
pub fn run(args: RestoreArgs) -> ExitCode {
    let (location, database) = match super::backup::sqlite_location() {
        Ok(found) => found,
        Err(code) => return code,
    };
    let data_dir = location.data_dir;
    if let Err(e) = fs::File::open(&args.file) {
        eprintln!("error: cannot read {}: {e}", args.file.display());
        return ExitCode::from(2);
    }
    if let Err(problem) = prepare_empty(&data_dir, &database) {
        eprintln!("error: {problem}");
        return ExitCode::from(2);
    }
    let staging = data_dir.join(format!(".restore-{}", std::process::id()));
    if let Err(e) = fs::DirBuilder::new().mode(0o700).create(&staging) {
        eprintln!("error: cannot create {}: {e}", staging.display());
        return ExitCode::from(2);
    }
    let checked = extract(&args.file, &staging);
    let placed = checked.and_then(|checked| {
        place(&checked, &staging, &data_dir, &database)?;
        Ok(checked)
    });
    let _ = fs::remove_dir_all(&staging);
    let checked = match placed {
        Ok(checked) => checked,
        Err(e) => {
            eprintln!("error: the backup is refused: {e:#}");
            eprintln!("nothing was restored into {}", data_dir.display());
            return ExitCode::FAILURE;
        }
    };
    let manifest = &checked.manifest;
    println!(
        "restored {} file(s) into {} (database as of {}, written by honestly {})",
        manifest.files.len(),
        data_dir.display(),
        manifest.created_at,
        manifest.honestly_version
    );
    warn_about_keys(&checked.facts.key_versions);
    audit_restore(&database, manifest)
}

/// Makes sure `data_dir` is an empty directory of mode 0700 (creating it when missing) and
/// that nothing sits where the database will go; the reason otherwise.
fn prepare_empty(data_dir: &Path, database: &Path) -> Result<(), String> {
    match fs::read_dir(data_dir) {
        Ok(mut entries) => {
            if let Some(entry) = entries.next() {
                let name = entry.map(|e| e.file_name().to_string_lossy().into_owned()).unwrap_or_default();
                return Err(format!(
                    "DATA_DIR {} is not empty (it holds {name:?}): restore only fills an empty directory, \
                     so that nothing there is overwritten or mixed with the backup",
                    data_dir.display()
                ));
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(data_dir)
                .map_err(|e| format!("cannot create DATA_DIR {}: {e}", data_dir.display()))?;
        }
        Err(e) => return Err(format!("cannot read DATA_DIR {}: {e}", data_dir.display())),
    }
    fs::set_permissions(data_dir, fs::Permissions::from_mode(0o700))
        .map_err(|e| format!("cannot set the mode of {}: {e}", data_dir.display()))?;
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut path = database.as_os_str().to_owned();
        path.push(suffix);
        if fs::symlink_metadata(&path).is_ok() {
            return Err(format!(
                "{} exists already: restore never overwrites a database",
                Path::new(&path).display()
            ));
        }
    }
    Ok(())
}

/// Moves every checked file from `staging` to its place: the database to `database`, the
/// others under `data_dir`. When one cannot be placed, those placed already are removed again.
fn place(checked: &Checked, staging: &Path, data_dir: &Path, database: &Path) -> anyhow::Result<()> {
    let mut placed = Vec::new();
    for entry in &checked.manifest.files {
        match place_one(&entry.path, staging, data_dir, database) {
            Ok(target) => placed.push(target),
            Err(e) => {
                for target in placed {
                    let _ = fs::remove_file(target);
                }
                let _ = fs::remove_dir_all(data_dir.join(manifest::ZK_DIR));
                return Err(e);
            }
        }
    }
    Ok(())
}

/// Moves the staged file `path` (an archive path) to its place; where it went.
fn place_one(path: &str, staging: &Path, data_dir: &Path, database: &Path) -> anyhow::Result<PathBuf> {
    let relative = manifest::relative_path(path).map_err(anyhow::Error::msg)?;
    let target = if path == manifest::DATABASE { database.to_path_buf() } else { data_dir.join(&relative) };
    if let Some(parent) = target.parent().filter(|p| !p.exists()) {
        fs::DirBuilder::new().recursive(true).mode(0o700).create(parent)?;
    }
    move_file(&staging.join(&relative), &target)
        .map_err(|e| anyhow::anyhow!("placing {}: {e}", target.display()))?;
    Ok(target)
}

/// Renames `from` to `to`, or copies it (0600) when they are on different file systems.
fn move_file(from: &Path, to: &Path) -> io::Result<()> {
    if fs::symlink_metadata(to).is_ok() {
        return Err(io::Error::new(io::ErrorKind::AlreadyExists, format!("{} exists already", to.display())));
    }
    if fs::rename(from, to).is_ok() {
        return Ok(());
    }
    let mut source = fs::File::open(from)?;
    let mut target = super::backup::write::new_private_file(to)?;
    io::copy(&mut source, &mut target)?;
    target.sync_all()
}

/// Says which master-key versions the documents need that `VAULT_MASTER_KEY` (when set here)
/// does not hold.
fn warn_about_keys(needed: &[String]) {
    if needed.is_empty() {
        return;
    }
    let vars = environment_with_dotenv();
    let configured: Vec<String> = vars
        .get("VAULT_MASTER_KEY")
        .map(|value| {
            value
                .split(',')
                .filter_map(|part| honestly_core::config::decode_key32(part.trim()))
                .map(|key| key_version(&key))
                .collect()
        })
        .unwrap_or_default();
    let missing: Vec<&str> = needed.iter().filter(|v| !configured.contains(v)).map(String::as_str).collect();
    if !missing.is_empty() {
        eprintln!(
            "warning: the documents are encrypted under master key version(s) {}, which VAULT_MASTER_KEY \
             here does not hold: start the server with the master key(s) of the backed-up deployment",
            missing.join(", ")
        );
    }
}

/// Appends `data.restore` to the restored audit trail (migrating the database if it is older
/// than this build).
fn audit_restore(database: &Path, manifest: &manifest::Manifest) -> ExitCode {
    let reason = format!("backup taken at {} by honestly {}", manifest.created_at, manifest.honestly_version);
    let done = tokio::runtime::Runtime::new().map_err(anyhow::Error::from).and_then(|runtime| {
        runtime.block_on(async {
            let store = Arc::new(honestly_store::sqlite::SqliteStore::open(database).await?);
            let audit = AuditLog::start(store);
            audit.record(AuditEvent::new(Actor::Cli, "data.restore", Outcome::Success).reason(reason));
            audit.flush().await?;
            Ok::<_, anyhow::Error>(())
        })
    });
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: the restored database cannot be opened: {e:#}");
            ExitCode::FAILURE
        }
    }
}
