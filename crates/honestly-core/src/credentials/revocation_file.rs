//! The revocation state file of an external issuer (`honestly issuer revoke` and
//! `honestly issuer state` keep it): every `credentialId` the issuer revoked and the last
//! signed state.
//!
//! ```json
//! {"version": 1, "kind": "honestly-revocation-state", "public_key": {"x": "…", "y": "…"},
//!  "revoked": ["<decimal credentialId>", …],
//!  "state": {"root": "…", "issued_at": 1764676800, "signature": {"R8x": "…", "R8y": "…", "S": "…"}}}
//! ```
//!
//! Reading is strict: at most [`MAX_REVOCATION_FILE_BYTES`], no unknown or repeated fields,
//! ids canonical decimals from 1 to 2^128 − 1 listed once each (written in increasing order),
//! at most [`MAX_REVOKED`] of them, and the state's signature valid under `public_key`.
//! [`RevocationStateFile::tree`] rebuilds the tree and checks that the signed root is the
//! root of the listed ids.

use std::collections::BTreeSet;

use honestly_zk::eddsa::PublicKey;
use honestly_zk::revocation::{RevocationError, RevocationState, RevocationTree, MAX_REVOKED};
use honestly_zk::{fr_from_decimal, fr_to_decimal};
use serde::{Deserialize, Serialize};

use super::issuer_key::IssuerKeyFile;
use super::serial::CredentialSerial;
use super::SignedState;

/// The `kind` of a revocation state file.
pub const REVOCATION_FILE_KIND: &str = "honestly-revocation-state";

/// The only `version` of the revocation state file.
pub const REVOCATION_FILE_VERSION: u64 = 1;

/// The largest revocation state file accepted, in bytes: room for [`MAX_REVOKED`] ids of 39
/// digits, indented, one a line.
pub const MAX_REVOCATION_FILE_BYTES: usize = 64 << 20;

/// Why a revocation state file was refused (or cannot be made).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevocationFileError {
    /// More than [`MAX_REVOCATION_FILE_BYTES`].
    #[error("a revocation state file is at most {MAX_REVOCATION_FILE_BYTES} bytes")]
    TooLarge,
    /// Not JSON, or not the file's shape; serde's words.
    #[error("not a revocation state file: {0}")]
    Malformed(String),
    /// A value is refused; the words name it.
    #[error("invalid revocation state file: {0}")]
    Invalid(String),
    /// The signed state does not verify under the file's public key.
    #[error("the revocation state's signature does not verify under the file's public_key")]
    BadSignature,
    /// The signed root is not the root of the listed ids.
    #[error("the signed root is not the root of the revoked ids listed (edited or damaged file)")]
    RootMismatch,
    /// More than [`MAX_REVOKED`] ids.
    #[error(transparent)]
    Tree(#[from] RevocationError),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: u64,
    kind: String,
    public_key: PublicKey,
    revoked: Vec<String>,
    state: SignedState,
}

/// An issuer's revoked ids and its last signed revocation state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationStateFile {
    /// The issuer's public key: the key the state is signed with.
    pub public_key: PublicKey,
    /// Every revoked `credentialId`.
    pub revoked: BTreeSet<CredentialSerial>,
    /// The last signed state.
    pub state: SignedState,
}

impl RevocationStateFile {
    /// The file of `key` with `revoked`: the tree rebuilt from the ids
    /// ([`RevocationTree::from_ids`]) and its root signed at `issued_at` (Unix seconds).
    pub fn signed(
        key: &IssuerKeyFile,
        revoked: BTreeSet<CredentialSerial>,
        issued_at: u64,
    ) -> Result<Self, RevocationFileError> {
        let tree = RevocationTree::from_ids(revoked.iter().map(|id| id.value()))?;
        let state = RevocationState { root: tree.root(), issued_at };
        Ok(Self { public_key: *key.public_key(), revoked, state: key.sign_revocation_state(state) })
    }

    /// Parses a state file (see the module's documentation for every rule).
    pub fn from_json(bytes: &[u8]) -> Result<Self, RevocationFileError> {
        if bytes.len() > MAX_REVOCATION_FILE_BYTES {
            return Err(RevocationFileError::TooLarge);
        }
        let raw: RawFile =
            serde_json::from_slice(bytes).map_err(|e| RevocationFileError::Malformed(e.to_string()))?;
        if raw.version != REVOCATION_FILE_VERSION {
            return Err(RevocationFileError::Invalid(format!(
                "version: unsupported version {} (only {REVOCATION_FILE_VERSION} is known)",
                raw.version
            )));
        }
        if raw.kind != REVOCATION_FILE_KIND {
            return Err(RevocationFileError::Invalid(format!("kind: must be {REVOCATION_FILE_KIND:?}")));
        }
        if raw.revoked.len() > MAX_REVOKED {
            return Err(RevocationError::TooManyRevoked.into());
        }
        let mut revoked = BTreeSet::new();
        for (index, text) in raw.revoked.iter().enumerate() {
            let id = fr_from_decimal(text)
                .ok()
                .and_then(|x| CredentialSerial::from_field(&x))
                .filter(|id| id.to_string() == *text)
                .ok_or_else(|| {
                    RevocationFileError::Invalid(format!(
                        "revoked[{index}]: must be a credentialId, a canonical decimal from 1 to 2^128 - 1"
                    ))
                })?;
            if !revoked.insert(id) {
                return Err(RevocationFileError::Invalid(format!("revoked[{index}]: {id} is listed twice")));
            }
        }
        if !raw.state.verify(&raw.public_key) {
            return Err(RevocationFileError::BadSignature);
        }
        Ok(Self { public_key: raw.public_key, revoked, state: raw.state })
    }

