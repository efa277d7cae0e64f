//! Claims as a person writes them, and their conversion into a credential's [`Claims`]:
//! dates `YYYY-MM-DD`, a country as `276`, `"DE"` or `"DEU"`, a document type by name
//! (`"identity"`) or code (`1`). The field names are the API's credential-request claims where
//! they overlap (`birth_date`, `nationality`, `document_expiry`).
//!
//! - [`ClaimInput`] is what an issuer states about a holder; [`to_claims`] adds the holder,
//!   the document's hash and a fresh `credentialId`, fills the defaults (issued today, valid
//!   for one year) and checks every rule, refusals named by the input's fields.
//! - [`ClaimsFile`] is the claims file of `honestly issuer sign`: a [`ClaimInput`] plus the
//!   attested document's SHA-256 digest (`document_sha256`), read strictly.
//!
//! `docs/credential-format.md` ("Claims input") describes both.

use honestly_zk::Fr;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::claims::Claims;
use super::country::Country;
use super::date::CalendarDate;
use super::document_type::document_type_from_code;
use super::serial::CredentialSerial;
use crate::documents::model::DocumentType;
use crate::error::FieldErrors;

/// The largest claims file accepted, in bytes (one is about 250 bytes).
pub const MAX_CLAIMS_FILE_BYTES: usize = 4 * 1024;

/// What an issuer states about a holder, before it becomes a credential's claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimInput {
    /// `birth_date`: the holder's date of birth (not after today).
    pub birth_date: CalendarDate,
    /// `nationality`: a current ISO 3166-1 country, or not stated (`0`).
    pub nationality: Country,
    /// `document_expiry`: the attested document's expiry; `None` (`null`) when it has none.
    pub document_expiry: Option<CalendarDate>,
    /// `document_type`: the attested document's type; identity when not given.
    pub document_type: Option<DocumentType>,
    /// `issued_at`: the day of issue; today (UTC) when not given.
    pub issued_at: Option<CalendarDate>,
    /// `valid_until`: the last day the credential may be used; one year after `issued_at`
    /// when not given.
    pub valid_until: Option<CalendarDate>,
}

/// The claims file of `honestly issuer sign`: the claims and the attested document's digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimsFile {
    /// The stated claims.
    pub input: ClaimInput,
    /// `document_sha256`: the SHA-256 digest of the attested document.
    pub document_sha256: [u8; 32],
}

/// Why a claims file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimsFileError {
    /// More than [`MAX_CLAIMS_FILE_BYTES`].
    #[error("a claims file is at most {MAX_CLAIMS_FILE_BYTES} bytes")]
    TooLarge,
    /// Not JSON, or not the file's shape (unknown, repeated or missing field); serde's words.
    #[error("not a claims file: {0}")]
    Malformed(String),
    /// The shape is right, but values are refused (each named by its field).
    #[error(transparent)]
    Invalid(#[from] FieldErrors),
}

