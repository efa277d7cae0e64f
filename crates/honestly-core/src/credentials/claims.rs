//! The claims of a schema-1 credential ("identity document") and `claimsHash`, the value the
//! issuer signs:
//!
//! `claimsHash = Poseidon(schema, credentialId, holder, documentHash, birthDate,
//! documentExpiry, nationality, documentType, issuedAt, validUntil)` (circomlib Poseidon with
//! 10 inputs, in exactly this order: [`CLAIM_NAMES`]).
//!
//! [`Claims`] holds each claim as its typed value, so a date is a real date and a country a
//! current ISO 3166-1 code; [`Claims::check`] adds the rules between claims and
//! [`Claims::check_at`] those that depend on today's date.

use honestly_zk::field::fr_to_u64;
use honestly_zk::{field_from_sha256, poseidon_hash, Fr};

use super::country::Country;
use super::date::CalendarDate;
use super::document_type::{document_type_code, document_type_from_code};
use super::serial::CredentialSerial;
use crate::documents::model::DocumentType;
use crate::error::FieldErrors;

/// The `schema` claim of an identity-document credential, the only schema there is.
pub const SCHEMA_IDENTITY_DOCUMENT: u64 = 1;

/// The number of claims of schema 1.
pub const CLAIM_COUNT: usize = 10;

// `claimsHash` needs circomlib's Poseidon with 10 inputs (width 11); `poseidon_hash` panics
// beyond its maximum, so the build fails here instead.
const _: () = assert!(honestly_zk::poseidon::MAX_INPUTS >= CLAIM_COUNT, "Poseidon must take 10 inputs");

/// The claims' names, in the order `claimsHash` takes them (and the credential JSON writes
/// them).
pub const CLAIM_NAMES: [&str; CLAIM_COUNT] = [
    "schema",
    "credentialId",
    "holder",
    "documentHash",
    "birthDate",
    "documentExpiry",
    "nationality",
    "documentType",
    "issuedAt",
    "validUntil",
];

/// The claims of a schema-1 credential. `schema` is always [`SCHEMA_IDENTITY_DOCUMENT`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// `credentialId`: random 128 bits naming the credential (revocation lists these).
    pub credential_id: CredentialSerial,
    /// `holder`: Poseidon(holderSecret), the commitment of the one holder who can prove with it.
    pub holder: Fr,
    /// `documentHash`: field(sha256) of the attested document ([`Claims::document_hash_of`]).
    pub document_hash: Fr,
    /// `birthDate`.
    pub birth_date: CalendarDate,
    /// `documentExpiry`: the attested document's expiry; `None` (claim `0`) when it has none.
    pub document_expiry: Option<CalendarDate>,
    /// `nationality`: ISO 3166-1 numeric, `0` when not stated.
    pub nationality: Country,
    /// `documentType`: the attested document's type ([`super::document_type`] codes).
    pub document_type: DocumentType,
    /// `issuedAt`: the day the issuer signed.
    pub issued_at: CalendarDate,
    /// `validUntil`: the last day the credential may be used in a proof.
    pub valid_until: CalendarDate,
}

/// Reads one claim out of a field element, or says why it cannot be that claim.
fn claim<T>(value: &Fr, read: impl FnOnce(u64) -> Result<T, String>) -> Result<T, String> {
    let small = fr_to_u64(value).ok_or_else(|| "out of range".to_string())?;
    read(small)
}

fn date_claim(value: u64) -> Result<CalendarDate, String> {
    let value = u32::try_from(value).map_err(|_| "not a date YYYYMMDD".to_string())?;
    CalendarDate::from_yyyymmdd(value).map_err(|e| format!("not a date YYYYMMDD: {e}"))
}

/// The value of `result`, or its reason noted under `field`.
fn note<T>(errors: &mut FieldErrors, field: &str, result: Result<T, String>) -> Option<T> {
    result.map_err(|reason| errors.add(field, reason)).ok()
}

