//! The JSON form of a [`Credential`] (what a holder stores, exports and imports):
//!
//! ```json
//! {"claims": {"schema": "1", "credentialId": "…", "holder": "…", "documentHash": "…",
//!             "birthDate": "19450509", "documentExpiry": "20310630", "nationality": "276",
//!             "documentType": "1", "issuedAt": "20261202", "validUntil": "20271202"},
//!  "issuer": {"id": "iss_…", "name": "…", "public_key": {"x": "…", "y": "…"}},
//!  "signature": {"R8x": "…", "R8y": "…", "S": "…"}}
//! ```
//!
//! Parsing is strict: at most [`MAX_CREDENTIAL_JSON_BYTES`], no unknown or repeated fields,
//! every number a canonical decimal string (digits only, no leading zero) below the field
//! modulus, every claim valid for its type and the claims consistent ([`Claims::check`]).
//! Writing gives the canonical form: fields in the order above, `issuer.id` / `issuer.name`
//! left out when unknown; parsing the canonical form and writing it again gives the same bytes.

use std::fmt;
use std::marker::PhantomData;

use honestly_zk::{fr_from_decimal, fr_to_decimal, Fr};
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::claims::{Claims, CLAIM_COUNT, CLAIM_NAMES};
use super::credential::{Credential, CredentialIssuer};
use super::signature::{IssuerPublicKey, IssuerSignature};
use crate::error::FieldErrors;

/// The largest credential JSON accepted, in bytes (a credential is about 1.5 KiB; pretty
/// printing and a long issuer name stay far below this).
pub const MAX_CREDENTIAL_JSON_BYTES: usize = 8 * 1024;

/// Why a credential JSON was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialJsonError {
    /// More than [`MAX_CREDENTIAL_JSON_BYTES`].
    #[error("a credential is at most {MAX_CREDENTIAL_JSON_BYTES} bytes of JSON")]
    TooLarge,
    /// Not JSON, or not the credential's shape (unknown, repeated or missing field, a value
    /// that is not a string); the words are serde's.
    #[error("not a credential: {0}")]
    Malformed(String),
    /// The shape is right, but values are refused (each named by its path).
    #[error(transparent)]
    Invalid(#[from] FieldErrors),
}

/// Reads `T` (a derived struct) from a JSON object only: serde's derived structs also accept
/// an array of the fields in order, which is not the credential's form.
fn object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<T, D::Error> {
    struct ObjectOnly<T>(PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectOnly<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
        }
    }

    deserializer.deserialize_map(ObjectOnly(PhantomData))
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawClaims {
    schema: String,
    credential_id: String,
    holder: String,
    document_hash: String,
    birth_date: String,
    document_expiry: String,
    nationality: String,
    document_type: String,
    issued_at: String,
    valid_until: String,
}

