//! The issuer key file: an external issuer's EdDSA-Poseidon private key, kept by the issuer
//! (`honestly issuer keygen` writes it, `honestly issuer sign` and `revoke` read it):
//!
//! ```json
//! {"version": 1, "kind": "honestly-issuer-key", "private_key": "<64 hex digits>",
//!  "public_key": {"x": "…", "y": "…"}, "name": "…", "id": "iss_…"}
//! ```
//!
//! `name` and `id` are optional and go into the credentials the key signs. Reading is strict:
//! at most [`MAX_ISSUER_KEY_FILE_BYTES`], no unknown or repeated fields, and `public_key` must
//! be the public key of `private_key` (a file edited by hand, or two files mixed up, is
//! refused instead of signing credentials nobody can verify). `docs/credential-format.md`
//! describes the format.

use honestly_zk::eddsa::{PrivateKey, PublicKey};
use honestly_zk::revocation::RevocationState;
use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use super::claims::Claims;
use super::credential::{Credential, CredentialIssuer};
use super::native_eddsa::{issuer_public_key, issuer_signature};
use super::SignedState;
use crate::error::FieldErrors;

/// The largest issuer key file accepted, in bytes (a key file is about 300 bytes).
pub const MAX_ISSUER_KEY_FILE_BYTES: usize = 4 * 1024;

/// The `kind` of an issuer key file.
pub const ISSUER_KEY_KIND: &str = "honestly-issuer-key";

/// The only `version` of the issuer key file.
pub const ISSUER_KEY_VERSION: u64 = 1;

/// Why an issuer key file was refused. No variant carries the private key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssuerKeyFileError {
    /// More than [`MAX_ISSUER_KEY_FILE_BYTES`].
    #[error("an issuer key file is at most {MAX_ISSUER_KEY_FILE_BYTES} bytes")]
    TooLarge,
    /// Not JSON, or not the key file's shape (unknown, repeated or missing field, a value of
    /// the wrong type); the words are serde's.
    #[error("not an issuer key file: {0}")]
    Malformed(String),
    /// The shape is right, but values are refused (each named by its field).
    #[error(transparent)]
    Invalid(#[from] FieldErrors),
    /// `public_key` is not the public key of `private_key`.
    #[error("the key file's public_key is not the public key of its private_key (edited or damaged file)")]
    PublicKeyMismatch,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKeyFile {
    version: u64,
    kind: String,
    private_key: String,
    public_key: honestly_zk::babyjub::PointJson,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    id: Option<String>,
}

impl Drop for RawKeyFile {
    fn drop(&mut self) {
        self.private_key.zeroize();
    }
}

#[derive(Serialize)]
struct KeyFileOut<'a> {
    version: u64,
    kind: &'a str,
    private_key: &'a str,
    public_key: honestly_zk::babyjub::PointJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
}

/// An issuer's signing key with its public key and, when given, its name and id.
#[derive(Debug)]
pub struct IssuerKeyFile {
    private_key: PrivateKey,
    public_key: PublicKey,
    issuer: CredentialIssuer,
}

/// The issuer with `public_key`, `id` and `name`, refusals named `id` and `name` (the key
/// file's fields).
fn issuer_of(
    public_key: &PublicKey,
    id: Option<&str>,
    name: Option<&str>,
) -> Result<CredentialIssuer, FieldErrors> {
    CredentialIssuer::new(issuer_public_key(public_key), id, name).map_err(|errors| {
        let mut renamed = FieldErrors::new();
        for (field, reason) in errors.into_map() {
            renamed.add(field.trim_start_matches("issuer."), reason);
        }
        renamed
    })
}

/// The 32 bytes written as 64 hex digits (either case).
fn private_key_bytes(raw: &str) -> Option<Zeroizing<[u8; 32]>> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    (raw.len() == 64 && hex::decode_to_slice(raw, &mut bytes[..]).is_ok()).then_some(bytes)
}

impl IssuerKeyFile {
    /// A fresh key from the operating system's random generator, with an optional `name` and
    /// `id` (checked as a credential's issuer name and id).
    pub fn generate(name: Option<&str>, id: Option<&str>) -> Result<Self, FieldErrors> {
        Self::generate_with_rng(&mut rand::rngs::OsRng, name, id)
    }

    /// [`IssuerKeyFile::generate`] with the random generator `rng`.
    pub fn generate_with_rng<R: RngCore + CryptoRng>(
        rng: &mut R,
        name: Option<&str>,
        id: Option<&str>,
    ) -> Result<Self, FieldErrors> {
        Self::from_private_key(PrivateKey::generate(rng), name, id)
    }