/// Reads a field that must be present but may be `null` (serde takes a missing `Option` for
/// `None` unless told otherwise).
fn required_nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    Option::<T>::deserialize(d)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClaimInput {
    birth_date: String,
    nationality: Value,
    #[serde(deserialize_with = "required_nullable")]
    document_expiry: Option<String>,
    #[serde(default)]
    document_type: Option<Value>,
    #[serde(default)]
    issued_at: Option<String>,
    #[serde(default)]
    valid_until: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClaimsFile {
    birth_date: String,
    nationality: Value,
    #[serde(deserialize_with = "required_nullable")]
    document_expiry: Option<String>,
    #[serde(default)]
    document_type: Option<Value>,
    document_sha256: String,
    #[serde(default)]
    issued_at: Option<String>,
    #[serde(default)]
    valid_until: Option<String>,
}

fn date(raw: &str, field: &str, errors: &mut FieldErrors) -> Option<CalendarDate> {
    CalendarDate::parse_iso(raw).map_err(|e| errors.add(field, format!("not a date YYYY-MM-DD: {e}"))).ok()
}

fn country(raw: &Value) -> Result<Country, String> {
    match raw {
        Value::Number(n) => match n.as_u64() {
            Some(code) => Country::from_numeric(code).map_err(|e| e.to_string()),
            None => Err(super::country::CountryError::NotACode.to_string()),
        },
        Value::String(text) => Country::parse(text).map_err(|e| e.to_string()),
        _ => Err(super::country::CountryError::NotACode.to_string()),
    }
}

fn document_type(raw: &Value) -> Result<DocumentType, String> {
    let found = match raw {
        Value::Number(n) => n.as_u64().and_then(document_type_from_code),
        Value::String(text) => DocumentType::parse(text),
        _ => None,
    };
    found.ok_or_else(|| {
        format!(
            "must be one of {} or its code 1 to {}",
            DocumentType::NAMES.join(", "),
            DocumentType::ALL.len()
        )
    })
}

impl RawClaimInput {
    fn read(self, errors: &mut FieldErrors) -> Option<ClaimInput> {
        let birth_date = date(&self.birth_date, "birth_date", errors);
        let nationality = country(&self.nationality).map_err(|e| errors.add("nationality", e)).ok();
        let document_expiry = match &self.document_expiry {
            None => Some(None),
            Some(raw) => date(raw, "document_expiry", errors).map(Some),
        };
        let document_type = match &self.document_type {
            None | Some(Value::Null) => Some(None),
            Some(raw) => document_type(raw).map_err(|e| errors.add("document_type", e)).ok().map(Some),
        };
        let issued_at = match &self.issued_at {
            None => Some(None),
            Some(raw) => date(raw, "issued_at", errors).map(Some),
        };
        let valid_until = match &self.valid_until {
            None => Some(None),
            Some(raw) => date(raw, "valid_until", errors).map(Some),
        };
        Some(ClaimInput {
            birth_date: birth_date?,
            nationality: nationality?,
            document_expiry: document_expiry?,
            document_type: document_type?,
            issued_at: issued_at?,
            valid_until: valid_until?,
        })
    }
}

impl<'de> Deserialize<'de> for ClaimInput {
    /// Strict: no unknown or repeated fields; `document_expiry` present (`null` for none);
    /// every refused value reported at once, named by its field.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawClaimInput::deserialize(deserializer)?;
        let mut errors = FieldErrors::new();
        match raw.read(&mut errors) {
            Some(input) if errors.is_empty() => Ok(input),
            _ => Err(serde::de::Error::custom(errors)),
        }
    }
}

impl ClaimsFile {
    /// Parses a claims file: at most [`MAX_CLAIMS_FILE_BYTES`], strict as [`ClaimInput`], plus
    /// `document_sha256` (64 hex digits).
    pub fn from_json(bytes: &[u8]) -> Result<Self, ClaimsFileError> {
        if bytes.len() > MAX_CLAIMS_FILE_BYTES {
            return Err(ClaimsFileError::TooLarge);
        }
        let raw: RawClaimsFile =
            serde_json::from_slice(bytes).map_err(|e| ClaimsFileError::Malformed(e.to_string()))?;
        let mut errors = FieldErrors::new();
        let mut document_sha256 = [0u8; 32];
        if raw.document_sha256.len() != 64
            || hex::decode_to_slice(&raw.document_sha256, &mut document_sha256).is_err()
        {
            errors.add("document_sha256", "must be the document's SHA-256 digest: 64 hex digits");
        }
        let input = RawClaimInput {
            birth_date: raw.birth_date,
            nationality: raw.nationality,
            document_expiry: raw.document_expiry,
            document_type: raw.document_type,
            issued_at: raw.issued_at,
            valid_until: raw.valid_until,
        }
        .read(&mut errors);
        match input {
            Some(input) if errors.is_empty() => Ok(Self { input, document_sha256 }),
            _ => Err(ClaimsFileError::Invalid(errors)),
        }
    }

    /// [`to_claims`] with this file's document digest.
    pub fn to_claims(
        &self,
        holder: Fr,
        credential_serial: CredentialSerial,
        today: CalendarDate,
    ) -> Result<Claims, FieldErrors> {
        to_claims(
            &self.input,
            holder,
            Claims::document_hash_of(&self.document_sha256),
            credential_serial,
            today,
        )
    }
}

/// One year after `day`: the same month and day a year on, and 1 March for 29 February (as
/// the age rule counts); `None` after 9998.
pub fn one_year_after(day: CalendarDate) -> Option<CalendarDate> {
    let year = day.year() + 1;
    CalendarDate::from_ymd(year, day.month(), day.day()).or_else(|_| CalendarDate::from_ymd(year, 3, 1)).ok()
}

