//! Subcommands of the `honestly` binary.

pub mod config;
pub mod serve;
pub mod user;
pub mod zk;
