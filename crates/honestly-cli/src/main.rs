//! The `honestly` binary: `serve` (the default), `config check`, and the tools around the
//! vault. Each subcommand lives in its own module under `commands/`.

mod commands;

/// mimalloc returns freed memory to the system. With the default allocator, each argon2 hash
/// (19 MiB, freed right after) stayed resident per thread arena: a few hundred logins took the
/// process from 25 MiB to over 1 GiB.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Honestly — a personal proof vault.
#[derive(Parser)]
#[command(name = "honestly", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (the default when no subcommand is given).
    Serve,
    /// Inspect the configuration.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Zero-knowledge keys, proofs and verification.
    Zk {
        #[command(subcommand)]
        action: commands::zk::ZkCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        action: commands::audit::AuditCommand,
    },
    /// Master-key management (rotation).
    Keys {
        #[command(subcommand)]
        action: commands::keys::KeysCommand,
    },
    /// AI-agent helpers (request signatures).
    Agent {
        #[command(subcommand)]
        action: commands::agent::AgentCommand,
    },
    /// External issuers, offline: signing keys, credentials, revocation.
    Issuer {
        #[command(subcommand)]
        action: commands::issuer::IssuerCommand,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        action: commands::user::UserCommand,
    },
    /// Export everything of one account (documents decrypted, proofs, links, agents, timeline)
    /// into a ZIP archive, as `GET /vault/export` does.
    Export(commands::export::ExportArgs),
    /// Back up a SQLite deployment while it serves: a consistent copy of the database, the
    /// signing key and the zero-knowledge keys, in one archive with a manifest (no secrets).
    Backup(commands::backup::BackupArgs),
    /// Restore a backup into an empty `DATA_DIR`, after checking it whole.
    Restore(commands::restore::RestoreArgs),
}

#[derive(Subcommand)]
enum ConfigAction {
    /// Print the effective configuration (secrets masked); exit non-zero on problems.
    Check,
}

/// `DATA_DIR/zk`, without loading (or generating) the rest of the configuration.
fn zk_keys_dir() -> std::path::PathBuf {
    let vars = honestly_core::config::environment_with_dotenv();
    let data_dir = vars.get("DATA_DIR").map(|d| d.trim()).filter(|d| !d.is_empty()).unwrap_or("./data");
    std::path::Path::new(data_dir).join("zk")
}

/// `MAX_UPLOAD_BYTES` (1 byte to 1 GiB, default 10 MiB), without loading the rest of the
/// configuration: the largest document `honestly zk prove` reads.
fn max_document_bytes() -> u64 {
    const DEFAULT: u64 = 10 * 1024 * 1024;
    let vars = honestly_core::config::environment_with_dotenv();
    vars.get("MAX_UPLOAD_BYTES")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|b| (1..=1024 * 1024 * 1024).contains(b))
        .unwrap_or(DEFAULT)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => commands::serve::run(),
        Command::Config { action: ConfigAction::Check } => commands::config::check(),
        Command::User { action } => commands::user::run(action),
        Command::Issuer { action } => commands::issuer::run(action),
        Command::Export(args) => commands::export::run(args),
        Command::Backup(args) => commands::backup::run(args),
        Command::Restore(args) => commands::restore::run(args),
        Command::Agent { action } => commands::agent::run(action),
        Command::Keys { action } => commands::keys::run(action),
        Command::Audit { action } => commands::audit::run(action),
        Command::Zk { action } => commands::zk::run(action, &zk_keys_dir(), max_document_bytes()),
    }
}
