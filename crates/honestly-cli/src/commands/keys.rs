//! `honestly keys rotate --new-key KEY`: re-encrypts every document (and every delegated agent's
//! secret) under a new master key,
//! with a progress bar; resumable and idempotent (see `honestly_core::rotation`).

use std::process::ExitCode;
use std::sync::Arc;

use clap::Subcommand;
use honestly_core::config::decode_key32;
use honestly_core::crypto::vault::VaultKeys;
use indicatif::{ProgressBar, ProgressStyle};
use secrecy::ExposeSecret;

/// Master-key management.
#[derive(Subcommand)]
pub enum KeysCommand {
    /// Re-encrypt every document under a new master key. The keys in VAULT_MASTER_KEY still
    /// decrypt; the new key becomes current. Afterwards set VAULT_MASTER_KEY to the new key
    /// (keeping the old one after a comma until every replica runs with the new one).
    Rotate {
        /// The new 32-byte key as 64 hex characters or base64; `-` reads it from stdin.
        #[arg(long)]
        new_key: String,
    },
}

fn read_new_key(arg: &str) -> Result<[u8; 32], String> {
    let text = if arg == "-" {
        // A key is 64 characters: a line of more than 1 KiB is refused without reading on.
        honestly_core::bounded::read_line(std::io::stdin().lock(), 1024, "stdin")
            .map_err(|e| e.to_string())?
            .trim()
            .to_string()
    } else {
        arg.trim().to_string()
    };
    decode_key32(&text).ok_or_else(|| "the new key must be 32 bytes as 64 hex characters or base64".into())
}

/// Runs a `keys` subcommand.
pub fn run(cmd: KeysCommand) -> ExitCode {
    let KeysCommand::Rotate { new_key } = cmd;
    let new_key = match read_new_key(&new_key) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    super::store_access::with_store(|config, store| async move {
        let keys = match VaultKeys::parse(config.secrets.vault_master_key.expose_secret()) {
            Ok(keys) => Arc::new(keys.with_current(new_key)),
            Err(e) => {
                eprintln!("error: VAULT_MASTER_KEY: {e}");
                return ExitCode::from(2);
            }
        };
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{spinner} re-encrypting [{bar:40}] {pos}/{len} documents ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        let version = keys.current_version().to_string();
        let result = honestly_core::rotation::rotate(
            std::sync::Arc::clone(&store),
            Arc::clone(&keys),
            |done, total| {
                bar.set_length(total);
                bar.set_position(done);
            },
        )
        .await;
        bar.finish_and_clear();
        let result = match result {
            Ok(count) => {
                honestly_core::rotation::rotate_agent_secrets(store, keys).await.map(|agents| (count, agents))
            }
            Err(e) => Err(e),
        };
        match result {
            Ok((count, agents)) => {
                println!(
                    "re-encrypted {count} document(s) and {agents} agent secret(s); everything is now under key version {version}"
                );
                println!("next: set VAULT_MASTER_KEY to the new key (old key after a comma until all replicas restarted)");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {}", honestly_core::error::chain(&e));
                eprintln!("nothing is lost: documents not yet re-encrypted are still readable; run the command again");
                ExitCode::FAILURE
            }
        }
    })
}
