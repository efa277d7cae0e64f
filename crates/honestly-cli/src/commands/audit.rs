//! `honestly audit verify`: walk the stored audit chain and report the first broken link.
//! Exit 0 when the chain verifies, 1 when it is broken, 2 on configuration or store errors.

use std::process::ExitCode;

use clap::Subcommand;
use honestly_core::audit::{verify_chain, VerifyError};
use honestly_core::config::{environment_with_dotenv, Config};

/// The audit trail.
#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check that no stored event was altered, removed from the middle or reordered.
    Verify,
}

/// Runs an `audit` subcommand.
pub fn run(cmd: AuditCommand) -> ExitCode {
    match cmd {
        AuditCommand::Verify => verify(),
    }
}

fn verify() -> ExitCode {
    let config = match Config::load(&environment_with_dotenv()) {
        Ok(loaded) => loaded.config,
        Err(problems) => return super::config::report_problems(&problems),
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(async move {
        let store = match honestly_core::store::open(&config).await {
            Ok(store) => store,
            Err(e) => {
                eprintln!("error: cannot open the store: {e:#}");
                return ExitCode::from(2);
            }
        };
        match verify_chain(&*store).await {
            Ok(report) => {
                println!("audit chain OK: {} events", report.events);
                if report.events > 0 {
                    println!("last hash: {}", report.last_hash);
                }
                ExitCode::SUCCESS
            }
            Err(VerifyError::Broken(broken)) => {
                println!("audit chain BROKEN at seq {} (event {}): {}", broken.seq, broken.id, broken.reason);
                ExitCode::FAILURE
            }
            Err(VerifyError::Store(e)) => {
                eprintln!("error: cannot read the audit trail: {e}");
                ExitCode::from(2)
            }
        }
    })
}
