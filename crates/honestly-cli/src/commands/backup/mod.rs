//! `honestly backup --out FILE`: a consistent online backup of a SQLite deployment into one
//! self-describing archive (see `docs/deployment.md`), taken while the server keeps serving on
//! the same `DATA_DIR`. The backup is written to the audit trail (actor `cli`).
//!
//! Exit status: 0 written, 1 the backup failed (nothing is left at `FILE`), 2 a configuration
//! problem, a Neo4j deployment, or `FILE` that exists already.

pub mod extract;
pub mod manifest;
pub mod write;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use honestly_core::audit::{Actor, AuditEvent, AuditLog, Outcome};
use honestly_core::config::{environment_with_dotenv, DataLocation, DatabaseUrl};
use honestly_core::error::chain;

/// Where to write the backup.
#[derive(Args)]
pub struct BackupArgs {
    /// The archive to write (it must not exist yet); created readable by its owner only.
    #[arg(long)]
    out: PathBuf,
}

/// The database path of a SQLite deployment, or the reason there is none (exit status 2).
pub fn sqlite_location() -> Result<(DataLocation, PathBuf), ExitCode> {
    let location = match DataLocation::from_vars(&environment_with_dotenv()) {
        Ok(location) => location,
        Err(problems) => return Err(super::config::report_problems(&problems)),
    };
    match &location.database {
        DatabaseUrl::Sqlite(path) => {
            let path = path.clone();
            Ok((location, path))
        }
        DatabaseUrl::Neo4j(_) => {
            eprintln!(
                "error: DATABASE_URL selects Neo4j: back it up with neo4j-admin (see docs/deployment.md, \
                 \"Backup and restore\"); honestly backup and restore work on the SQLite store"
            );
            Err(ExitCode::from(2))
        }
    }
}

/// Runs `honestly backup`.
pub fn run(args: BackupArgs) -> ExitCode {
    let (location, database) = match sqlite_location() {
        Ok(found) => found,
        Err(code) => return code,
    };
    if !database.is_file() {
        eprintln!("error: there is no database at {} (check DATA_DIR and DATABASE_URL)", database.display());
        return ExitCode::from(2);
    }
    super::store_access::with_store(|_config, store| async move {
        // Created before anything is copied (never over an existing file).
        let out = match write::new_private_file(&args.out) {
            Ok(out) => out,
            Err(e) => {
                eprintln!("error: cannot create {}: {e}", args.out.display());
                return ExitCode::from(2);
            }
        };
        let audit = AuditLog::start(store);
        let out_path = args.out.clone();
        let written = tokio::task::spawn_blocking(move || {
            let sources = write::Sources { database: &database, data_dir: &location.data_dir };
            write::write_backup(&sources, out, &out_path)
        })
        .await
        .map_err(anyhow::Error::from)
        .and_then(|r| r);
        let code = report(&audit, &args.out, written);
        if let Err(e) = audit.flush().await {
            eprintln!("warning: the audit trail was not written: {}", chain(&e));
        }
        code
    })
}

/// Prints and audits the outcome; a failed backup leaves no file behind.
fn report(audit: &AuditLog, out: &Path, written: anyhow::Result<manifest::Manifest>) -> ExitCode {
    match written {
        Ok(manifest) => {
            let database = manifest.file(manifest::DATABASE).map(|f| f.sha256.clone()).unwrap_or_default();
            audit.record(AuditEvent::new(Actor::Cli, "data.backup", Outcome::Success).reason(format!(
                "{} file(s), database copied at {}, sha256 {database}",
                manifest.files.len(),
                manifest.created_at
            )));
            println!(
                "backup written to {} ({} files, database as of {})",
                out.display(),
                manifest.files.len(),
                manifest.created_at
            );
            if !manifest.database.key_versions.is_empty() {
                println!(
                    "the documents need the master key version(s) {}: keep VAULT_MASTER_KEY apart from this file",
                    manifest.database.key_versions.join(", ")
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = std::fs::remove_file(out);
            audit.record(AuditEvent::new(Actor::Cli, "data.backup", Outcome::Error).reason(format!("{e:#}")));
            eprintln!("error: the backup failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}
