//! Handlers, one file per area. Each area exports its router, built from its handlers'
//! `#[utoipa::path]` declarations, so a route's path and its OpenAPI operation are written
//! once; `crate::app` assembles the areas.

pub mod admin;
pub mod ai;
pub mod auth;
pub mod credential_proofs;
pub mod credential_requests;
pub mod credentials;
pub mod docs;
pub mod documents;
pub mod export;
pub mod fallback;
pub mod issuance_views;
pub mod issuer_console;
pub mod issuers;
pub mod links;
pub mod monitoring;
pub mod proof_request_deliveries;
pub mod proof_request_views;
pub mod proof_requests;
pub mod proofs;
pub mod request_answers;
pub mod share;
pub mod share_page;
pub mod testing;
pub mod vault;
pub mod webhooks;
pub mod zkp;