    /// The file's JSON, indented by two spaces, ids in increasing order, ending with a newline.
    pub fn to_json_pretty(&self) -> String {
        let raw = RawFile {
            version: REVOCATION_FILE_VERSION,
            kind: REVOCATION_FILE_KIND.to_string(),
            public_key: self.public_key,
            revoked: self.revoked.iter().map(|id| fr_to_decimal(&id.to_field())).collect(),
            state: self.state.clone(),
        };
        let mut text = serde_json::to_string_pretty(&raw).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The revocation tree of the listed ids, when its root is the signed root.
    pub fn tree(&self) -> Result<RevocationTree, RevocationFileError> {
        let tree = RevocationTree::from_ids(self.revoked.iter().map(|id| id.value()))?;
        if tree.root() != self.state.state.root {
            return Err(RevocationFileError::RootMismatch);
        }
        Ok(tree)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use honestly_zk::eddsa::PrivateKey;
    use serde_json::{json, Value};

    fn key() -> IssuerKeyFile {
        IssuerKeyFile::from_private_key(PrivateKey::from_bytes([5u8; 32]), None, None).unwrap()
    }

    fn ids(values: &[u128]) -> BTreeSet<CredentialSerial> {
        values.iter().map(|v| CredentialSerial::new(*v).unwrap()).collect()
    }

    fn written(values: &[u128]) -> Value {
        let file = RevocationStateFile::signed(&key(), ids(values), 1_764_676_800).unwrap();
        serde_json::from_str(&file.to_json_pretty()).unwrap()
    }

    fn parse(value: &Value) -> Result<RevocationStateFile, RevocationFileError> {
        RevocationStateFile::from_json(value.to_string().as_bytes())
    }

    #[test]
    fn a_signed_file_reads_back_with_its_tree() {
        let max = u128::MAX;
        let value = written(&[max, 7, 3]);
        assert_eq!(value["version"], json!(1));
        assert_eq!(value["kind"], json!("honestly-revocation-state"));
        assert_eq!(value["revoked"], json!(["3", "7", max.to_string()]));
        let file = parse(&value).unwrap();
        assert_eq!(file.revoked, ids(&[3, 7, max]));
        assert!(file.state.verify(key().public_key()));
        let tree = file.tree().unwrap();
        assert_eq!(tree.root(), RevocationTree::from_ids([3, 7, max]).unwrap().root());
        assert_eq!(file.state.state.issued_at, 1_764_676_800);
        let empty = parse(&written(&[])).unwrap();
        assert_eq!(empty.tree().unwrap().root(), RevocationTree::new().root());
    }

    #[test]
    fn edited_files_are_refused() {
        let good = written(&[3, 7]);
        let mut added = good.clone();
        added["revoked"] = json!(["3", "7", "9"]);
        assert_eq!(parse(&added).unwrap().tree().unwrap_err(), RevocationFileError::RootMismatch);
        let mut later = good.clone();
        later["state"]["issued_at"] = json!(1_764_676_801u64);
        assert_eq!(parse(&later), Err(RevocationFileError::BadSignature));
        let mut other_key = good.clone();
        let other = IssuerKeyFile::from_private_key(PrivateKey::from_bytes([6u8; 32]), None, None).unwrap();
        other_key["public_key"] = serde_json::to_value(other.public_key()).unwrap();
        assert_eq!(parse(&other_key), Err(RevocationFileError::BadSignature));
        for (ids, words) in [
            (json!(["3", "3"]), "revoked[1]: 3 is listed twice"),
            (json!(["03"]), "revoked[0]: must be a credentialId"),
            (json!(["0"]), "revoked[0]: must be a credentialId"),
            (json!(["340282366920938463463374607431768211456"]), "revoked[0]: must be a credentialId"),
        ] {
            let mut value = good.clone();
            value["revoked"] = ids;
            assert!(parse(&value).unwrap_err().to_string().contains(words), "{words}");
        }
        let mut kind = good.clone();
        kind["kind"] = json!("honestly-issuer-key");
        assert!(parse(&kind).unwrap_err().to_string().contains("kind: must be"));
        let mut version = good.clone();
        version["version"] = json!(2);
        assert!(parse(&version).unwrap_err().to_string().contains("unsupported version 2"));
        let mut extra = good.clone();
        extra["note"] = json!("x");
        assert!(
            matches!(parse(&extra), Err(RevocationFileError::Malformed(m)) if m.contains("unknown field `note`"))
        );
        let mut numbers = good;
        numbers["revoked"] = json!([3]);
        assert!(matches!(parse(&numbers), Err(RevocationFileError::Malformed(_))));
        let big = vec![b' '; MAX_REVOCATION_FILE_BYTES + 1];
        assert_eq!(RevocationStateFile::from_json(&big), Err(RevocationFileError::TooLarge));
    }
}
