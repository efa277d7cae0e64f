//! The domain of Honestly, without HTTP: configuration, identifiers, storage behind the
//! [`store::Store`] trait, and rate limiting. The server crate turns these into routes.

pub mod auth;
pub mod clock;
pub mod config;
pub mod cpu;
pub mod ids;
pub mod ratelimit;
pub mod store;
