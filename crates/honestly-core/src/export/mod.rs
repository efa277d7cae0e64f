//! Data export: everything of one account — its documents decrypted, their metadata, the
//! proofs, the share links (without tokens), the delegated agents (without secrets), the
//! timeline — in one ZIP archive with a manifest (`manifest.json`: the account, the export
//! time, and each file's description, size and SHA-256). The archive is written while it is
//! sent (see [`service`]), never held whole.

pub mod archive;
pub mod records;
pub mod service;

pub use service::{Export, ExportDeps, ExportError, ExportService};
