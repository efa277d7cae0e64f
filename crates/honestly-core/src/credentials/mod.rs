//! Credentials of schema 1 ("identity document"): the values they carry, `claimsHash` and the
//! JSON form holders store, export and import. Dates are integers `YYYYMMDD` ([`date`], with
//! the age rule in [`age`]), countries ISO 3166-1 numeric codes ([`country`]).
//! `docs/credential-format.md` describes the format.
//!
//! Signature verification goes through [`signature::SignatureCheck`], the hook the native
//! EdDSA-Poseidon verifier ([`native_eddsa::NativeEddsa`]) plugs into.
//!
//! For issuers: [`claim_input`] turns claims as a person writes them into [`Claims`];
//! [`issuer_key`] is an external issuer's key file; [`SignedState`] the signed revocation
//! state verifiers are given and [`revocation_file`] the file an external issuer keeps it in.

pub mod age;
pub mod claim_input;
pub mod claims;
pub mod country;
pub mod country_table;
pub mod credential;
pub mod date;
pub mod document_type;
#[cfg(test)]
mod interop_tests;
pub mod issuer_key;
pub mod json;
pub mod native_eddsa;
#[cfg(test)]
mod query_tests;
pub mod revocation_file;
pub mod serial;
pub mod signature;

pub use age::{age_on, has_reached_age};
pub use claim_input::{to_claims, ClaimInput, ClaimsFile, ClaimsFileError};
pub use claims::{Claims, CLAIM_NAMES, SCHEMA_IDENTITY_DOCUMENT};
pub use country::{Country, CountryError};
pub use credential::{Credential, CredentialIssuer};
pub use date::{CalendarDate, DateError};
pub use honestly_zk::revocation::{SignedState, SignedStateJsonError};
pub use issuer_key::{IssuerKeyFile, IssuerKeyFileError};
pub use json::{CredentialJsonError, MAX_CREDENTIAL_JSON_BYTES};
pub use native_eddsa::NativeEddsa;
pub use revocation_file::{RevocationFileError, RevocationStateFile};
pub use serial::CredentialSerial;
pub use signature::{field_decimal, IssuerPublicKey, IssuerSignature, SignatureCheck};
