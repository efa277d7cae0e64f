//! Log set-up: pretty lines in development, one JSON object per line in production.

use honestly_core::config::LogFormat;
use tracing_subscriber::EnvFilter;

/// Targets that are always off: the constraint-system libraries open a span per constraint
/// and format every linear combination into it, which turns a 50 ms proof into minutes.
const QUIET_TARGETS: &str =
    "gr1cs=off,r1cs=off,ark_relations=off,ark_r1cs_std=off,ark_groth16=off,ark_snark=off,ark_std=off";

/// Installs the global subscriber (once per process). `RUST_LOG` overrides `LOG_LEVEL`.
pub fn init(format: LogFormat, level: &str) {
    let base =
        std::env::var("RUST_LOG").ok().filter(|v| !v.trim().is_empty()).unwrap_or_else(|| level.to_string());
    let filter = EnvFilter::try_new(format!("{base},{QUIET_TARGETS}"))
        .unwrap_or_else(|_| EnvFilter::new(format!("info,{QUIET_TARGETS}")));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder =
        tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
}
