//! Credentials of schema 1 ("identity document"): the values they carry, `claimsHash` and the
//! JSON form holders store, export and import. Dates are integers `YYYYMMDD` ([`date`], with
//! the age rule in [`age`]), countries ISO 3166-1 numeric codes ([`country`]).
//! `docs/credential-format.md` describes the format.
//!
//! Signature verification is not here: [`signature::SignatureCheck`] is the hook the native
//! EdDSA-Poseidon verifier plugs into.

pub mod age;
pub mod claims;
pub mod country;
pub mod country_table;
pub mod credential;
pub mod date;
pub mod document_type;
#[cfg(test)]
mod interop_tests;
pub mod json;
#[cfg(test)]
mod query_tests;
pub mod serial;
pub mod signature;

pub use age::{age_on, has_reached_age};
pub use claims::{Claims, CLAIM_NAMES, SCHEMA_IDENTITY_DOCUMENT};
pub use country::{Country, CountryError};
pub use credential::{Credential, CredentialIssuer};
pub use date::{CalendarDate, DateError};
pub use json::{CredentialJsonError, MAX_CREDENTIAL_JSON_BYTES};
pub use serial::CredentialSerial;
pub use signature::{IssuerPublicKey, IssuerSignature, SignatureCheck};
