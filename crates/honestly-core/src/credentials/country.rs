//! Countries as credentials carry them: ISO 3166-1 numeric codes (`276` = Germany), with `0`
//! meaning "not stated".
//!
//! A [`Country`] is built only from a current ISO 3166-1 code (numeric, alpha-2 or alpha-3,
//! see [`super::country_table`]) or from the explicit [`Country::NOT_STATED`], so an unknown or
//! withdrawn code never reaches a credential.

use std::fmt;
use std::str::FromStr;

use honestly_zk::Fr;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::country_table::{CountryEntry, COUNTRIES};

/// The longest text [`Country::parse`] looks at before refusing it.
const MAX_TEXT: usize = 8;

/// Why a text or number names no country.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CountryError {
    /// A number that is not a current ISO 3166-1 numeric code.
    #[error("{0} is not an ISO 3166-1 numeric country code (0 means not stated)")]
    UnknownNumeric(u64),
    /// A two- or three-letter text that is not a current alpha-2 or alpha-3 code.
    #[error("{0:?} is not an ISO 3166-1 alpha-2 or alpha-3 country code")]
    UnknownAlpha(String),
    /// A text that is neither digits nor two or three letters.
    #[error("not a country code: use an ISO 3166-1 numeric (276), alpha-2 (DE) or alpha-3 (DEU) code")]
    NotACode,
}

/// A country or territory by its ISO 3166-1 numeric code, or "not stated" (`0`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Country(u16);

impl Country {
    /// Nationality not stated: the code `0`.
    pub const NOT_STATED: Country = Country(0);

    /// The country with ISO 3166-1 numeric code `code`; `0` is [`Country::NOT_STATED`].
    pub fn from_numeric(code: u64) -> Result<Self, CountryError> {
        if code == 0 {
            return Ok(Self::NOT_STATED);
        }
        u16::try_from(code)
            .ok()
            .and_then(entry_by_numeric)
            .map(|entry| Self(entry.numeric))
            .ok_or(CountryError::UnknownNumeric(code))
    }

    /// The country named by `raw`: a numeric code (`276`, `004`, `4`; `0` is not stated), an
    /// alpha-2 code (`DE`) or an alpha-3 code (`DEU`); letters in either case.
    pub fn parse(raw: &str) -> Result<Self, CountryError> {
        if raw.is_empty() || raw.len() > MAX_TEXT {
            return Err(CountryError::NotACode);
        }
        if raw.bytes().all(|b| b.is_ascii_digit()) {
            if raw.len() > 3 {
                return Err(CountryError::NotACode);
            }
            let code = raw.bytes().fold(0u64, |acc, b| acc * 10 + u64::from(b - b'0'));
            return Self::from_numeric(code);
        }
        if !(2..=3).contains(&raw.len()) || !raw.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(CountryError::NotACode);
        }
        let upper = raw.to_ascii_uppercase();
        COUNTRIES
            .iter()
            .find(|entry| entry.alpha2 == upper || entry.alpha3 == upper)
            .map(|entry| Self(entry.numeric))
            .ok_or(CountryError::UnknownAlpha(raw.to_owned()))
    }

    /// The numeric code (`0` when not stated).
    pub const fn numeric(self) -> u16 {
        self.0
    }

    /// Whether a country is stated (the code is not `0`).
    pub const fn is_stated(self) -> bool {
        self.0 != 0
    }

    /// The ISO 3166-1 entry (codes and English short name); `None` when not stated.
    pub fn entry(self) -> Option<&'static CountryEntry> {
        entry_by_numeric(self.0)
    }

    /// The alpha-2 code, or `None` when not stated.
    pub fn alpha2(self) -> Option<&'static str> {
        self.entry().map(|entry| entry.alpha2)
    }

    /// The English short name, or `"not stated"`.
    pub fn name(self) -> &'static str {
        self.entry().map_or("not stated", |entry| entry.name)
    }

    /// The code as a field element.
    pub fn to_field(self) -> Fr {
        Fr::from(self.0)
    }
}

fn entry_by_numeric(code: u16) -> Option<&'static CountryEntry> {
    COUNTRIES.binary_search_by_key(&code, |entry| entry.numeric).ok().map(|i| &COUNTRIES[i])
}

impl fmt::Display for Country {
    /// The numeric code, zero-padded to three digits as ISO writes it (`276`, `004`, `000`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.0)
    }
}

impl fmt::Debug for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.entry() {
            Some(entry) => write!(f, "Country({} {})", self.0, entry.alpha2),
            None => f.write_str("Country(not stated)"),
        }
    }
}

impl FromStr for Country {
    type Err = CountryError;

    fn from_str(raw: &str) -> Result<Self, CountryError> {
        Self::parse(raw)
    }
}

impl Serialize for Country {
    /// Written as the numeric code (a JSON number; `0` when not stated).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u16(self.0)
    }
}

