//! `honestly issuer create | list`: issuers hosted on this server, as `POST /issuers` and
//! `GET /issuers` manage them (the key is made here and sealed under the master key).

use std::process::ExitCode;
use std::sync::Arc;

use honestly_core::audit::{Actor, AuditEvent, AuditLog, Outcome};
use honestly_core::crypto::vault::VaultKeys;
use honestly_core::issuance::{IssuanceError, IssuanceService};
use secrecy::ExposeSecret;

/// Creates a hosted issuer named `name` and prints its id and public key.
pub fn create(name: &str) -> ExitCode {
    let name = name.to_owned();
    crate::commands::store_access::with_store(|config, store| async move {
        let keys = match VaultKeys::parse(config.secrets.vault_master_key.expose_secret()) {
            Ok(keys) => Arc::new(keys),
            Err(e) => {
                eprintln!("error: VAULT_MASTER_KEY: {e}");
                return ExitCode::from(super::REFUSED);
            }
        };
        let audit = AuditLog::start(Arc::clone(&store));
        let service = IssuanceService::new(store, keys);
        let code = match service.create_issuer(&name).await {
            Ok(issuer) => {
                audit.record(
                    AuditEvent::new(Actor::Cli, "issuer.create", Outcome::Success).target(issuer.id.as_str()),
                );
                println!(
                    "{}",
                    serde_json::json!({
                        "id": issuer.id.as_str(),
                        "name": issuer.name,
                        "public_key": {"x": issuer.public_key.x_decimal(), "y": issuer.public_key.y_decimal()},
                    })
                );
                ExitCode::SUCCESS
            }
            Err(IssuanceError::Validation(fields)) => {
                for (field, reason) in fields.into_map() {
                    eprintln!("error: {field} {reason}");
                }
                ExitCode::from(super::REFUSED)
            }
            Err(IssuanceError::Conflict(words)) => {
                eprintln!("error: {words}");
                ExitCode::from(super::REFUSED)
            }
            Err(e) => {
                eprintln!("error: {}", honestly_core::error::chain(&e));
                ExitCode::FAILURE
            }
        };
        if let Err(e) = audit.flush().await {
            eprintln!("warning: the audit trail was not written: {}", honestly_core::error::chain(&e));
        }
        code
    })
}

/// Lists the hosted issuers: id, name, created.
pub fn list() -> ExitCode {
    crate::commands::store_access::with_store(|_config, store| async move {
        match store.list_issuers(honestly_core::issuance::service::MAX_ISSUERS).await {
            Ok(issuers) => {
                println!("{:<36}  {:<20}  name", "id", "created_at");
                for issuer in issuers {
                    println!("{:<36}  {:<20}  {}", issuer.id, issuer.created_at.rfc3339(), issuer.name);
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {}", honestly_core::error::chain(&e));
                ExitCode::FAILURE
            }
        }
    })
}
