//! Share links: a token (≥ 256 bits, shown once, stored as SHA-256) that lets anyone holding
//! it see a document's proof, metadata or content, within an expiry and an access budget.
//! Every view consumes one access in one atomic store operation; the cache never decides.

pub mod model;
pub mod service;

pub use model::{AccessLevel, NewLink, ShareLink};
pub use service::{qr_path, share_path, Access, LinkError, LinkService, Shared};
