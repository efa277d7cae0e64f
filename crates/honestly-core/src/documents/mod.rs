//! Documents: encrypted at rest, owned by one user, registered in the registry tree on upload.

pub mod filename;
pub mod model;
pub mod service;

pub use model::{DocumentMeta, DocumentType, NewDocument};
pub use service::{DocumentError, DocumentService, Upload};
