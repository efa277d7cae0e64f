//! The domain of Honestly, without HTTP: configuration, identifiers, storage behind the
//! [`store::Store`] trait, and rate limiting. The server crate turns these into routes.

pub mod agents;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod config;
pub mod cpu;
pub mod crypto;
pub mod documents;
pub mod ids;
pub mod keys;
pub mod links;
pub mod ratelimit;
pub mod registry;
pub mod shared;
pub mod store;
pub mod timeline;
pub mod zk;