impl RawClaims {
    fn in_order(&self) -> [&str; CLAIM_COUNT] {
        [
            &self.schema,
            &self.credential_id,
            &self.holder,
            &self.document_hash,
            &self.birth_date,
            &self.document_expiry,
            &self.nationality,
            &self.document_type,
            &self.issued_at,
            &self.valid_until,
        ]
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPoint {
    x: String,
    y: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIssuer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(deserialize_with = "object")]
    public_key: RawPoint,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignature {
    #[serde(rename = "R8x")]
    r8x: String,
    #[serde(rename = "R8y")]
    r8y: String,
    #[serde(rename = "S")]
    s: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCredential {
    #[serde(deserialize_with = "object")]
    claims: RawClaims,
    #[serde(deserialize_with = "object")]
    issuer: RawIssuer,
    #[serde(deserialize_with = "object")]
    signature: RawSignature,
}

/// Reads the field element at `path`, or notes why not.
fn field(raw: &str, path: &str, errors: &mut FieldErrors) -> Option<Fr> {
    fr_from_decimal(raw)
        .map_err(|_| {
            errors.add(path, "must be a canonical decimal number (a string) below the field modulus")
        })
        .ok()
}

impl TryFrom<RawCredential> for Credential {
    type Error = FieldErrors;

    fn try_from(raw: RawCredential) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let claim_fields: Vec<Option<Fr>> = raw
            .claims
            .in_order()
            .iter()
            .zip(CLAIM_NAMES)
            .map(|(value, name)| field(value, &format!("claims.{name}"), &mut errors))
            .collect();
        let x = field(&raw.issuer.public_key.x, "issuer.public_key.x", &mut errors);
        let y = field(&raw.issuer.public_key.y, "issuer.public_key.y", &mut errors);
        let r8x = field(&raw.signature.r8x, "signature.R8x", &mut errors);
        let r8y = field(&raw.signature.r8y, "signature.R8y", &mut errors);
        let s = field(&raw.signature.s, "signature.S", &mut errors);

        let claims = claim_fields
            .into_iter()
            .collect::<Option<Vec<Fr>>>()
            .and_then(|fields| <[Fr; CLAIM_COUNT]>::try_from(fields).ok())
            .and_then(|fields| {
                Claims::from_fields(&fields, "claims.").map_err(|e| merge(&mut errors, e)).ok()
            });
        let issuer = match (x, y) {
            (Some(x), Some(y)) => CredentialIssuer::new(
                IssuerPublicKey { x, y },
                raw.issuer.id.as_deref(),
                raw.issuer.name.as_deref(),
            )
            .map_err(|e| merge(&mut errors, e))
            .ok(),
            _ => None,
        };
        match (claims, issuer, r8x, r8y, s) {
            (Some(claims), Some(issuer), Some(r8x), Some(r8y), Some(s)) if errors.is_empty() => {
                Ok(Credential { claims, issuer, signature: IssuerSignature { r8x, r8y, s } })
            }
            _ => Err(errors),
        }
    }
}

fn merge(into: &mut FieldErrors, from: FieldErrors) {
    for (field, reason) in from.into_map() {
        into.add(field, reason);
    }
}

impl From<&Credential> for RawCredential {
    fn from(credential: &Credential) -> Self {
        let [schema, credential_id, holder, document_hash, birth_date, document_expiry, nationality, document_type, issued_at, valid_until] =
            credential.claims.fields().map(|x| fr_to_decimal(&x));
        let key = credential.issuer.public_key();
        let signature = &credential.signature;
        RawCredential {
            claims: RawClaims {
                schema,
                credential_id,
                holder,
                document_hash,
                birth_date,
                document_expiry,
                nationality,
                document_type,
                issued_at,
                valid_until,
            },
            issuer: RawIssuer {
                id: credential.issuer.id().map(str::to_owned),
                name: credential.issuer.name().map(str::to_owned),
                public_key: RawPoint { x: fr_to_decimal(&key.x), y: fr_to_decimal(&key.y) },
            },
            signature: RawSignature {
                r8x: fr_to_decimal(&signature.r8x),
                r8y: fr_to_decimal(&signature.r8y),
                s: fr_to_decimal(&signature.s),
            },
        }
    }
}

impl Credential {
    /// Parses a credential JSON (see the module's documentation for every rule).
    pub fn from_json(bytes: &[u8]) -> Result<Self, CredentialJsonError> {
        if bytes.len() > MAX_CREDENTIAL_JSON_BYTES {
            return Err(CredentialJsonError::TooLarge);
        }
        let mut reader = serde_json::Deserializer::from_slice(bytes);
        let raw: RawCredential = object(&mut reader)
            .and_then(|raw| reader.end().map(|()| raw))
            .map_err(|e| CredentialJsonError::Malformed(e.to_string()))?;
        Ok(Credential::try_from(raw)?)
    }

    /// The canonical JSON form, compact.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&RawCredential::from(self)).unwrap_or_default()
    }

    /// The canonical JSON form, indented by two spaces (for files a person may read).
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(&RawCredential::from(self)).unwrap_or_default()
    }
}