impl<'de> Deserialize<'de> for Country {
    /// Read from a number (`276`, `0`) or a text ([`Country::parse`]: `"DEU"`, `"DE"`, `"276"`).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Country;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ISO 3166-1 numeric code or an alpha-2/alpha-3 code")
            }

            fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Country, E> {
                Country::from_numeric(value).map_err(E::custom)
            }

            fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Country, E> {
                u64::try_from(value)
                    .map_err(|_| E::custom(CountryError::NotACode))
                    .and_then(|v| self.visit_u64(v))
            }

            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Country, E> {
                Country::parse(value).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_table_is_the_full_current_list() {
        assert_eq!(COUNTRIES.len(), 249);
        assert!(COUNTRIES.windows(2).all(|w| w[0].numeric < w[1].numeric), "sorted, no duplicates");
        let alpha2: HashSet<_> = COUNTRIES.iter().map(|e| e.alpha2).collect();
        let alpha3: HashSet<_> = COUNTRIES.iter().map(|e| e.alpha3).collect();
        assert_eq!((alpha2.len(), alpha3.len()), (249, 249));
        for entry in &COUNTRIES {
            assert!((1..=999).contains(&entry.numeric), "{entry:?}");
            assert!(
                entry.alpha2.len() == 2 && entry.alpha2.bytes().all(|b| b.is_ascii_uppercase()),
                "{entry:?}"
            );
            assert!(
                entry.alpha3.len() == 3 && entry.alpha3.bytes().all(|b| b.is_ascii_uppercase()),
                "{entry:?}"
            );
            assert!(!entry.name.is_empty() && entry.name.trim() == entry.name, "{entry:?}");
        }
        for (numeric, alpha2, alpha3, name) in [
            (4, "AF", "AFG", "Afghanistan"),
            (248, "AX", "ALA", "Åland Islands"),
            (276, "DE", "DEU", "Germany"),
            (250, "FR", "FRA", "France"),
            (826, "GB", "GBR", "United Kingdom"),
            (840, "US", "USA", "United States"),
            (688, "RS", "SRB", "Serbia"),
            (728, "SS", "SSD", "South Sudan"),
            (531, "CW", "CUW", "Curaçao"),
            (894, "ZM", "ZMB", "Zambia"),
        ] {
            let country = Country::from_numeric(numeric).unwrap();
            let entry = country.entry().unwrap();
            assert_eq!((entry.alpha2, entry.alpha3, entry.name), (alpha2, alpha3, name));
            assert_eq!(Country::parse(alpha2), Ok(country));
            assert_eq!(Country::parse(alpha3), Ok(country));
        }
    }

    #[test]
    fn every_entry_parses_from_each_of_its_codes() {
        for entry in &COUNTRIES {
            let country = Country::from_numeric(u64::from(entry.numeric)).unwrap();
            assert_eq!(country.numeric(), entry.numeric);
            assert_eq!(Country::parse(&country.to_string()), Ok(country));
            assert_eq!(Country::parse(&entry.numeric.to_string()), Ok(country));
            assert_eq!(Country::parse(entry.alpha2), Ok(country));
            assert_eq!(Country::parse(&entry.alpha3.to_ascii_lowercase()), Ok(country));
            assert_eq!(country.alpha2(), Some(entry.alpha2));
            assert_eq!(country.name(), entry.name);
            assert!(country.is_stated());
        }
    }

    #[test]
    fn not_stated_is_explicit() {
        for zero in ["0", "00", "000"] {
            assert_eq!(Country::parse(zero), Ok(Country::NOT_STATED));
        }
        assert_eq!(Country::from_numeric(0), Ok(Country::NOT_STATED));
        assert!(!Country::NOT_STATED.is_stated());
        assert_eq!(Country::NOT_STATED.entry(), None);
        assert_eq!(Country::NOT_STATED.alpha2(), None);
        assert_eq!(Country::NOT_STATED.name(), "not stated");
        assert_eq!(Country::NOT_STATED.to_string(), "000");
        assert_eq!(Country::NOT_STATED.to_field(), Fr::from(0u64));
    }

    #[test]
    fn unknown_and_withdrawn_codes_are_refused_clearly() {
        // 200 Czechoslovakia, 891 Serbia and Montenegro, 530 Netherlands Antilles: withdrawn.
        for code in [1, 200, 891, 530, 999, 1000, 65_536, u64::MAX] {
            assert_eq!(Country::from_numeric(code), Err(CountryError::UnknownNumeric(code)));
        }
        assert_eq!(
            Country::from_numeric(999).unwrap_err().to_string(),
            "999 is not an ISO 3166-1 numeric country code (0 means not stated)"
        );
        assert_eq!(Country::parse("891"), Err(CountryError::UnknownNumeric(891)));
        assert_eq!(Country::parse("XK"), Err(CountryError::UnknownAlpha("XK".into())));
        assert_eq!(
            Country::parse("ZZZ").unwrap_err().to_string(),
            "\"ZZZ\" is not an ISO 3166-1 alpha-2 or alpha-3 country code"
        );
        for bad in ["", "0276", "D", "DEUT", "D1", "-276", "27 6", "Germany", "DÉ", "２７６", "Ü"] {
            assert_eq!(Country::parse(bad), Err(CountryError::NotACode), "{bad:?}");
        }
    }

    #[test]
    fn serde_reads_numbers_and_codes_and_writes_numbers() {
        let germany = Country::from_numeric(276).unwrap();
        assert_eq!(serde_json::to_string(&germany).unwrap(), "276");
        for json in ["276", "\"276\"", "\"DE\"", "\"DEU\"", "\"deu\""] {
            assert_eq!(serde_json::from_str::<Country>(json).unwrap(), germany, "{json}");
        }
        assert_eq!(serde_json::from_str::<Country>("0").unwrap(), Country::NOT_STATED);
        for bad in ["-1", "999", "\"ZZ\"", "2.5", "null", "[276]"] {
            assert!(serde_json::from_str::<Country>(bad).is_err(), "{bad}");
        }
        let message = serde_json::from_str::<Country>("999").unwrap_err().to_string();
        assert!(message.starts_with("999 is not an ISO 3166-1 numeric country code"), "{message}");
    }
}
