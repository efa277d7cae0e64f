//! `honestly export --username NAME --output FILE`: everything of one account in the archive
//! `GET /vault/export` serves (for an operator answering a request for one's data), written to
//! a new file only its owner can read. The export is written to the audit trail (actor `cli`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use honestly_core::audit::{Actor, AuditLog};
use honestly_core::auth::Username;
use honestly_core::config::Config;
use honestly_core::cpu::CpuPool;
use honestly_core::crypto::vault::VaultKeys;
use honestly_core::documents::DocumentService;
use honestly_core::error::chain;
use honestly_core::export::{ExportDeps, ExportService};
use honestly_core::ratelimit::MemoryRateLimiter;
use honestly_core::registry::Registry;
use honestly_core::store::Store;
use secrecy::ExposeSecret;
use tokio::io::AsyncWriteExt;

/// What to export, and where.
#[derive(Args)]
pub struct ExportArgs {
    /// The account's username.
    #[arg(long)]
    username: String,
    /// The ZIP file to write (it must not exist yet).
    #[arg(long)]
    output: PathBuf,
}

/// Runs `honestly export`.
pub fn run(args: ExportArgs) -> ExitCode {
    let username = match Username::parse(&args.username) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("error: username {e}");
            return ExitCode::from(2);
        }
    };
    super::store_access::with_store(|config, store| async move {
        let audit = AuditLog::start(Arc::clone(&store));
        let code = export(&config, store, &audit, &username, &args.output).await;
        if let Err(e) = audit.flush().await {
            eprintln!("warning: the audit trail was not written: {}", chain(&e));
        }
        code
    })
}

async fn export(
    config: &Config,
    store: Arc<dyn Store>,
    audit: &AuditLog,
    username: &Username,
    output: &Path,
) -> ExitCode {
    let account = match store.user_by_username(&username.canonical()).await {
        Ok(Some(record)) => record.user,
        Ok(None) => {
            eprintln!("error: there is no account named {username}");
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("error: {}", chain(&e));
            return ExitCode::FAILURE;
        }
    };
    let keys = match VaultKeys::parse(config.secrets.vault_master_key.expose_secret()) {
        Ok(keys) => Arc::new(keys),
        Err(e) => {
            eprintln!("error: VAULT_MASTER_KEY: {e}");
            return ExitCode::from(2);
        }
    };
    let registry = match Registry::load(Arc::clone(&store)).await {
        Ok(registry) => Arc::new(registry),
        Err(e) => {
            eprintln!("error: {}", chain(&e));
            return ExitCode::FAILURE;
        }
    };
    let cpu = CpuPool::for_this_machine();
    let documents = Arc::new(DocumentService::new(
        Arc::clone(&store),
        keys,
        registry,
        cpu.clone(),
        config.document_cache_ttl,
    ));
    let service = Arc::new(ExportService::new(ExportDeps {
        store,
        documents,
        cpu,
        audit: audit.clone(),
        limiter: Arc::new(MemoryRateLimiter::new()),
    }));
    let mut file = match new_private_file(output).await {
        Ok(file) => file,
        Err(e) => {
            eprintln!("error: cannot create {}: {e}", output.display());
            return ExitCode::from(2);
        }
    };
    let written = async {
        let mut export = service.start(&account.id, Actor::Cli).await.map_err(|e| chain(&e))?;
        let mut bytes = 0u64;
        while let Some(chunk) = export.chunks.recv().await {
            let chunk = chunk.map_err(|e| chain(&e))?;
            file.write_all(&chunk).await.map_err(|e| format!("writing {}: {e}", output.display()))?;
            bytes += chunk.len() as u64;
        }
        file.sync_all().await.map_err(|e| format!("writing {}: {e}", output.display()))?;
        Ok::<_, String>(bytes)
    }
    .await;
    match written {
        Ok(bytes) => {
            println!(
                "exported {} ({}) to {} ({bytes} bytes)",
                account.username,
                account.id,
                output.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            // An unfinished archive is no export: leave nothing that looks like one.
            let _ = tokio::fs::remove_file(output).await;
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Creates `path`, which must not exist, readable and writable by its owner only.
async fn new_private_file(path: &Path) -> std::io::Result<tokio::fs::File> {
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path).await
}