/// The claims of a credential for `holder` (its commitment, `Poseidon(holderSecret)`) over the
/// document whose `documentHash` is `document_hash`, with `credential_serial` as its
/// `credentialId`, as stated by `input` on `today` (UTC).
///
/// Defaults: `issued_at` today, `valid_until` [one year](one_year_after) after `issued_at`,
/// `document_type` identity. Refused, named by the input's fields (all at once): `holder` or
/// `document_hash` 0; `birth_date` after today; `issued_at` more than one day after today (an
/// issuer whose local date is already tomorrow) or before `birth_date`; `valid_until` not
/// after `issued_at`; `document_expiry` before `issued_at` (an expired document).
pub fn to_claims(
    input: &ClaimInput,
    holder: Fr,
    document_hash: Fr,
    credential_serial: CredentialSerial,
    today: CalendarDate,
) -> Result<Claims, FieldErrors> {
    let mut errors = FieldErrors::new();
    let zero = Fr::from(0u64);
    if holder == zero {
        errors.add("holder", "must not be 0");
    }
    if document_hash == zero {
        errors.add("document_hash", "must not be 0");
    }
    if input.birth_date > today {
        errors.add("birth_date", "is in the future");
    }
    let issued_at = input.issued_at.unwrap_or(today);
    if issued_at > today.next_day().unwrap_or(today) {
        errors.add("issued_at", "is in the future (at most one day after today, UTC)");
    } else if issued_at < input.birth_date {
        errors.add("issued_at", "is before birth_date");
    }
    let valid_until = match input.valid_until.or_else(|| one_year_after(issued_at)) {
        Some(day) if day > issued_at => Some(day),
        Some(_) => {
            errors.add("valid_until", "must be after issued_at");
            None
        }
        None => {
            errors.add("valid_until", "cannot be one year after issued_at (past 9999): give it");
            None
        }
    };
    if input.document_expiry.is_some_and(|expiry| expiry < issued_at) {
        errors.add("document_expiry", "is before issued_at (the document has expired)");
    }
    let Some(valid_until) = valid_until.filter(|_| errors.is_empty()) else {
        return Err(errors);
    };
    let claims = Claims {
        credential_id: credential_serial,
        holder,
        document_hash,
        birth_date: input.birth_date,
        document_expiry: input.document_expiry,
        nationality: input.nationality,
        document_type: input.document_type.unwrap_or(DocumentType::Identity),
        issued_at,
        valid_until,
    };
    // The rules above include every rule of a credential; checked again so the two can
    // never drift apart unnoticed.
    claims.check_at(today)?;
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(value: u32) -> CalendarDate {
        CalendarDate::from_yyyymmdd(value).unwrap()
    }

    const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    fn file() -> serde_json::Value {
        json!({
            "birth_date": "1945-05-09",
            "nationality": "DEU",
            "document_expiry": "2031-06-30",
            "document_type": "identity",
            "document_sha256": SHA,
            "issued_at": "2026-12-02",
            "valid_until": "2027-12-02"
        })
    }

    fn parse(value: &serde_json::Value) -> Result<ClaimsFile, ClaimsFileError> {
        ClaimsFile::from_json(value.to_string().as_bytes())
    }

    fn invalid(value: &serde_json::Value) -> FieldErrors {
        match parse(value) {
            Err(ClaimsFileError::Invalid(errors)) => errors,
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    fn serial() -> CredentialSerial {
        CredentialSerial::new(0x0123_4567_89ab_cdef_fedc_ba98_7654_3210).unwrap()
    }

    #[test]
    fn the_fixture_claims_come_out_of_their_human_form() {
        let parsed = parse(&file()).unwrap();
        assert_eq!(hex::encode(parsed.document_sha256), SHA);
        let claims = parsed.to_claims(Fr::from(5u64), serial(), d(20_261_202)).unwrap();
        assert_eq!(claims.birth_date, d(19_450_509));
        assert_eq!(claims.nationality, Country::from_numeric(276).unwrap());
        assert_eq!(claims.document_expiry, Some(d(20_310_630)));
        assert_eq!(claims.document_type, DocumentType::Identity);
        assert_eq!((claims.issued_at, claims.valid_until), (d(20_261_202), d(20_271_202)));
        assert_eq!(claims.credential_id, serial());
        assert_eq!(claims.holder, Fr::from(5u64));
        let sha: [u8; 32] = hex::decode(SHA).unwrap().try_into().unwrap();
        assert_eq!(claims.document_hash, Claims::document_hash_of(&sha));
    }

    #[test]
    fn defaults_are_today_one_year_and_identity() {
        let mut value = file();
        let object = value.as_object_mut().unwrap();
        for optional in ["document_type", "issued_at", "valid_until"] {
            object.remove(optional);
        }
        object.insert("document_expiry".into(), json!(null));
        object.insert("nationality".into(), json!(0));
        let parsed = parse(&value).unwrap();
        let claims = parsed.to_claims(Fr::from(5u64), serial(), d(20_240_229)).unwrap();
        assert_eq!((claims.issued_at, claims.valid_until), (d(20_240_229), d(20_250_301)));
        assert_eq!(claims.document_type, DocumentType::Identity);
        assert_eq!(claims.document_expiry, None);
        assert_eq!(claims.nationality, Country::NOT_STATED);
        assert_eq!(one_year_after(d(20_261_202)), Some(d(20_271_202)));
        assert_eq!(one_year_after(d(99_991_231)), None);
    }

    #[test]
    fn countries_and_document_types_are_read_in_every_form() {
        for (nationality, code) in
            [(json!(276), 276), (json!("DE"), 276), (json!("usa"), 840), (json!("004"), 4)]
        {
            let mut value = file();
            value["nationality"] = nationality;
            assert_eq!(parse(&value).unwrap().input.nationality.numeric(), code);
        }
        for (document_type, expected) in [
            (json!(2), DocumentType::License),
            (json!("financial"), DocumentType::Financial),
            (json!(null), DocumentType::Identity),
        ] {
            let mut value = file();
            value["document_type"] = document_type;
            let parsed = parse(&value).unwrap();
            assert_eq!(
                parsed.to_claims(Fr::from(5u64), serial(), d(20_261_202)).unwrap().document_type,
                expected
            );
        }
    }

    #[test]
    fn bad_values_are_named_by_their_field_all_at_once() {
        let mut value = file();
        value["birth_date"] = json!("1945-02-30");
        value["nationality"] = json!(999);
        value["document_type"] = json!(0);
        value["document_sha256"] = json!("abc");
        value["valid_until"] = json!("2027/12/02");
        let errors = invalid(&value);
        assert_eq!(errors.get("birth_date"), Some("not a date YYYY-MM-DD: day 30 does not exist in 1945-02"));
        assert_eq!(
            errors.get("nationality"),
            Some("999 is not an ISO 3166-1 numeric country code (0 means not stated)")
        );
        assert_eq!(
            errors.get("document_type"),
            Some("must be one of identity, license, financial, credential, other or its code 1 to 5")
        );
        assert_eq!(
            errors.get("document_sha256"),
            Some("must be the document's SHA-256 digest: 64 hex digits")
        );
        assert!(errors.get("valid_until").unwrap().starts_with("not a date YYYY-MM-DD"));
        for (nationality, reason) in [
            (json!("ZZZ"), "\"ZZZ\" is not an ISO 3166-1 alpha-2 or alpha-3 country code"),
            (
                json!(-1),
                "not a country code: use an ISO 3166-1 numeric (276), alpha-2 (DE) or alpha-3 (DEU) code",
            ),
            (
                json!([276]),
                "not a country code: use an ISO 3166-1 numeric (276), alpha-2 (DE) or alpha-3 (DEU) code",
            ),
        ] {
            let mut value = file();
            value["nationality"] = nationality;
            assert_eq!(invalid(&value).get("nationality"), Some(reason));
        }
    }

    #[test]
    fn the_shape_is_strict_and_bounded() {
        let mut extra = file();
        extra["age"] = json!(81);
        let mut missing_expiry = file();
        missing_expiry.as_object_mut().unwrap().remove("document_expiry");
        let mut missing_sha = file();
        missing_sha.as_object_mut().unwrap().remove("document_sha256");
        let mut number_date = file();
        number_date["birth_date"] = json!(19_450_509);
        for (bad, words) in [
            (extra, "unknown field `age`"),
            (missing_expiry, "missing field `document_expiry`"),
            (missing_sha, "missing field `document_sha256`"),
            (number_date, "invalid type: integer `19450509`, expected a string"),
        ] {
            match parse(&bad) {
                Err(ClaimsFileError::Malformed(m)) => assert!(m.contains(words), "{m}"),
                other => panic!("{words}: {other:?}"),
            }
        }
        let text = file().to_string();
        let twice = text.replacen("{", "{\"nationality\":276,", 1);
        assert!(
            matches!(ClaimsFile::from_json(twice.as_bytes()), Err(ClaimsFileError::Malformed(m)) if m.contains("duplicate field"))
        );
        let big = format!("{text}{}", " ".repeat(MAX_CLAIMS_FILE_BYTES - text.len() + 1));
        assert_eq!(ClaimsFile::from_json(big.as_bytes()), Err(ClaimsFileError::TooLarge));
        assert!(ClaimsFile::from_json(&big.as_bytes()[..MAX_CLAIMS_FILE_BYTES]).is_ok());
    }

    #[test]
    fn the_input_alone_reads_like_the_api_claims() {
        let input: ClaimInput = serde_json::from_value(json!({
            "birth_date": "2000-01-31", "nationality": "FR", "document_expiry": null
        }))
        .unwrap();
        assert_eq!(input.nationality.numeric(), 250);
        assert_eq!((input.issued_at, input.valid_until, input.document_type), (None, None, None));
        let refused = serde_json::from_value::<ClaimInput>(json!({
            "birth_date": "2000-01-31", "nationality": "XX", "document_expiry": null
        }));
        assert!(refused.unwrap_err().to_string().contains("nationality: \"XX\" is not"));
        assert!(serde_json::from_value::<ClaimInput>(json!({
            "birth_date": "2000-01-31", "nationality": "FR", "document_expiry": null, "document_sha256": SHA
        }))
        .is_err());
    }

    #[test]
    fn rules_between_dates_and_today_are_named_by_field() {
        let input = parse(&file()).unwrap().input;
        let today = d(20_261_202);
        let holder = Fr::from(5u64);
        let hash = Fr::from(6u64);
        let refused = |input: ClaimInput, holder: Fr, hash: Fr| {
            to_claims(&input, holder, hash, serial(), today).unwrap_err()
        };
        let future_birth = ClaimInput { birth_date: d(20_261_203), ..input.clone() };
        assert_eq!(refused(future_birth, holder, hash).get("birth_date"), Some("is in the future"));
        let tomorrow = ClaimInput { issued_at: Some(d(20_261_203)), valid_until: None, ..input.clone() };
        assert!(to_claims(&tomorrow, holder, hash, serial(), today).is_ok());
        let later = ClaimInput { issued_at: Some(d(20_261_204)), ..input.clone() };
        assert_eq!(
            refused(later, holder, hash).get("issued_at"),
            Some("is in the future (at most one day after today, UTC)")
        );
        let before_birth = ClaimInput { issued_at: Some(d(19_450_508)), ..input.clone() };
        assert_eq!(refused(before_birth, holder, hash).get("issued_at"), Some("is before birth_date"));
        let same_day = ClaimInput { valid_until: Some(d(20_261_202)), ..input.clone() };
        assert_eq!(refused(same_day, holder, hash).get("valid_until"), Some("must be after issued_at"));
        let expired = ClaimInput { document_expiry: Some(d(20_261_201)), ..input.clone() };
        assert_eq!(
            refused(expired, holder, hash).get("document_expiry"),
            Some("is before issued_at (the document has expired)")
        );
        let zero = refused(input.clone(), Fr::from(0u64), Fr::from(0u64));
        assert_eq!(
            (zero.get("holder"), zero.get("document_hash")),
            (Some("must not be 0"), Some("must not be 0"))
        );
        let far = ClaimInput { issued_at: Some(d(99_991_231)), valid_until: None, ..input };
        let errors = to_claims(&far, holder, hash, serial(), d(99_991_231)).unwrap_err();
        assert_eq!(
            errors.get("valid_until"),
            Some("cannot be one year after issued_at (past 9999): give it")
        );
    }
}