impl Serialize for Credential {
    /// The canonical JSON form.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        RawCredential::from(self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Credential {
    /// With the same rules as [`Credential::from_json`] except the size limit, which the
    /// caller's body limit sets; refusals are written `invalid input: claims.birthDate: …`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw: RawCredential = object(deserializer)?;
        Credential::try_from(raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::claims::tests::{sample, FIXTURE};
    use crate::credentials::country::Country;
    use crate::credentials::country_table::COUNTRIES;
    use crate::credentials::date::CalendarDate;
    use crate::credentials::serial::CredentialSerial;
    use crate::documents::model::DocumentType;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    fn fixture() -> Value {
        serde_json::from_str(FIXTURE).unwrap()
    }

    fn fixture_credential() -> Value {
        fixture()["credential"].clone()
    }

    fn parse(value: &Value) -> Result<Credential, CredentialJsonError> {
        Credential::from_json(value.to_string().as_bytes())
    }

    fn field_error(value: &Value, path: &str) -> String {
        match parse(value) {
            Err(CredentialJsonError::Invalid(errors)) => {
                errors.get(path).unwrap_or_else(|| panic!("no error at {path}: {errors}")).to_string()
            }
            other => panic!("expected a field error at {path}, got {other:?}"),
        }
    }

    #[test]
    fn the_circomlibjs_fixture_parses_and_hashes_the_same() {
        let credential = parse(&fixture_credential()).unwrap();
        assert_eq!(credential.claims, sample());
        assert_eq!(fr_to_decimal(&credential.claims_hash()), fixture()["claimsHash"].as_str().unwrap());
        assert_eq!(credential.issuer.id(), Some("iss_0123456789abcdef0123456789abcdef"));
        assert_eq!(credential.issuer.name(), Some("Honestly test issuer"));
        assert_eq!(
            fr_to_decimal(&credential.signature.s),
            fixture_credential()["signature"]["S"].as_str().unwrap()
        );
    }

    #[test]
    fn the_documented_example_is_the_fixture() {
        let doc = include_str!("../../../../docs/credential-format.md");
        let example = doc.split("```json\n").nth(1).and_then(|rest| rest.split("```").next()).unwrap();
        let documented = Credential::from_json(example.as_bytes()).unwrap();
        assert_eq!(documented, parse(&fixture_credential()).unwrap());
        assert_eq!(documented.to_json_pretty().trim_end(), example.trim_end());
        assert!(doc.contains(fixture()["claimsHash"].as_str().unwrap()));
    }

    #[test]
    fn writing_gives_the_canonical_form_back() {
        let credential = parse(&fixture_credential()).unwrap();
        let written: Value = serde_json::from_str(&credential.to_json()).unwrap();
        assert_eq!(written, fixture_credential());
        // Field order: claims in claimsHash order, then issuer, then signature.
        let text = credential.to_json();
        let order = [
            "\"schema\"",
            "\"credentialId\"",
            "\"holder\"",
            "\"documentHash\"",
            "\"birthDate\"",
            "\"documentExpiry\"",
            "\"nationality\"",
            "\"documentType\"",
            "\"issuedAt\"",
            "\"validUntil\"",
            "\"issuer\"",
            "\"id\"",
            "\"name\"",
            "\"public_key\"",
            "\"signature\"",
            "\"R8x\"",
            "\"R8y\"",
            "\"S\"",
        ];
        let positions: Vec<usize> = order.iter().map(|k| text.find(k).unwrap()).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
        // Canonical text parses and writes to the same bytes; so does the pretty form.
        assert_eq!(Credential::from_json(text.as_bytes()).unwrap().to_json(), text);
        let pretty = credential.to_json_pretty();
        assert_eq!(Credential::from_json(pretty.as_bytes()).unwrap(), credential);
        // serde goes through the same form.
        assert_eq!(serde_json::to_string(&credential).unwrap(), text);
        assert_eq!(serde_json::from_str::<Credential>(&text).unwrap(), credential);
    }

    #[test]
    fn unknown_issuer_id_and_name_are_left_out() {
        let mut value = fixture_credential();
        value["issuer"].as_object_mut().unwrap().remove("id");
        value["issuer"]["name"] = Value::Null;
        let credential = parse(&value).unwrap();
        assert_eq!((credential.issuer.id(), credential.issuer.name()), (None, None));
        let written: Value = serde_json::from_str(&credential.to_json()).unwrap();
        assert_eq!(written["issuer"], json!({"public_key": value["issuer"]["public_key"]}));
    }

    #[test]
    fn the_shape_is_strict() {
        let good = fixture_credential();
        let mut extra_top = good.clone();
        extra_top["claimsHash"] = json!("1");
        let mut extra_claim = good.clone();
        extra_claim["claims"]["age"] = json!("81");
        let mut extra_sig = good.clone();
        extra_sig["signature"]["R8"] = json!("1");
        let mut missing = good.clone();
        missing["claims"].as_object_mut().unwrap().remove("validUntil");
        let mut number = good.clone();
        number["claims"]["birthDate"] = json!(19_450_509);
        let mut lower = good.clone();
        let s = lower["signature"].as_object_mut().unwrap().remove("S").unwrap();
        lower["signature"]["s"] = s;
        let positional_top = json!([good["claims"], good["issuer"], good["signature"]]);
        let mut positional_claims = good.clone();
        positional_claims["claims"] =
            Value::Array(good["claims"].as_object().unwrap().values().cloned().collect());
        let mut positional_key = good.clone();
        positional_key["issuer"]["public_key"] =
            json!([good["issuer"]["public_key"]["x"], good["issuer"]["public_key"]["y"]]);
        for (bad, words) in [
            (extra_top, "unknown field `claimsHash`"),
            (extra_claim, "unknown field `age`"),
            (extra_sig, "unknown field `R8`"),
            (missing, "missing field `validUntil`"),
            (number, "invalid type: integer `19450509`, expected a string"),
            (lower, "unknown field `s`"),
            (json!([]), "invalid type: sequence, expected a JSON object"),
            (positional_top, "invalid type: sequence, expected a JSON object"),
            (positional_claims, "invalid type: sequence, expected a JSON object"),
            (positional_key, "invalid type: sequence, expected a JSON object"),
        ] {
            match parse(&bad) {
                Err(CredentialJsonError::Malformed(message)) => assert!(message.contains(words), "{message}"),
                other => panic!("{words}: {other:?}"),
            }
        }
        let text = good.to_string();
        let repeated = text.replacen("\"schema\":\"1\"", "\"schema\":\"1\",\"schema\":\"1\"", 1);
        assert!(
            matches!(Credential::from_json(repeated.as_bytes()), Err(CredentialJsonError::Malformed(m)) if m.contains("duplicate field `schema`"))
        );
        assert!(matches!(Credential::from_json(b"{"), Err(CredentialJsonError::Malformed(_))));
        assert!(matches!(Credential::from_json(b""), Err(CredentialJsonError::Malformed(_))));
        let trailing = format!("{text} {{}}");
        assert!(
            matches!(Credential::from_json(trailing.as_bytes()), Err(CredentialJsonError::Malformed(m)) if m.contains("trailing characters"))
        );
        assert!(serde_json::from_value::<Credential>(json!([
            good["claims"],
            good["issuer"],
            good["signature"]
        ]))
        .is_err());
    }

    #[test]
    fn the_size_is_bounded() {
        let mut value = fixture_credential();
        value["issuer"]["name"] = json!("n".repeat(MAX_CREDENTIAL_JSON_BYTES));
        assert_eq!(parse(&value), Err(CredentialJsonError::TooLarge));
        // Just under the bound, the refusal is about the name, not the size.
        let padded = format!(
            "{}{}",
            fixture_credential(),
            " ".repeat(MAX_CREDENTIAL_JSON_BYTES - fixture_credential().to_string().len())
        );
        assert_eq!(padded.len(), MAX_CREDENTIAL_JSON_BYTES);
        assert!(Credential::from_json(padded.as_bytes()).is_ok());
        assert_eq!(
            Credential::from_json(format!("{padded} ").as_bytes()),
            Err(CredentialJsonError::TooLarge)
        );
    }

    #[test]
    fn numbers_must_be_canonical_and_in_the_field() {
        let modulus = "21888242871839275222246405745257275088548364400416034343698204186575808495617";
        for (path, bad) in [
            ("claims.holder", modulus),
            ("claims.birthDate", "019450509"),
            ("claims.schema", "+1"),
            ("claims.nationality", " 276"),
            ("claims.documentType", "0x1"),
            ("claims.issuedAt", ""),
            ("issuer.public_key.x", "-1"),
            ("issuer.public_key.y", modulus),
            ("signature.R8x", "1e3"),
            ("signature.R8y", "1.0"),
            ("signature.S", "00"),
        ] {
            let mut value = fixture_credential();
            let (object, key) = path.split_once('.').unwrap();
            match key.split_once('.') {
                Some((inner, leaf)) => value[object][inner][leaf] = json!(bad),
                None => value[object][key] = json!(bad),
            }
            assert_eq!(
                field_error(&value, path),
                "must be a canonical decimal number (a string) below the field modulus",
                "{path} = {bad:?}"
            );
        }
    }

    #[test]
    fn claims_are_checked_by_type_and_together() {
        let cases = [
            ("schema", "2", "unsupported schema (only 1 is known)"),
            ("birthDate", "19450230", "not a date YYYYMMDD: day 30 does not exist in 1945-02"),
            ("nationality", "999", "999 is not an ISO 3166-1 numeric country code (0 means not stated)"),
            ("documentType", "9", "unknown document type 9"),
            ("credentialId", "0", "must be 1 to 2^128 - 1"),
            ("validUntil", "20261201", "is before issuedAt"),
            ("holder", "0", "must not be 0"),
        ];
        for (claim, bad, reason) in cases {
            let mut value = fixture_credential();
            value["claims"][claim] = json!(bad);
            assert_eq!(field_error(&value, &format!("claims.{claim}")), reason, "{claim}");
        }
        let mut not_stated = fixture_credential();
        not_stated["claims"]["nationality"] = json!("0");
        not_stated["claims"]["documentExpiry"] = json!("0");
        let credential = parse(&not_stated).unwrap();
        assert_eq!(credential.claims.nationality, Country::NOT_STATED);
        assert_eq!(credential.claims.document_expiry, None);
    }

    fn arb_fr() -> impl Strategy<Value = Fr> {
        prop::array::uniform32(any::<u8>()).prop_map(|digest| Claims::document_hash_of(&digest))
    }

    fn arb_date() -> impl Strategy<Value = CalendarDate> {
        (1000..=9999u32, 1..=12u32, 1..=28u32)
            .prop_map(|(y, m, day)| CalendarDate::from_ymd(y, m, day).unwrap())
    }

    /// Any consistent credential: dates ordered birth ≤ issued ≤ valid until, expiry after issue.
    fn arb_credential() -> impl Strategy<Value = Credential> {
        let dates = prop::collection::vec(arb_date(), 4).prop_map(|mut dates| {
            dates.sort();
            dates
        });
        let countries = (0..=COUNTRIES.len()).prop_map(|i| {
            COUNTRIES
                .get(i)
                .map_or(Country::NOT_STATED, |e| Country::from_numeric(u64::from(e.numeric)).unwrap())
        });
        (
            1..=u128::MAX,
            arb_fr(),
            arb_fr(),
            dates,
            any::<bool>(),
            countries,
            prop::sample::select(DocumentType::ALL.to_vec()),
            (arb_fr(), arb_fr(), arb_fr(), arb_fr(), arb_fr()),
            prop::option::of("[a-zA-Z0-9][a-zA-Z0-9 äöüß.-]{0,40}[a-z]"),
            any::<bool>(),
        )
            .prop_filter("holder and documentHash are non-zero", |t| {
                t.1 != Fr::from(0u64) && t.2 != Fr::from(0u64)
            })
            .prop_map(
                |(
                    serial,
                    holder,
                    document_hash,
                    dates,
                    expires,
                    nationality,
                    document_type,
                    points,
                    name,
                    with_id,
                )| {
                    let (x, y, r8x, r8y, s) = points;
                    Credential {
                        claims: Claims {
                            credential_id: CredentialSerial::new(serial).unwrap(),
                            holder,
                            document_hash,
                            birth_date: dates[0],
                            issued_at: dates[1],
                            valid_until: dates[2],
                            document_expiry: expires.then_some(dates[3]),
                            nationality,
                            document_type,
                        },
                        issuer: CredentialIssuer::new(
                            IssuerPublicKey { x, y },
                            with_id.then_some("iss_00000000000000000000000000000abc"),
                            name.as_deref(),
                        )
                        .unwrap(),
                        signature: IssuerSignature { r8x, r8y, s },
                    }
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn any_credential_round_trips_through_its_canonical_form(credential in arb_credential()) {
            let text = credential.to_json();
            let back = Credential::from_json(text.as_bytes()).unwrap();
            prop_assert_eq!(&back, &credential);
            prop_assert_eq!(back.to_json(), text);
            prop_assert_eq!(Credential::from_json(credential.to_json_pretty().as_bytes()).unwrap(), credential);
        }

        #[test]
        fn a_changed_claim_is_a_different_claims_hash(credential in arb_credential(), index in 0..CLAIM_COUNT, bump in 1..1000u64) {
            let mut fields = credential.claims.fields();
            fields[index] += Fr::from(bump);
            prop_assert_ne!(honestly_zk::poseidon_hash(&fields), credential.claims_hash());
        }
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut value = fixture_credential();
        value["claims"]["birthDate"] = json!("1");
        value["issuer"]["id"] = json!("iss_nope");
        value["signature"]["S"] = json!("x");
        let Err(CredentialJsonError::Invalid(errors)) = parse(&value) else { panic!() };
        let fields: Vec<String> = errors.into_map().into_keys().collect();
        assert_eq!(fields, ["claims.birthDate", "issuer.id", "signature.S"]);
        let message = serde_json::from_value::<Credential>(value).unwrap_err().to_string();
        assert!(message.starts_with("invalid input: claims.birthDate: "), "{message}");
    }
}
