//! Subcommands of the `honestly` binary.

pub mod agent;
pub mod audit;
pub mod backup;
pub mod config;
pub mod export;
pub mod issuer;
pub mod keys;
pub mod restore;
pub mod serve;
pub mod store_access;
pub mod user;
pub mod zk;
