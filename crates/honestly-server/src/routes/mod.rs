//! Handlers, one file per area.

pub mod agents;
pub mod ai;
pub mod auth;
pub mod docs;
pub mod documents;
pub mod fallback;
pub mod links;
pub mod monitoring;
pub mod proofs;
pub mod share;
pub mod share_page;
pub mod testing;
pub mod vault;
pub mod zkp;
