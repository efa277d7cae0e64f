//! A path in the revocation tree (the siblings of a slot) and its strict JSON form.

use serde_json::{json, Map, Value};

use super::{revoked_leaf, slot, REVOCATION_DEPTH};
use crate::{
    error::ParseError,
    field::{fr_to_decimal, parse_prime_field},
    poseidon::poseidon_hash,
    Fr,
};

/// The largest JSON document [`RevocationPath::from_json`] reads (64 siblings of at most 77
/// digits need about 5.2 KiB).
pub const MAX_PATH_JSON_BYTES: usize = 16 << 10;

/// The siblings of a slot from the leaf level up. The directions are not part of the path:
/// they are the bits of the credential's slot (bit `i` = 1: the path node is the right child
/// at level `i`), so a path proves something about one id only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationPath {
    /// Siblings, leaf level first.
    pub siblings: [Fr; REVOCATION_DEPTH],
}

impl RevocationPath {
    /// The root reached by hashing `leaf` at `id`'s slot up this path.
    pub fn root_from(&self, id: u128, leaf: Fr) -> Fr {
        let s = slot(id);
        self.siblings.iter().enumerate().fold(leaf, |cur, (i, sibling)| {
            if (s >> i) & 1 == 1 {
                poseidon_hash(&[*sibling, cur])
            } else {
                poseidon_hash(&[cur, *sibling])
            }
        })
    }

    /// Whether this path shows that `id`'s slot is empty in the tree with `root`.
    pub fn verify_non_membership(&self, root: &Fr, id: u128) -> bool {
        self.root_from(id, Fr::from(0u64)) == *root
    }

    /// Whether this path shows that `id`'s slot is marked revoked in the tree with `root`.
    pub fn verify_membership(&self, root: &Fr, id: u128) -> bool {
        self.root_from(id, revoked_leaf()) == *root
    }

    /// The JSON form `{"depth": 64, "siblings": ["<decimal>", …]}`.
    pub fn to_json(&self) -> Value {
        json!({
            "depth": REVOCATION_DEPTH,
            "siblings": self.siblings.iter().map(fr_to_decimal).collect::<Vec<_>>(),
        })
    }

    /// Parses the JSON form strictly: an object with exactly `depth` (= 64) and `siblings`
    /// (exactly 64 canonical decimal strings below the field modulus), at most
    /// [`MAX_PATH_JSON_BYTES`] bytes.
    pub fn from_json(bytes: &[u8]) -> Result<Self, ParseError> {
        if bytes.len() > MAX_PATH_JSON_BYTES {
            return Err(ParseError::Json("revocation path too large".into()));
        }
        let value: Value = serde_json::from_slice(bytes).map_err(|e| ParseError::Json(e.to_string()))?;
        Self::from_value(&value)
    }

    /// Parses the JSON form already decoded (same rules as [`RevocationPath::from_json`]).
    pub fn from_value(value: &Value) -> Result<Self, ParseError> {
        let shape = |path: &str, expected| ParseError::Shape { path: path.to_string(), expected };
        let object: &Map<String, Value> = value.as_object().ok_or_else(|| shape("$", "an object"))?;
        if let Some(unknown) = object.keys().find(|k| *k != "depth" && *k != "siblings") {
            return Err(shape(unknown, "no such field in a revocation path"));
        }
        let depth = object.get("depth").ok_or(ParseError::Missing("depth"))?;
        if depth.as_u64() != Some(REVOCATION_DEPTH as u64) {
            return Err(shape("depth", "64"));
        }
        let list = object.get("siblings").ok_or(ParseError::Missing("siblings"))?;
        let list = list.as_array().ok_or_else(|| shape("siblings", "an array"))?;
        if list.len() != REVOCATION_DEPTH {
            return Err(shape("siblings", "an array of 64 numbers"));
        }
        let mut siblings = [Fr::from(0u64); REVOCATION_DEPTH];
        for (i, (out, v)) in siblings.iter_mut().zip(list).enumerate() {
            let at = format!("siblings[{i}]");
            let s = v.as_str().ok_or_else(|| shape(&at, "a decimal string"))?;
            *out = parse_prime_field::<Fr>(s, &at)?;
        }
        Ok(Self { siblings })
    }
}
