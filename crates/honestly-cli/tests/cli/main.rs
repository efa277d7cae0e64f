//! Tests of the `honestly` binary as an operator runs it: start-up checks, generated
//! development secrets, graceful shutdown, a start with no configuration at all.

mod process;

mod config;
mod logs;
mod serve;
