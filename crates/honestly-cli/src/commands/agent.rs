//! `honestly agent sign`: the signature an agent sends in `X-AI-Signature`, for shell users.
//! Reads an envelope (stdin or `--file`), signs Python's `json.dumps(envelope,
//! sort_keys=True)` of it (or the raw bytes with `--raw`) with HMAC-SHA256 under the secret in
//! an environment variable, and prints the hex signature. Exit 0, or 2 on bad input.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use honestly_core::agents::signature::sign_hex;
use honestly_core::crypto::python_json::{parse, to_python_canonical};

/// AI-agent helpers.
#[derive(Subcommand)]
pub enum AgentCommand {
    /// Print the hex HMAC-SHA256 signature of an envelope.
    Sign {
        /// Read the envelope from this file instead of stdin.
        #[arg(long)]
        file: Option<PathBuf>,
        /// The environment variable holding the secret (its first comma-separated value is
        /// used). Secrets are never taken from the command line, where other users could see them.
        #[arg(long, default_value = "AI_AGENT_SECRET")]
        secret_env: String,
        /// Sign the bytes exactly as read instead of their canonical form.
        #[arg(long)]
        raw: bool,
    },
}

/// Runs an `agent` subcommand.
pub fn run(cmd: AgentCommand) -> ExitCode {
    match cmd {
        AgentCommand::Sign { file, secret_env, raw } => match sign(file, &secret_env, raw) {
            Ok(signature) => {
                println!("{signature}");
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::from(2)
            }
        },
    }
}

/// Largest envelope accepted (the server's JSON body limit).
const MAX_ENVELOPE_BYTES: u64 = 1024 * 1024;

fn sign(file: Option<PathBuf>, secret_env: &str, raw: bool) -> Result<String, String> {
    let vars = honestly_core::config::environment_with_dotenv();
    let secret = vars
        .get(secret_env)
        .and_then(|v| v.split(',').map(str::trim).find(|s| !s.is_empty()))
        .ok_or_else(|| format!("{secret_env} is not set"))?
        .to_string();
    let mut body = Vec::new();
    let read = match &file {
        Some(path) => std::fs::File::open(path)
            .and_then(|f| f.take(MAX_ENVELOPE_BYTES + 1).read_to_end(&mut body))
            .map_err(|e| format!("cannot read {}: {e}", path.display())),
        None => std::io::stdin()
            .take(MAX_ENVELOPE_BYTES + 1)
            .read_to_end(&mut body)
            .map_err(|e| format!("cannot read stdin: {e}")),
    };
    read?;
    if body.len() as u64 > MAX_ENVELOPE_BYTES {
        return Err("the envelope is larger than 1 MiB".into());
    }
    if raw {
        return Ok(sign_hex(secret.as_bytes(), &body));
    }
    let value = parse(&body).map_err(|e| format!("the envelope is not valid JSON: {e}"))?;
    Ok(sign_hex(secret.as_bytes(), to_python_canonical(&value).as_bytes()))
}
