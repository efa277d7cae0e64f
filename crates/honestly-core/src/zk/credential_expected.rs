//! The expectations of `credential_query` proofs as a verifier writes them in `expected`
//! (JSON values), and their strict reading into checkable values, every refusal naming its
//! field (`expected.nationality_in[2]`).

use std::collections::HashSet;

use honestly_zk::eddsa::{PublicKey, Signature};
use honestly_zk::expect::credential::DEFAULT_REFERENCE_DATE_TOLERANCE_DAYS;
use honestly_zk::revocation::{SignedState, DEFAULT_MAX_AGE_SECS};
use honestly_zk::{fr_from_decimal, Fr};

use super::credential_proofs::{nonce_field, scope_field};
use super::expected::{CountryCode, Expected, RevocationStateJson, TrustedIssuer};
use crate::credentials::Country;
use crate::error::FieldErrors;

/// The most issuers one `trusted_issuers` list names.
pub const MAX_TRUSTED_ISSUERS: usize = 32;
/// The most countries one nationality list names (the circuit's list length).
pub const MAX_NATIONALITIES: usize = honestly_zk::circuits::predicates::NATIONALITY_LIST_LEN;
/// The largest `reference_date_tolerance_days`.
pub const MAX_REFERENCE_DATE_TOLERANCE_DAYS: u64 = 7;
/// The smallest `max_revocation_age_seconds` (one minute).
pub const MIN_REVOCATION_AGE_SECONDS: u64 = 60;
/// The largest `max_revocation_age_seconds` (30 days).
pub const MAX_REVOCATION_AGE_SECONDS: u64 = 30 * 24 * 3600;

/// An issuer of `trusted_issuers`, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssuerRef {
    /// An id to resolve through the issuer directory.
    Id(String),
    /// A key given as it is.
    Key(PublicKey),
}

/// The `credential_query` expectations of an [`Expected`], read and checked; issuer ids are
/// still to be resolved and the revocation state may be missing (the directory supplies the
/// issuer's current one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialAsk {
    /// The trusted issuers, when given.
    pub trusted_issuers: Option<Vec<IssuerRef>>,
    /// The least `minAge`.
    pub min_age: Option<u64>,
    /// Whether `notExpired` must be shown.
    pub not_expired: bool,
    /// The countries the nationality must be among.
    pub nationality_in: Option<Vec<Country>>,
    /// The countries the nationality must not be.
    pub nationality_not_in: Option<Vec<Country>>,
    /// Whether the nationality must be disclosed.
    pub disclose_nationality: bool,
    /// The scope's field element.
    pub scope: Option<Fr>,
    /// The nonce's field element.
    pub nonce: Option<Fr>,
    /// Days the reference date may lie from today.
    pub reference_date_tolerance_days: u64,
    /// The revocation state the verifier gave.
    pub revocation: Option<SignedState>,
    /// The oldest revocation state accepted, in seconds.
    pub max_revocation_age_seconds: u64,
}

