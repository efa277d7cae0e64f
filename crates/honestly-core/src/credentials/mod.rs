//! Credentials of schema 1 ("identity document"): the values they carry. Dates are integers
//! `YYYYMMDD` ([`date`], with the age rule in [`age`]).

pub mod age;
pub mod date;

pub use age::{age_on, has_reached_age};
pub use date::{CalendarDate, DateError};