impl Claims {
    /// `documentHash` for a document whose SHA-256 digest is `sha256`: the digest read as a
    /// big-endian integer, reduced modulo the field's order.
    pub fn document_hash_of(sha256: &[u8; 32]) -> Fr {
        field_from_sha256(sha256)
    }

    /// The claims as field elements, in [`CLAIM_NAMES`] order.
    pub fn fields(&self) -> [Fr; CLAIM_COUNT] {
        [
            Fr::from(SCHEMA_IDENTITY_DOCUMENT),
            self.credential_id.to_field(),
            self.holder,
            self.document_hash,
            self.birth_date.to_field(),
            self.document_expiry.map_or(Fr::from(0u64), CalendarDate::to_field),
            self.nationality.to_field(),
            Fr::from(document_type_code(self.document_type)),
            self.issued_at.to_field(),
            self.valid_until.to_field(),
        ]
    }

    /// `claimsHash`: circomlib Poseidon over [`Claims::fields`], the value the issuer signs.
    pub fn claims_hash(&self) -> Fr {
        poseidon_hash(&self.fields())
    }

    /// The claims held by `fields` (in [`CLAIM_NAMES`] order), each read as its type and then
    /// [`checked`](Claims::check). Refusals name the claim, prefixed by `at` (`claims.`).
    pub fn from_fields(fields: &[Fr; CLAIM_COUNT], at: &str) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = |index: usize| format!("{at}{}", CLAIM_NAMES[index]);
        let schema = note(
            &mut errors,
            &name(0),
            claim(&fields[0], |v| {
                (v == SCHEMA_IDENTITY_DOCUMENT)
                    .then_some(())
                    .ok_or_else(|| format!("unsupported schema (only {SCHEMA_IDENTITY_DOCUMENT} is known)"))
            }),
        );
        let credential_id = note(
            &mut errors,
            &name(1),
            CredentialSerial::from_field(&fields[1]).ok_or_else(|| "must be 1 to 2^128 - 1".to_string()),
        );
        let birth_date = note(&mut errors, &name(4), claim(&fields[4], date_claim));
        let document_expiry = note(
            &mut errors,
            &name(5),
            claim(&fields[5], |v| if v == 0 { Ok(None) } else { date_claim(v).map(Some) }),
        );
        let nationality = note(
            &mut errors,
            &name(6),
            claim(&fields[6], |v| Country::from_numeric(v).map_err(|e| e.to_string())),
        );
        let document_type = note(
            &mut errors,
            &name(7),
            claim(&fields[7], |v| {
                document_type_from_code(v).ok_or_else(|| format!("unknown document type {v}"))
            }),
        );
        let issued_at = note(&mut errors, &name(8), claim(&fields[8], date_claim));
        let valid_until = note(&mut errors, &name(9), claim(&fields[9], date_claim));
        let (
            Some(()),
            Some(credential_id),
            Some(birth_date),
            Some(document_expiry),
            Some(nationality),
            Some(document_type),
            Some(issued_at),
            Some(valid_until),
        ) = (
            schema,
            credential_id,
            birth_date,
            document_expiry,
            nationality,
            document_type,
            issued_at,
            valid_until,
        )
        else {
            return Err(errors);
        };
        let claims = Self {
            credential_id,
            holder: fields[2],
            document_hash: fields[3],
            birth_date,
            document_expiry,
            nationality,
            document_type,
            issued_at,
            valid_until,
        };
        claims.check_into(&mut errors, at);
        errors.into_result().map(|()| claims)
    }

    /// The rules between claims, which hold whatever today is: `holder` and `documentHash`
    /// are set (not 0); the credential was not issued before the holder's birth; `validUntil`
    /// is not before `issuedAt`; a document expiry is not before `issuedAt` (an issuer does not
    /// attest a document that has already expired).
    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        self.check_into(&mut errors, "");
        errors.into_result()
    }

    /// [`Claims::check`], plus the rules that depend on `today` (the checker's UTC date): the
    /// birth date is not after today, and `issuedAt` is at most one day after today (an issuer
    /// whose local date is already tomorrow).
    pub fn check_at(&self, today: CalendarDate) -> Result<(), FieldErrors> {
        self.check_at_named(today, "")
    }

    /// [`Claims::check_at`], each refused claim's name prefixed by `at` (`claims.`).
    pub fn check_at_named(&self, today: CalendarDate, at: &str) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        self.check_into(&mut errors, at);
        if self.birth_date > today {
            errors.add(format!("{at}birthDate"), "is in the future");
        }
        if self.issued_at > today.next_day().unwrap_or(today) {
            errors.add(format!("{at}issuedAt"), "is in the future");
        }
        errors.into_result()
    }

    /// Whether the credential may still be used in a proof on `day` (`day ≤ validUntil`).
    pub fn is_valid_on(&self, day: CalendarDate) -> bool {
        day <= self.valid_until
    }

    fn check_into(&self, errors: &mut FieldErrors, at: &str) {
        let zero = Fr::from(0u64);
        if self.holder == zero {
            errors.add(format!("{at}holder"), "must not be 0");
        }
        if self.document_hash == zero {
            errors.add(format!("{at}documentHash"), "must not be 0");
        }
        if self.issued_at < self.birth_date {
            errors.add(format!("{at}issuedAt"), "is before birthDate");
        }
        if self.valid_until < self.issued_at {
            errors.add(format!("{at}validUntil"), "is before issuedAt");
        }
        if let Some(expiry) = self.document_expiry {
            if expiry < self.issued_at {
                errors.add(format!("{at}documentExpiry"), "is before issuedAt (the document had expired)");
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use honestly_zk::{fr_from_decimal, fr_to_decimal};
    use sha2::{Digest, Sha256};

    /// The circomlibjs fixture (`scripts/zk-interop/credential-fixture.js`).
    pub(crate) const FIXTURE: &str = include_str!("../../tests/fixtures/credential_schema1.json");

    fn d(value: u32) -> CalendarDate {
        CalendarDate::from_yyyymmdd(value).unwrap()
    }

    /// A valid set of claims (the same values as the committed circomlibjs fixture).
    pub(crate) fn sample() -> Claims {
        Claims {
            credential_id: CredentialSerial::new(0x0123_4567_89ab_cdef_fedc_ba98_7654_3210).unwrap(),
            holder: poseidon_hash(&[Fr::from(1u64)]),
            document_hash: Claims::document_hash_of(
                &Sha256::digest(b"honestly credential fixture document").into(),
            ),
            birth_date: d(19_450_509),
            document_expiry: Some(d(20_310_630)),
            nationality: Country::from_numeric(276).unwrap(),
            document_type: DocumentType::Identity,
            issued_at: d(20_261_202),
            valid_until: d(20_271_202),
        }
    }

    #[test]
    fn fields_are_in_the_documented_order() {
        let claims = sample();
        let fields: Vec<String> = claims.fields().iter().map(fr_to_decimal).collect();
        assert_eq!(fields[0], "1");
        assert_eq!(fields[1], "1512366075204170947332355369683137040");
        assert_eq!(fields[2], fr_to_decimal(&claims.holder));
        assert_eq!(fields[3], fr_to_decimal(&claims.document_hash));
        assert_eq!(fields[4..], ["19450509", "20310630", "276", "1", "20261202", "20271202"]);
        let no_expiry = Claims { document_expiry: None, nationality: Country::NOT_STATED, ..claims };
        assert_eq!(fr_to_decimal(&no_expiry.fields()[5]), "0");
        assert_eq!(fr_to_decimal(&no_expiry.fields()[6]), "0");
    }

    /// circomlibjs' Poseidon of the sample's ten claims, computed by the committed fixture.
    #[test]
    fn claims_hash_matches_circomlibjs() {
        let fixture: serde_json::Value = serde_json::from_str(FIXTURE).unwrap();
        let expected = fixture["claimsHash"].as_str().unwrap();
        assert_eq!(fr_to_decimal(&sample().claims_hash()), expected);
        let claims = &fixture["credential"]["claims"];
        let fields: Vec<String> = sample().fields().iter().map(fr_to_decimal).collect();
        for (name, value) in CLAIM_NAMES.iter().zip(&fields) {
            assert_eq!(claims[name].as_str(), Some(value.as_str()), "{name}");
        }
    }

    #[test]
    fn ten_input_poseidon_is_supported() {
        // circomlibjs (scripts/zk-interop/poseidon.js) on [1, …, 10] and on ten zeros.
        let one_to_ten: Vec<Fr> = (1..=10u64).map(Fr::from).collect();
        assert_eq!(
            fr_to_decimal(&poseidon_hash(&one_to_ten)),
            "3657500514307717306974218405144578736633140001277925127187636780142269815841"
        );
        assert_eq!(
            fr_to_decimal(&poseidon_hash(&[Fr::from(0u64); CLAIM_COUNT])),
            "8188888863647261336666654061521591645846533251798372526123567331385400506959"
        );
        let claims = sample();
        assert_eq!(claims.claims_hash(), poseidon_hash(&claims.fields()));
        // Every claim changes the hash.
        let changed = [
            Claims { credential_id: CredentialSerial::new(2).unwrap(), ..claims.clone() },
            Claims { holder: Fr::from(5u64), ..claims.clone() },
            Claims { document_hash: Fr::from(5u64), ..claims.clone() },
            Claims { birth_date: d(19_450_510), ..claims.clone() },
            Claims { document_expiry: None, ..claims.clone() },
            Claims { nationality: Country::NOT_STATED, ..claims.clone() },
            Claims { document_type: DocumentType::License, ..claims.clone() },
            Claims { issued_at: d(20_261_201), ..claims.clone() },
            Claims { valid_until: d(20_271_201), ..claims.clone() },
        ];
        for other in changed {
            assert_ne!(other.claims_hash(), claims.claims_hash(), "{other:?}");
        }
    }

    #[test]
    fn fields_round_trip() {
        let claims = sample();
        assert_eq!(Claims::from_fields(&claims.fields(), "claims."), Ok(claims.clone()));
        let bare = Claims { document_expiry: None, nationality: Country::NOT_STATED, ..claims };
        assert_eq!(Claims::from_fields(&bare.fields(), ""), Ok(bare));
    }

    #[test]
    fn out_of_range_claims_are_refused_by_name() {
        let good = sample().fields();
        let huge = fr_from_decimal("340282366920938463463374607431768211456").unwrap();
        let cases: [(usize, Fr, &str); 12] = [
            (0, Fr::from(2u64), "unsupported schema (only 1 is known)"),
            (0, Fr::from(0u64), "unsupported schema (only 1 is known)"),
            (1, Fr::from(0u64), "must be 1 to 2^128 - 1"),
            (1, huge, "must be 1 to 2^128 - 1"),
            (4, Fr::from(19_450_229u64), "not a date YYYYMMDD: day 29 does not exist in 1945-02"),
            (4, huge, "out of range"),
            (5, Fr::from(20_311_301u64), "not a date YYYYMMDD: month 13 does not exist (1 to 12)"),
            (6, Fr::from(891u64), "891 is not an ISO 3166-1 numeric country code (0 means not stated)"),
            (7, Fr::from(0u64), "unknown document type 0"),
            (7, Fr::from(6u64), "unknown document type 6"),
            (8, Fr::from(u64::from(u32::MAX) + 1), "not a date YYYYMMDD"),
            (9, Fr::from(9_991_231u64), "not a date YYYYMMDD: the year must be between 1000 and 9999"),
        ];
        for (index, value, reason) in cases {
            let mut fields = good;
            fields[index] = value;
            let errors = Claims::from_fields(&fields, "claims.").unwrap_err();
            assert_eq!(errors.get(&format!("claims.{}", CLAIM_NAMES[index])), Some(reason), "{errors}");
            assert_eq!(errors.into_map().len(), 1);
        }
        let mut all_bad = good;
        all_bad[0] = Fr::from(9u64);
        all_bad[4] = Fr::from(0u64);
        all_bad[9] = Fr::from(0u64);
        assert_eq!(
            Claims::from_fields(&all_bad, "").unwrap_err().into_map().len(),
            3,
            "every problem at once"
        );
    }

    #[test]
    fn rules_between_claims() {
        let ok = sample();
        assert_eq!(ok.check(), Ok(()));
        let cases = [
            (Claims { holder: Fr::from(0u64), ..ok.clone() }, "holder", "must not be 0"),
            (Claims { document_hash: Fr::from(0u64), ..ok.clone() }, "documentHash", "must not be 0"),
            (Claims { issued_at: d(19_450_508), ..ok.clone() }, "issuedAt", "is before birthDate"),
            (Claims { valid_until: d(20_261_201), ..ok.clone() }, "validUntil", "is before issuedAt"),
            (
                Claims { document_expiry: Some(d(20_261_201)), ..ok.clone() },
                "documentExpiry",
                "is before issuedAt (the document had expired)",
            ),
        ];
        for (claims, field, reason) in cases {
            let errors = claims.check().unwrap_err();
            assert_eq!(errors.get(field), Some(reason), "{errors}");
            let prefixed = Claims::from_fields(&claims.fields(), "claims.").unwrap_err();
            assert_eq!(prefixed.get(&format!("claims.{field}")), Some(reason));
        }
        // Boundaries are allowed: issued on the birth day, valid for that day only, expiring that day.
        let tight = Claims {
            birth_date: d(20_261_202),
            document_expiry: Some(d(20_261_202)),
            valid_until: d(20_261_202),
            ..ok
        };
        assert_eq!(tight.check(), Ok(()));
    }

    #[test]
    fn rules_that_depend_on_today() {
        let ok = sample();
        assert_eq!(ok.check_at(d(20_261_202)), Ok(()));
        // An issuer one day ahead (time zones) is fine, two days is not.
        assert_eq!(ok.check_at(d(20_261_201)), Ok(()));
        let errors = ok.check_at(d(20_261_130)).unwrap_err();
        assert_eq!(errors.get("issuedAt"), Some("is in the future"));
        let unborn = Claims { birth_date: d(20_261_203), issued_at: d(20_261_203), ..ok.clone() };
        let errors = unborn.check_at(d(20_261_202)).unwrap_err();
        assert_eq!(errors.get("birthDate"), Some("is in the future"));
        assert_eq!(errors.get("issuedAt"), None);
        let born_today = Claims { birth_date: d(20_261_202), ..ok.clone() };
        assert_eq!(born_today.check_at(d(20_261_202)), Ok(()));
        let named = unborn.check_at_named(d(20_261_202), "claims.").unwrap_err();
        assert_eq!(named.get("claims.birthDate"), Some("is in the future"));
        let broken = Claims { valid_until: d(20_000_101), ..ok.clone() };
        assert!(broken.check_at(d(20_261_202)).unwrap_err().get("validUntil").is_some());
        assert!(ok.is_valid_on(d(20_271_202)));
        assert!(!ok.is_valid_on(d(20_271_203)));
        assert_eq!(CalendarDate::MAX.next_day(), None);
        assert_eq!(
            Claims {
                issued_at: CalendarDate::MAX,
                valid_until: CalendarDate::MAX,
                document_expiry: None,
                ..ok
            }
            .check_at(CalendarDate::MAX),
            Ok(())
        );
    }
}
