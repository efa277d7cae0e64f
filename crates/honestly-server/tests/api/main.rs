//! HTTP integration tests: each starts the real server on port 0 with a fresh data directory.

mod agent_support;
mod browser;
mod helpers;
mod redis_support;
#[allow(dead_code)]
#[path = "../webhooks/support.rs"]
mod webhook_support;

mod accounts;
mod age_v2;
mod ai;
mod ai_python;
mod ai_replay;
mod audit;
mod auth;
mod auth_tokens;
mod conventions;
mod credential_proofs;
mod documents;
mod erasure;
mod expectations;
mod export;
mod files;
mod issuance;
mod monitoring;
mod no_store;
mod proof_requests;
mod proofs;
mod rate_limit;
mod redis;
mod request_webhooks;
mod share;
mod share_page;
mod share_page_browser;
mod share_passphrase;
mod verify_batching;
mod webapp;
mod webapp_admin;
mod webapp_browser;
mod webapp_consoles;
mod webapp_forms;
mod webapp_holder;
mod webapp_once;
mod webapp_script;
mod webapp_support;
mod webhook_secrets;
