//! Tests of the `honestly` binary as an operator runs it: start-up checks, generated
//! development secrets, graceful shutdown, a start with no configuration at all.

mod agent_client;
mod process;

mod agent;
mod audit;
mod backup;
mod config;
mod crash;
mod export;
mod issuer;
mod keys;
mod logs;
mod neo4j_outage;
mod openapi_client;
mod registry;
mod replicas;
mod schema_fuzz;
mod serve;
mod users;
mod vault_proof;
mod webhook_crash;
