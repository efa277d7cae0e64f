//! The public signals of `credential_query` as typed values, and their strict reading.

use super::{query_signal_index as at, QUERY_N_PUBLIC};
use crate::{
    circuits::{
        check_count,
        predicates::{COUNTRY_BITS, DATE_BITS, MIN_AGE_BITS, NATIONALITY_LIST_LEN, NATIONALITY_NOT_IN},
        small,
    },
    error::ParseError,
    Fr,
};

/// Public signals of `credential_query`, in [`super::QUERY_PUBLIC_SIGNALS`] order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryPublic {
    /// `(issuerAx, issuerAy)`.
    pub issuer: (Fr, Fr),
    /// `revocationRoot`.
    pub revocation_root: Fr,
    /// `referenceDate` (YYYYMMDD, < 2^27).
    pub reference_date: u64,
    /// `minAge` (< 2^8, 0 = not asked).
    pub min_age: u64,
    /// `notExpired`.
    pub not_expired: bool,
    /// `nationalityMode` (0 none, 1 in, 2 not in).
    pub nationality_mode: u64,
    /// `nationalityList` (each < 2^10, unused slots 0).
    pub nationality_list: [u64; NATIONALITY_LIST_LEN],
    /// `discloseNationality`.
    pub disclose_nationality: bool,
    /// `scope`.
    pub scope: Fr,
    /// `nonce`.
    pub nonce: Fr,
    /// `disclosedNationality` (0 when not disclosed).
    pub disclosed_nationality: u64,
    /// `nullifier = Poseidon(holderSecret, scope)`.
    pub nullifier: Fr,
}

impl QueryPublic {
    /// The public signals, in the circuit's order.
    pub fn to_signals(&self) -> [Fr; QUERY_N_PUBLIC] {
        let mut s = [Fr::from(0u64); QUERY_N_PUBLIC];
        s[at("issuerAx")] = self.issuer.0;
        s[at("issuerAy")] = self.issuer.1;
        s[at("revocationRoot")] = self.revocation_root;
        s[at("referenceDate")] = Fr::from(self.reference_date);
        s[at("minAge")] = Fr::from(self.min_age);
        s[at("notExpired")] = Fr::from(u64::from(self.not_expired));
        s[at("nationalityMode")] = Fr::from(self.nationality_mode);
        for (i, code) in self.nationality_list.iter().enumerate() {
            s[at("nationalityList[0]") + i] = Fr::from(*code);
        }
        s[at("discloseNationality")] = Fr::from(u64::from(self.disclose_nationality));
        s[at("scope")] = self.scope;
        s[at("nonce")] = self.nonce;
        s[at("disclosedNationality")] = Fr::from(self.disclosed_nationality);
        s[at("nullifier")] = self.nullifier;
        s
    }

    /// Reads the signals back; refuses a wrong count and any value the circuit cannot accept
    /// (a date ≥ 2^27, `minAge` ≥ 2^8, a flag other than 0/1, a mode above 2, a country code
    /// ≥ 2^10), naming the signal.
    pub fn from_signals(signals: &[Fr]) -> Result<Self, ParseError> {
        check_count(signals, QUERY_N_PUBLIC)?;
        let get = |name: &'static str, bits: u32| small(&signals[at(name)], bits, name);
        let flag = |name: &'static str| get(name, 1).map(|v| v == 1);
        let nationality_mode = get("nationalityMode", 2)?;
        if nationality_mode > NATIONALITY_NOT_IN {
            return Err(ParseError::Shape {
                path: "nationalityMode".to_string(),
                expected: "a value in the circuit's range",
            });
        }
        let mut nationality_list = [0u64; NATIONALITY_LIST_LEN];
        for (i, code) in nationality_list.iter_mut().enumerate() {
            *code = small(&signals[at("nationalityList[0]") + i], COUNTRY_BITS as u32, "nationalityList")?;
        }
        Ok(Self {
            issuer: (signals[at("issuerAx")], signals[at("issuerAy")]),
            revocation_root: signals[at("revocationRoot")],
            reference_date: get("referenceDate", DATE_BITS as u32)?,
            min_age: get("minAge", MIN_AGE_BITS as u32)?,
            not_expired: flag("notExpired")?,
            nationality_mode,
            nationality_list,
            disclose_nationality: flag("discloseNationality")?,
            scope: signals[at("scope")],
            nonce: signals[at("nonce")],
            disclosed_nationality: get("disclosedNationality", COUNTRY_BITS as u32)?,
            nullifier: signals[at("nullifier")],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> QueryPublic {
        QueryPublic {
            issuer: (Fr::from(11u64), Fr::from(12u64)),
            revocation_root: Fr::from(13u64),
            reference_date: 20240601,
            min_age: 18,
            not_expired: true,
            nationality_mode: 2,
            nationality_list: [840, 826, 0, 0, 0, 0, 0, 999],
            disclose_nationality: true,
            scope: Fr::from(14u64),
            nonce: -Fr::from(1u64),
            disclosed_nationality: 276,
            nullifier: Fr::from(15u64),
        }
    }

    #[test]
    fn signals_round_trip() {
        let p = sample();
        let s = p.to_signals();
        assert_eq!(s[at("nationalityList[7]")], Fr::from(999u64));
        assert_eq!(QueryPublic::from_signals(&s), Ok(p));
    }

    #[test]
    fn out_of_range_signals_are_refused_by_name() {
        let s = sample().to_signals();
        assert!(matches!(
            QueryPublic::from_signals(&s[..QUERY_N_PUBLIC - 1]),
            Err(ParseError::PublicCount { expected: QUERY_N_PUBLIC, got: 19 })
        ));
        for (name, value) in [
            ("referenceDate", 1u64 << 27),
            ("minAge", 256),
            ("notExpired", 2),
            ("discloseNationality", 2),
            ("nationalityMode", 3),
            ("nationalityList[3]", 1024),
            ("disclosedNationality", 1024),
        ] {
            let mut bad = s;
            bad[at(name)] = Fr::from(value);
            let err = QueryPublic::from_signals(&bad).unwrap_err();
            let expected = name.split('[').next().unwrap();
            assert!(matches!(&err, ParseError::Shape { path, .. } if path == expected), "{name}: {err:?}");
        }
    }
}
