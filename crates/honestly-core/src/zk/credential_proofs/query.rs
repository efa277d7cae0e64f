//! The verifier's question about a credential, as the API's `query` object takes it, and the
//! `credential_query` parameters it becomes.

use honestly_zk::circuits::credential_query::QueryParams;
use honestly_zk::circuits::predicates::{
    NATIONALITY_IN, NATIONALITY_LIST_LEN, NATIONALITY_NONE, NATIONALITY_NOT_IN,
};
use honestly_zk::eddsa::PublicKey;
use honestly_zk::Fr;
use serde::{Deserialize, Serialize};

use crate::credentials::{CalendarDate, Country};
use crate::error::FieldErrors;

/// The largest `min_age` a query may ask, in years.
pub const MAX_MIN_AGE: u64 = 150;

/// The most countries a nationality list may hold (the circuit's list size).
pub const MAX_NATIONALITIES: usize = NATIONALITY_LIST_LEN;

/// The only value `disclose` may list.
const DISCLOSE_NATIONALITY: &str = "nationality";

/// A country as a query names it: an ISO 3166-1 numeric code (`276`) or a text code
/// (`"DEU"`, `"DE"`, `"276"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CountryInput {
    /// A numeric code.
    Numeric(u64),
    /// An alpha-3, alpha-2 or numeric code as text.
    Text(String),
}

impl CountryInput {
    fn country(&self) -> Result<Country, String> {
        let parsed = match self {
            CountryInput::Numeric(code) => Country::from_numeric(*code),
            CountryInput::Text(text) => Country::parse(text),
        };
        match parsed {
            Ok(country) if country.is_stated() => Ok(country),
            Ok(_) => Err("0 (not stated) is not a country".into()),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// What a verifier asks of a credential (`query` in the API): every predicate is optional;
/// an empty query proves only that the holder has a valid, unrevoked credential of the issuer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialQuery {
    /// The holder is at least this many years old (1 to [`MAX_MIN_AGE`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_age: Option<u64>,
    /// The attested document has not expired (or has no expiry) on the reference date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_expired: Option<bool>,
    /// The nationality is one of these countries (1 to [`MAX_NATIONALITIES`], distinct).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality_in: Option<Vec<CountryInput>>,
    /// The nationality is none of these countries (1 to [`MAX_NATIONALITIES`], distinct).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality_not_in: Option<Vec<CountryInput>>,
    /// Claims revealed in the proof: only `"nationality"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclose: Option<Vec<String>>,
}

/// The nationality predicate of a validated query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NationalityRule {
    /// Not asked.
    Any,
    /// The nationality is one of these.
    In(Vec<Country>),
    /// The nationality is none of these.
    NotIn(Vec<Country>),
}

/// A validated query: the predicates the circuit checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Predicates {
    /// Years, 0 = not asked.
    pub min_age: u64,
    /// Whether the document must not have expired.
    pub not_expired: bool,
    /// The nationality rule.
    pub nationality: NationalityRule,
    /// Whether the nationality is disclosed.
    pub disclose_nationality: bool,
}

/// Reads a nationality list, noting problems under `field`.
fn countries(list: &[CountryInput], field: &str, errors: &mut FieldErrors) -> Vec<Country> {
    if list.is_empty() || list.len() > MAX_NATIONALITIES {
        errors.add(field, format!("must list 1 to {MAX_NATIONALITIES} countries"));
        return Vec::new();
    }
    let mut out = Vec::with_capacity(list.len());
    for (i, entry) in list.iter().enumerate() {
        match entry.country() {
            Ok(country) if out.contains(&country) => {
                errors.add(format!("{field}[{i}]"), "lists a country twice");
            }
            Ok(country) => out.push(country),
            Err(reason) => errors.add(format!("{field}[{i}]"), reason),
        }
    }
    out
}

impl CredentialQuery {
    /// Validates the query; refusals are named `query.<field>` (`query.nationality_in[2]`
    /// for one entry of a list).
    pub fn predicates(&self) -> Result<Predicates, FieldErrors> {
        let mut errors = FieldErrors::new();
        let min_age = match self.min_age {
            Some(years) if !(1..=MAX_MIN_AGE).contains(&years) => {
                errors.add("query.min_age", format!("must be between 1 and {MAX_MIN_AGE}"));
                0
            }
            Some(years) => years,
            None => 0,
        };
        let nationality = match (&self.nationality_in, &self.nationality_not_in) {
            (Some(_), Some(_)) => {
                errors.add("query.nationality_not_in", "cannot be combined with nationality_in");
                NationalityRule::Any
            }
            (Some(list), None) => NationalityRule::In(countries(list, "query.nationality_in", &mut errors)),
            (None, Some(list)) => {
                NationalityRule::NotIn(countries(list, "query.nationality_not_in", &mut errors))
            }
            (None, None) => NationalityRule::Any,
        };
        let disclose = self.disclose.as_deref().unwrap_or_default();
        if disclose.iter().any(|claim| claim != DISCLOSE_NATIONALITY) {
            errors.add("query.disclose", "may only list \"nationality\"");
        } else if disclose.len() > 1 {
            errors.add("query.disclose", "lists \"nationality\" twice");
        }
        errors.into_result()?;
        Ok(Predicates {
            min_age,
            not_expired: self.not_expired.unwrap_or(false),
            nationality,
            disclose_nationality: !disclose.is_empty(),
        })
    }

    /// The circuit's public parameters for this query (validated first) about a credential
    /// of `issuer`, against `revocation_root`, on `reference_date`, bound to `scope` and
    /// `nonce`.
    pub fn to_params(
        &self,
        issuer: PublicKey,
        revocation_root: Fr,
        reference_date: CalendarDate,
        scope: Fr,
        nonce: Fr,
    ) -> Result<QueryParams, FieldErrors> {
        Ok(self.predicates()?.to_params(issuer, revocation_root, reference_date, scope, nonce))
    }
}

impl Predicates {
    /// The circuit's public parameters (see [`CredentialQuery::to_params`]).
    pub fn to_params(
        &self,
        issuer: PublicKey,
        revocation_root: Fr,
        reference_date: CalendarDate,
        scope: Fr,
        nonce: Fr,
    ) -> QueryParams {
        let (nationality_mode, list) = match &self.nationality {
            NationalityRule::Any => (NATIONALITY_NONE, &[][..]),
            NationalityRule::In(list) => (NATIONALITY_IN, list.as_slice()),
            NationalityRule::NotIn(list) => (NATIONALITY_NOT_IN, list.as_slice()),
        };
        let mut nationality_list = [0u64; NATIONALITY_LIST_LEN];
        for (slot, country) in nationality_list.iter_mut().zip(list) {
            *slot = u64::from(country.numeric());
        }
        QueryParams {
            issuer,
            revocation_root,
            reference_date: u64::from(reference_date.yyyymmdd()),
            min_age: self.min_age,
            not_expired: self.not_expired,
            nationality_mode,
            nationality_list,
            disclose_nationality: self.disclose_nationality,
            scope,
            nonce,
        }
    }
}
