//! Credentials of schema 1 ("identity document"): the values they carry and `claimsHash`.
//! Dates are integers `YYYYMMDD` ([`date`], with the age rule in [`age`]), countries ISO
//! 3166-1 numeric codes ([`country`]).

pub mod age;
pub mod claims;
pub mod country;
pub mod country_table;
pub mod date;
pub mod document_type;
pub mod serial;

pub use age::{age_on, has_reached_age};
pub use claims::{Claims, CLAIM_NAMES, SCHEMA_IDENTITY_DOCUMENT};
pub use country::{Country, CountryError};
pub use date::{CalendarDate, DateError};
pub use serial::CredentialSerial;
