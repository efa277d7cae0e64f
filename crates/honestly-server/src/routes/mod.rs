//! Handlers, one file per area.

pub mod auth;
pub mod docs;
pub mod fallback;
pub mod monitoring;
pub mod testing;