    /// The key file of `private_key`, with an optional `name` and `id`.
    pub fn from_private_key(
        private_key: PrivateKey,
        name: Option<&str>,
        id: Option<&str>,
    ) -> Result<Self, FieldErrors> {
        let public_key = private_key.public_key();
        let issuer = issuer_of(&public_key, id, name)?;
        Ok(Self { private_key, public_key, issuer })
    }

    /// Parses a key file (see the module's documentation for every rule).
    pub fn from_json(bytes: &[u8]) -> Result<Self, IssuerKeyFileError> {
        if bytes.len() > MAX_ISSUER_KEY_FILE_BYTES {
            return Err(IssuerKeyFileError::TooLarge);
        }
        let raw: RawKeyFile =
            serde_json::from_slice(bytes).map_err(|e| IssuerKeyFileError::Malformed(e.to_string()))?;
        let mut errors = FieldErrors::new();
        if raw.version != ISSUER_KEY_VERSION {
            errors.add(
                "version",
                format!("unsupported version {} (only {ISSUER_KEY_VERSION} is known)", raw.version),
            );
        }
        if raw.kind != ISSUER_KEY_KIND {
            errors.add("kind", format!("must be {ISSUER_KEY_KIND:?}"));
        }
        let private_key = private_key_bytes(&raw.private_key);
        if private_key.is_none() {
            errors.add("private_key", "must be 64 hex digits (32 bytes)");
        }
        let public_key = PublicKey::from_decimal(&raw.public_key.x, &raw.public_key.y)
            .map_err(|e| errors.add("public_key", format!("not an issuer public key: {e}")))
            .ok();
        let issuer = public_key.as_ref().and_then(|key| {
            issuer_of(key, raw.id.as_deref(), raw.name.as_deref())
                .map_err(|e| {
                    for (field, reason) in e.into_map() {
                        errors.add(field, reason);
                    }
                })
                .ok()
        });
        errors.into_result()?;
        let (Some(bytes), Some(public_key), Some(issuer)) = (private_key, public_key, issuer) else {
            return Err(IssuerKeyFileError::Malformed("incomplete key file".into()));
        };
        let private_key = PrivateKey::from_bytes(*bytes);
        if private_key.public_key() != public_key {
            return Err(IssuerKeyFileError::PublicKeyMismatch);
        }
        Ok(Self { private_key, public_key, issuer })
    }

