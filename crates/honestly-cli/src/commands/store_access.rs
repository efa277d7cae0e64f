//! For commands that work on the data directly (users, keys, audit): load the configuration,
//! start a runtime, open the store, run the command's work. Configuration problems and a store
//! that cannot be opened exit with status 2, with the reason on stderr.

use std::future::Future;
use std::process::ExitCode;
use std::sync::Arc;

use honestly_core::config::{environment_with_dotenv, Config};
use honestly_core::store::Store;

/// Runs `work` with the configuration and the opened store.
pub fn with_store<F, Fut>(work: F) -> ExitCode
where
    F: FnOnce(Config, Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ExitCode>,
{
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
        match honestly_store::open(&config).await {
            Ok(store) => work(config, store).await,
            Err(e) => {
                eprintln!("error: cannot open the store: {e:#}");
                ExitCode::from(2)
            }
        }
    })
}
