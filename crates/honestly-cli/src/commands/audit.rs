//! `honestly audit verify`: walk the stored audit chain and report the first broken link.
//! Exit 0 when the chain verifies, 1 when it is broken, 2 on configuration or store errors.

use std::process::ExitCode;

use clap::Subcommand;
use honestly_core::audit::{verify_chain, VerifyError};

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
    super::store_access::with_store(|_config, store| async move {
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
                eprintln!("error: cannot read the audit trail: {}", honestly_core::error::chain(&e));
                ExitCode::from(2)
            }
        }
    })
}
