//! `honestly serve`: load the configuration, start the server, stop gracefully on a signal.

use std::process::ExitCode;

use honestly_core::config::{environment_with_dotenv, Config};
use honestly_server::{shutdown_signal, telemetry, Application};

/// Runs the server until SIGINT/SIGTERM.
pub fn run() -> ExitCode {
    let loaded = match Config::load(&environment_with_dotenv()) {
        Ok(loaded) => loaded,
        Err(problems) => return super::config::report_problems(&problems),
    };
    let config = loaded.config;
    telemetry::init(config.log_format, &config.log_level);
    for warning in &loaded.warnings {
        tracing::warn!("{warning}");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let environment = config.environment.as_str();
        let app = match Application::build(config).await {
            Ok(app) => app,
            Err(e) => {
                tracing::error!("cannot start: {e:#}");
                return ExitCode::FAILURE;
            }
        };
        tracing::info!(address = %app.local_addr(), environment, "honestly is listening");
        match app.run_until(shutdown_signal()).await {
            Ok(()) => {
                tracing::info!("stopped cleanly");
                ExitCode::SUCCESS
            }
            Err(e) => {
                tracing::error!("server error: {e}");
                ExitCode::FAILURE
            }
        }
    })
}
