//! `honestly config check`: print the effective configuration, secrets masked; non-zero exit
//! when something is wrong.

use std::process::ExitCode;

use honestly_core::config::{environment_with_dotenv, Config, ConfigProblem};

/// Prints every problem on stderr and returns the failure exit code.
pub fn report_problems(problems: &[ConfigProblem]) -> ExitCode {
    eprintln!("error: the configuration has {} problem(s):", problems.len());
    for problem in problems {
        eprintln!("  - {problem}");
    }
    ExitCode::from(2)
}

/// Loads, validates and prints the configuration.
pub fn check() -> ExitCode {
    match Config::load(&environment_with_dotenv()) {
        Ok(loaded) => {
            for (name, value) in loaded.config.describe() {
                println!("{name}={value}");
            }
            for warning in &loaded.warnings {
                eprintln!("warning: {warning}");
            }
            println!("configuration OK");
            ExitCode::SUCCESS
        }
        Err(problems) => report_problems(&problems),
    }
}
