//! `honestly issuer …`: issuers hosted on this server (`create`, `list`, with the server's
//! configuration and store), and the tools of an external issuer, offline: make a signing key
//! (`keygen`), sign a credential for a holder (`sign`), revoke credentials and sign the
//! revocation state verifiers are given (`revoke`, `state`). The file formats live in
//! `honestly_core::credentials` (`docs/credential-format.md`); these commands only read and
//! write the files.
//!
//! Exit codes: 0 on success, 2 on any refusal (bad arguments, unreadable or refused files,
//! an output file that already exists); the reason is printed on stderr, nothing is written.

mod files;
mod hosted;
mod keygen;
mod revoke;
mod sign;

use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code of a refusal.
const REFUSED: u8 = 2;

/// `honestly issuer` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum IssuerCommand {
    /// Create an issuer hosted on this server (as `POST /issuers`): its signing key is made
    /// here and sealed under the vault master key. Prints its id and public key as JSON; make
    /// members with `honestly user create --role issuer --issuer ID`.
    Create {
        /// 1 to 128 characters, unique on this server.
        #[arg(long)]
        name: String,
    },
    /// List the issuers hosted on this server.
    List,
    /// Make a fresh EdDSA-Poseidon (Baby Jubjub) signing key with the operating system's
    /// random generator; writes the key file (mode 0600, never over an existing file) and
    /// prints the public key as JSON.
    Keygen {
        /// The key file to create.
        #[arg(long)]
        out: PathBuf,
        /// The issuer's name, written into the credentials the key signs (1 to 128 characters).
        #[arg(long)]
        name: Option<String>,
        /// The issuer's id on a Honestly server (`iss_` and 32 hex digits), if it has one.
        #[arg(long)]
        id: Option<String>,
    },
    /// Sign a credential (schema 1) for a holder: writes the credential JSON (mode 0600, never
    /// over an existing file; `--out -` prints it).
    Sign {
        /// The issuer key file.
        #[arg(long)]
        key: PathBuf,
        /// The claims file: birth_date, nationality, document_expiry, document_sha256 and,
        /// optionally, document_type, issued_at, valid_until.
        #[arg(long)]
        claims: PathBuf,
        /// The holder's commitment (a decimal number), as `GET /vault/holder` returns it.
        #[arg(long)]
        holder: String,
        /// The credential file to create, or `-` for stdout.
        #[arg(long)]
        out: PathBuf,
    },
    /// Revoke credentials: adds their ids to the revocation state file (created when
    /// missing; revoking twice changes nothing), signs a fresh state and prints it.
    Revoke {
        /// The issuer key file.
        #[arg(long)]
        key: PathBuf,
        /// The revocation state file.
        #[arg(long)]
        state: PathBuf,
        /// A credential file to revoke (repeatable).
        #[arg(long = "credential")]
        credentials: Vec<PathBuf>,
        /// A credentialId to revoke, decimal (repeatable).
        #[arg(long = "id")]
        ids: Vec<String>,
    },
    /// Sign the revocation state again, unchanged but dated now (verifiers refuse old
    /// states), and print it; the state file is created when missing.
    State {
        /// The issuer key file.
        #[arg(long)]
        key: PathBuf,
        /// The revocation state file.
        #[arg(long)]
        state: PathBuf,
    },
}

/// Runs an `issuer` subcommand.
pub fn run(cmd: IssuerCommand) -> ExitCode {
    let result = match cmd {
        IssuerCommand::Create { name } => return hosted::create(&name),
        IssuerCommand::List => return hosted::list(),
        IssuerCommand::Keygen { out, name, id } => keygen::run(&out, name.as_deref(), id.as_deref()),
        IssuerCommand::Sign { key, claims, holder, out } => sign::run(&key, &claims, &holder, &out),
        IssuerCommand::Revoke { credentials, ids, .. } if credentials.is_empty() && ids.is_empty() => {
            Err("give at least one --credential or --id (`honestly issuer state` signs the state again)"
                .into())
        }
        IssuerCommand::Revoke { key, state, credentials, ids } => {
            revoke::run(&key, &state, &revoke::Targets { credentials: &credentials, ids: &ids })
        }
        IssuerCommand::State { key, state } => {
            revoke::run(&key, &state, &revoke::Targets { credentials: &[], ids: &[] })
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(REFUSED)
        }
    }
}
