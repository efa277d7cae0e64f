//! A signed credential: its claims, the issuer that signed them (public key, and id and name
//! where known) and the signature over `claimsHash`. Its JSON form is in [`super::json`].

use honestly_zk::Fr;

use super::claims::Claims;
use super::date::CalendarDate;
use super::signature::{IssuerPublicKey, IssuerSignature, SignatureCheck};
use crate::error::FieldErrors;

/// The longest issuer name a credential may carry, in characters.
pub const MAX_ISSUER_NAME_CHARS: usize = 128;

/// The prefix of an issuer id (`iss_` and 32 lower-case hex digits, like every id).
pub const ISSUER_ID_PREFIX: &str = "iss_";

/// Who signed a credential: the public key, and the issuer's id and name where known (an
/// external issuer may have neither on this server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialIssuer {
    public_key: IssuerPublicKey,
    id: Option<String>,
    name: Option<String>,
}

/// Whether `id` is an issuer id: `iss_` followed by 32 lower-case hex digits.
pub fn is_issuer_id(id: &str) -> bool {
    id.strip_prefix(ISSUER_ID_PREFIX)
        .is_some_and(|rest| rest.len() == 32 && rest.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

/// Why `name` cannot be an issuer's name, if it cannot.
fn issuer_name_problem(name: &str) -> Option<String> {
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_ISSUER_NAME_CHARS {
        Some(format!("must be 1 to {MAX_ISSUER_NAME_CHARS} characters"))
    } else if name.chars().any(char::is_control) {
        Some("must not contain control characters".into())
    } else if name.trim() != name {
        Some("must not start or end with spaces".into())
    } else {
        None
    }
}

impl CredentialIssuer {
    /// The issuer with `public_key`, and `id` / `name` when known. Refusals are named
    /// `issuer.id` and `issuer.name`.
    pub fn new(
        public_key: IssuerPublicKey,
        id: Option<&str>,
        name: Option<&str>,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        if id.is_some_and(|id| !is_issuer_id(id)) {
            errors
                .add("issuer.id", format!("must be {ISSUER_ID_PREFIX} followed by 32 lower-case hex digits"));
        }
        if let Some(problem) = name.and_then(issuer_name_problem) {
            errors.add("issuer.name", problem);
        }
        errors.into_result().map(|()| Self {
            public_key,
            id: id.map(str::to_owned),
            name: name.map(str::to_owned),
        })
    }

    /// The issuer's public key.
    pub fn public_key(&self) -> &IssuerPublicKey {
        &self.public_key
    }

    /// The issuer's id on this server, if known.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The issuer's name, if known.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
}

/// A credential as a holder stores, exports and imports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// The signed claims.
    pub claims: Claims,
    /// Who signed them.
    pub issuer: CredentialIssuer,
    /// The issuer's EdDSA-Poseidon signature over [`Claims::claims_hash`].
    pub signature: IssuerSignature,
}

impl Credential {
    /// `claimsHash`, the message the issuer signed.
    pub fn claims_hash(&self) -> Fr {
        self.claims.claims_hash()
    }

    /// The claims' rules, including those that depend on `today` ([`Claims::check_at`]), with
    /// refusals named as in the JSON form (`claims.birthDate`): what an import checks after
    /// parsing.
    pub fn check_at(&self, today: CalendarDate) -> Result<(), FieldErrors> {
        self.claims.check_at_named(today, "claims.")
    }

    /// Whether the signature is the issuer key's signature over `claimsHash`, as `check`
    /// (the EdDSA-Poseidon verifier) decides.
    pub fn verify_signature(&self, check: &impl SignatureCheck) -> bool {
        check.verify(self.issuer.public_key(), &self.claims_hash(), &self.signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::claims::tests::sample;

    fn key() -> IssuerPublicKey {
        IssuerPublicKey { x: Fr::from(1u64), y: Fr::from(2u64) }
    }

    #[test]
    fn issuer_ids_and_names_are_checked() {
        let ok = CredentialIssuer::new(
            key(),
            Some("iss_0123456789abcdef0123456789abcdef"),
            Some("Bürgeramt Mitte"),
        );
        let ok = ok.unwrap();
        assert_eq!(ok.id(), Some("iss_0123456789abcdef0123456789abcdef"));
        assert_eq!(ok.name(), Some("Bürgeramt Mitte"));
        assert_eq!(ok.public_key(), &key());
        assert!(CredentialIssuer::new(key(), None, None).is_ok());
        for bad_id in [
            "",
            "iss_",
            "usr_0123456789abcdef0123456789abcdef",
            "iss_0123456789ABCDEF0123456789abcdef",
            "iss_0123",
        ] {
            let errors = CredentialIssuer::new(key(), Some(bad_id), None).unwrap_err();
            assert_eq!(
                errors.get("issuer.id"),
                Some("must be iss_ followed by 32 lower-case hex digits"),
                "{bad_id:?}"
            );
        }
        let long = "x".repeat(MAX_ISSUER_NAME_CHARS + 1);
        for (bad_name, reason) in [
            ("", "must be 1 to 128 characters"),
            (long.as_str(), "must be 1 to 128 characters"),
            ("a\nb", "must not contain control characters"),
            (" padded", "must not start or end with spaces"),
        ] {
            let errors = CredentialIssuer::new(key(), None, Some(bad_name)).unwrap_err();
            assert_eq!(errors.get("issuer.name"), Some(reason), "{bad_name:?}");
        }
        assert!(CredentialIssuer::new(key(), None, Some(&"é".repeat(MAX_ISSUER_NAME_CHARS))).is_ok());
    }

    #[test]
    fn todays_rules_are_named_as_in_the_json_form() {
        let credential = Credential {
            claims: sample(),
            issuer: CredentialIssuer::new(key(), None, None).unwrap(),
            signature: IssuerSignature { r8x: Fr::from(3u64), r8y: Fr::from(4u64), s: Fr::from(5u64) },
        };
        let day = |v| CalendarDate::from_yyyymmdd(v).unwrap();
        assert_eq!(credential.check_at(day(20_261_202)), Ok(()));
        let errors = credential.check_at(day(19_450_508)).unwrap_err();
        assert_eq!(errors.get("claims.birthDate"), Some("is in the future"));
        assert_eq!(errors.get("claims.issuedAt"), Some("is in the future"));
    }

    #[test]
    fn the_signature_hook_is_asked_about_the_claims_hash() {
        let credential = Credential {
            claims: sample(),
            issuer: CredentialIssuer::new(key(), None, None).unwrap(),
            signature: IssuerSignature { r8x: Fr::from(3u64), r8y: Fr::from(4u64), s: Fr::from(5u64) },
        };
        let expected = sample().claims_hash();
        let accepts_only_the_claims_hash = |k: &IssuerPublicKey, m: &Fr, s: &IssuerSignature| {
            *k == key() && *m == expected && s.s == Fr::from(5u64)
        };
        assert!(credential.verify_signature(&accepts_only_the_claims_hash));
        let mut other = credential.clone();
        other.claims.birth_date = crate::credentials::CalendarDate::from_yyyymmdd(19_450_510).unwrap();
        assert!(!other.verify_signature(&accepts_only_the_claims_hash));
    }
}