    /// The key file's JSON, indented by two spaces, ending with a newline. It holds the
    /// private key: the buffer is wiped when dropped.
    pub fn to_json_pretty(&self) -> Zeroizing<String> {
        let private_key = Zeroizing::new(hex::encode(self.private_key.expose_secret()));
        let out = KeyFileOut {
            version: ISSUER_KEY_VERSION,
            kind: ISSUER_KEY_KIND,
            private_key: &private_key,
            public_key: self.public_key.to_json(),
            name: self.issuer.name(),
            id: self.issuer.id(),
        };
        let mut text = Zeroizing::new(serde_json::to_string_pretty(&out).unwrap_or_default());
        text.push('\n');
        text
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// The issuer as the credentials this key signs name it: public key, id and name.
    pub fn issuer(&self) -> &CredentialIssuer {
        &self.issuer
    }

    /// `state` signed with this key.
    pub fn sign_revocation_state(&self, state: RevocationState) -> SignedState {
        SignedState::sign(&self.private_key, state)
    }

    /// The credential of `claims`, signed with this key (over `claimsHash`) and naming this
    /// issuer.
    pub fn sign_claims(&self, claims: Claims) -> Credential {
        let signature = issuer_signature(&self.private_key.sign(claims.claims_hash()));
        Credential { claims, issuer: self.issuer.clone(), signature }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::claims::tests::sample;
    use crate::credentials::native_eddsa::NativeEddsa;
    use serde_json::{json, Value};

    const ID: &str = "iss_0123456789abcdef0123456789abcdef";

    fn key() -> IssuerKeyFile {
        IssuerKeyFile::from_private_key(PrivateKey::from_bytes([9u8; 32]), Some("Test desk"), Some(ID))
            .unwrap()
    }

    fn written() -> Value {
        serde_json::from_str(&key().to_json_pretty()).unwrap()
    }

    fn parse(value: &Value) -> Result<IssuerKeyFile, IssuerKeyFileError> {
        IssuerKeyFile::from_json(value.to_string().as_bytes())
    }

    #[test]
    fn a_written_key_file_reads_back_the_same_key() {
        let value = written();
        assert_eq!(value["version"], json!(1));
        assert_eq!(value["kind"], json!("honestly-issuer-key"));
        assert_eq!(value["private_key"], json!(hex::encode([9u8; 32])));
        assert_eq!(value["name"], json!("Test desk"));
        assert_eq!(value["id"], json!(ID));
        let back = parse(&value).unwrap();
        assert_eq!(back.public_key(), key().public_key());
        assert_eq!(back.issuer(), key().issuer());
        assert_eq!(back.to_json_pretty(), key().to_json_pretty());
        // Name and id are optional, and left out when absent.
        let bare = IssuerKeyFile::from_private_key(PrivateKey::from_bytes([9u8; 32]), None, None).unwrap();
        let bare_value: Value = serde_json::from_str(&bare.to_json_pretty()).unwrap();
        assert!(bare_value.get("name").is_none() && bare_value.get("id").is_none());
        assert_eq!(parse(&bare_value).unwrap().issuer().name(), None);
        // Upper-case hex is read too.
        let mut upper = value.clone();
        upper["private_key"] = json!(hex::encode_upper([9u8; 32]));
        assert_eq!(parse(&upper).unwrap().public_key(), key().public_key());
    }

    #[test]
    fn generated_keys_differ_and_sign_credentials_that_verify() {
        let a = IssuerKeyFile::generate(None, None).unwrap();
        let b = IssuerKeyFile::generate(None, None).unwrap();
        assert_ne!(a.public_key(), b.public_key());
        let credential = a.sign_claims(sample());
        assert!(credential.verify_signature(&NativeEddsa));
        assert_eq!(credential.issuer.public_key(), &issuer_public_key(a.public_key()));
        let foreign = Credential { issuer: b.issuer().clone(), ..credential.clone() };
        assert!(!foreign.verify_signature(&NativeEddsa));
        let back = Credential::from_json(credential.to_json().as_bytes()).unwrap();
        assert_eq!(back, credential);
    }

    #[test]
    fn a_public_key_of_another_private_key_is_refused() {
        let mut value = written();
        let other = IssuerKeyFile::from_private_key(PrivateKey::from_bytes([8u8; 32]), None, None).unwrap();
        value["public_key"] = serde_json::to_value(other.public_key().to_json()).unwrap();
        let error = parse(&value).unwrap_err();
        assert_eq!(error, IssuerKeyFileError::PublicKeyMismatch);
        assert!(error.to_string().contains("not the public key of its private_key"));
    }

    #[test]
    fn the_shape_and_values_are_strict() {
        let good = written();
        let mut extra = good.clone();
        extra["comment"] = json!("x");
        let mut missing = good.clone();
        missing.as_object_mut().unwrap().remove("public_key");
        for (bad, words) in [(extra, "unknown field `comment`"), (missing, "missing field `public_key`")] {
            match parse(&bad) {
                Err(IssuerKeyFileError::Malformed(m)) => assert!(m.contains(words), "{m}"),
                other => panic!("{words}: {other:?}"),
            }
        }
        let text = good.to_string().replacen("\"version\":1", "\"version\":1,\"version\":1", 1);
        assert!(
            matches!(IssuerKeyFile::from_json(text.as_bytes()), Err(IssuerKeyFileError::Malformed(m)) if m.contains("duplicate field"))
        );
        for (field, bad, reason) in [
            ("version", json!(2), "unsupported version 2 (only 1 is known)"),
            ("kind", json!("honestly-revocation-state"), "must be \"honestly-issuer-key\""),
            ("private_key", json!("00"), "must be 64 hex digits (32 bytes)"),
            ("private_key", json!("zz".repeat(32)), "must be 64 hex digits (32 bytes)"),
            ("id", json!("iss_nope"), "must be iss_ followed by 32 lower-case hex digits"),
            ("name", json!(""), "must be 1 to 128 characters"),
        ] {
            let mut value = good.clone();
            value[field] = bad;
            match parse(&value) {
                Err(IssuerKeyFileError::Invalid(errors)) => {
                    assert_eq!(errors.get(field), Some(reason), "{field}")
                }
                other => panic!("{field}: {other:?}"),
            }
        }
        let mut off_curve = good.clone();
        off_curve["public_key"] = json!({"x": "1", "y": "2"});
        assert!(
            matches!(parse(&off_curve), Err(IssuerKeyFileError::Invalid(e)) if e.get("public_key").is_some())
        );
        // Refusals never show the private key.
        let mut wrong_kind = good.clone();
        wrong_kind["kind"] = json!("x");
        let message = parse(&wrong_kind).unwrap_err().to_string();
        assert!(!message.contains(good["private_key"].as_str().unwrap()), "{message}");
        assert!(!format!("{:?}", key()).contains(good["private_key"].as_str().unwrap()));
    }

    #[test]
    fn the_size_is_bounded() {
        let text = key().to_json_pretty();
        let padded = format!("{}{}", *text, " ".repeat(MAX_ISSUER_KEY_FILE_BYTES - text.len()));
        assert!(IssuerKeyFile::from_json(padded.as_bytes()).is_ok());
        let over = format!("{padded} ");
        assert!(matches!(IssuerKeyFile::from_json(over.as_bytes()), Err(IssuerKeyFileError::TooLarge)));
    }
}
