//! Tests of the `honestly` binary as an operator runs it: start-up checks, generated
//! development secrets, graceful shutdown, a start with no configuration at all.

mod process;

mod audit;
mod config;
mod keys;
mod logs;
mod schema_fuzz;
mod serve;
mod vault_proof;