/// Whether `raw` has the form of an issuer id: `iss_` and 32 lower-case hex digits.
fn is_issuer_id(raw: &str) -> bool {
    raw.strip_prefix("iss_")
        .is_some_and(|rest| rest.len() == 32 && rest.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

/// Reads the `credential_query` expectations of `expected`; every malformed value is refused,
/// named `{prefix}{field}` (`expected.trusted_issuers[1]`, `expected.revocation_state.root`).
/// Values that are only wrong for another proof type (an age proof given `scope`) are refused
/// by `coverage`, not here.
pub fn read_credential_ask(expected: &Expected, prefix: &str) -> Result<CredentialAsk, FieldErrors> {
    let mut errors = FieldErrors::new();
    let field = |name: &str| format!("{prefix}{name}");
    let trusted_issuers = expected.trusted_issuers.as_deref().map(|list| {
        if list.is_empty() {
            errors.add(field("trusted_issuers"), "must name at least one issuer (an id or a key)");
        }
        if list.len() > MAX_TRUSTED_ISSUERS {
            errors.add(field("trusted_issuers"), format!("at most {MAX_TRUSTED_ISSUERS} issuers"));
            return Vec::new();
        }
        list.iter()
            .enumerate()
            .filter_map(|(i, issuer)| match read_issuer(issuer) {
                Ok(read) => Some(read),
                Err(reason) => {
                    errors.add(field(&format!("trusted_issuers[{i}]")), reason);
                    None
                }
            })
            .collect()
    });
    let mut countries = |name: &str, list: Option<&[CountryCode]>| {
        list.map(|list| read_countries(list, &field(name), &mut errors))
    };
    let nationality_in = countries("nationality_in", expected.nationality_in.as_deref());
    let nationality_not_in = countries("nationality_not_in", expected.nationality_not_in.as_deref());
    if nationality_in.is_some() && nationality_not_in.is_some() {
        errors.add(
            field("nationality_not_in"),
            "cannot be asked together with nationality_in: a proof shows one of the two",
        );
    }
    let disclose_nationality = read_disclose(expected.disclose.as_deref(), &field("disclose"), &mut errors);
    let mut text_field = |name: &str, text: Option<&str>, map: fn(&str) -> Result<Fr, FieldErrors>| {
        text.and_then(|text| match map(text) {
            Ok(element) => Some(element),
            Err(refused) => {
                for (_, reason) in refused.into_map() {
                    errors.add(field(name), reason);
                }
                None
            }
        })
    };
    let scope = text_field("scope", expected.scope.as_deref(), scope_field);
    let nonce = text_field("nonce", expected.nonce.as_deref(), nonce_field);
    let tolerance = expected.reference_date_tolerance_days.unwrap_or(DEFAULT_REFERENCE_DATE_TOLERANCE_DAYS);
    if tolerance > MAX_REFERENCE_DATE_TOLERANCE_DAYS {
        errors.add(
            field("reference_date_tolerance_days"),
            format!("must be 0 to {MAX_REFERENCE_DATE_TOLERANCE_DAYS} days"),
        );
    }
    let max_age = expected.max_revocation_age_seconds.unwrap_or(DEFAULT_MAX_AGE_SECS);
    if !(MIN_REVOCATION_AGE_SECONDS..=MAX_REVOCATION_AGE_SECONDS).contains(&max_age) {
        errors.add(
            field("max_revocation_age_seconds"),
            format!("must be {MIN_REVOCATION_AGE_SECONDS} to {MAX_REVOCATION_AGE_SECONDS} seconds (30 days)"),
        );
    }
    let revocation = expected.revocation_state.as_ref().and_then(|state| {
        read_state(state)
            .map_err(|(name, reason)| errors.add(field(&format!("revocation_state.{name}")), reason))
            .ok()
    });
    errors.into_result()?;
    Ok(CredentialAsk {
        trusted_issuers,
        min_age: expected.min_age,
        not_expired: expected.not_expired.unwrap_or(false),
        nationality_in,
        nationality_not_in,
        disclose_nationality,
        scope,
        nonce,
        reference_date_tolerance_days: tolerance,
        revocation,
        max_revocation_age_seconds: max_age,
    })
}

fn read_issuer(issuer: &TrustedIssuer) -> Result<IssuerRef, String> {
    match issuer {
        TrustedIssuer::Id(id) if is_issuer_id(id) => Ok(IssuerRef::Id(id.clone())),
        TrustedIssuer::Id(_) => {
            Err("must be an issuer id (iss_ and 32 lower-case hex digits) or a public key {x, y}".to_owned())
        }
        TrustedIssuer::Key(point) => PublicKey::from_decimal(&point.x, &point.y)
            .map(IssuerRef::Key)
            .map_err(|e| format!("not an issuer public key: {e}")),
    }
}

fn read_countries(list: &[CountryCode], name: &str, errors: &mut FieldErrors) -> Vec<Country> {
    if list.is_empty() || list.len() > MAX_NATIONALITIES {
        errors.add(name, format!("must list 1 to {MAX_NATIONALITIES} countries"));
        return Vec::new();
    }
    let mut seen = HashSet::new();
    let mut read = Vec::with_capacity(list.len());
    for (i, code) in list.iter().enumerate() {
        let country = match code {
            CountryCode::Numeric(n) => Country::from_numeric(*n),
            CountryCode::Text(text) => Country::parse(text),
        };
        match country {
            Ok(country) if !country.is_stated() => {
                errors.add(format!("{name}[{i}]"), "0 (not stated) is no country")
            }
            Ok(country) if !seen.insert(country) => errors.add(format!("{name}[{i}]"), "listed twice"),
            Ok(country) => read.push(country),
            Err(e) => errors.add(format!("{name}[{i}]"), e.to_string()),
        }
    }
    read
}

fn read_disclose(list: Option<&[String]>, name: &str, errors: &mut FieldErrors) -> bool {
    let Some(list) = list else { return false };
    if list.len() > 1 || list.iter().any(|item| item != "nationality") {
        errors.add(name, "only [\"nationality\"] can be disclosed");
        return false;
    }
    !list.is_empty()
}

fn read_state(state: &RevocationStateJson) -> Result<SignedState, (&'static str, String)> {
    let root = fr_from_decimal(&state.root)
        .map_err(|_| ("root", "must be a decimal number below the field's modulus".to_owned()))?;
    let signature = Signature::try_from(state.signature.clone())
        .map_err(|e| ("signature", format!("not an EdDSA-Poseidon signature: {e}")))?;
    Ok(SignedState {
        state: honestly_zk::revocation::RevocationState { root, issued_at: state.issued_at },
        signature,
    })
}

#[cfg(test)]
mod tests;
