//! The domain of Honestly, without HTTP and without database drivers: configuration,
//! identifiers, the services, the storage traits ([`store::Store`]; the backends live in
//! `honestly-store`) and rate limiting. The server crate turns these into routes.

pub mod agents;
pub mod audit;
pub mod auth;
pub mod bounded;
pub mod clock;
pub mod config;
pub mod cpu;
pub mod credentials;
pub mod crypto;
pub mod documents;
pub mod error;
pub mod export;
pub mod ids;
pub mod issuance;
pub mod links;
pub mod private_fs;
pub mod proof_requests;
pub mod ratelimit;
pub mod registry;
pub mod request;
pub mod rotation;
pub mod store;
pub mod text_enum;
pub mod timeline;
pub mod webhooks;
pub mod zk;
