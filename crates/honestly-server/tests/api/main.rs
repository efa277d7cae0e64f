//! HTTP integration tests: each starts the real server on port 0 with a fresh data directory.

mod helpers;

mod auth;
mod auth_tokens;
mod conventions;
mod monitoring;
mod rate_limit;
