//! Credentials of schema 1 ("identity document"): the values they carry. Dates are integers
//! `YYYYMMDD` ([`date`], with the age rule in [`age`]), countries ISO 3166-1 numeric codes
//! ([`country`]).

pub mod age;
pub mod country;
pub mod country_table;
pub mod date;

pub use age::{age_on, has_reached_age};
pub use country::{Country, CountryError};
pub use date::{CalendarDate, DateError};
