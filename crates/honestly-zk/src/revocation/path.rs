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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::revocation::RevocationTree;

    fn good() -> Value {
        RevocationTree::from_ids([3u128, 1 << 40]).unwrap().non_membership(4).unwrap().to_json()
    }

    #[test]
    fn json_round_trip_and_known_shape() {
        let v = good();
        assert_eq!(v["depth"], 64);
        assert_eq!(v["siblings"].as_array().unwrap().len(), 64);
        let p = RevocationPath::from_value(&v).unwrap();
        assert_eq!(p.to_json(), v);
        let empty = RevocationTree::new().path(0).to_json();
        assert_eq!(empty["siblings"][0], "0");
        assert_eq!(
            empty["siblings"][1],
            "14744269619966411208579211824598458697587494354926760081771325075741142829156"
        );
    }

    /// The field modulus r: one above the largest field element.
    const MODULUS: &str = "21888242871839275222246405745257275088548364400416034343698204186575808495617";

    #[test]
    fn malformed_paths_are_refused() {
        let mutations: Vec<fn(&mut Value)> = vec![
            |v| v["depth"] = json!(20),
            |v| v["depth"] = json!("64"),
            |v| {
                v.as_object_mut().unwrap().remove("depth");
            },
            |v| {
                v.as_object_mut().unwrap().remove("siblings");
            },
            |v| v["extra"] = json!(1),
            |v| {
                v["siblings"].as_array_mut().unwrap().pop();
            },
            |v| v["siblings"].as_array_mut().unwrap().push(json!("0")),
            |v| v["siblings"][3] = json!(5),
            |v| v["siblings"][3] = json!("05"),
            |v| v["siblings"][3] = json!("-1"),
            |v| v["siblings"][63] = json!(MODULUS),
            |v| v["siblings"] = json!({}),
            |v| *v = json!([]),
        ];
        for (i, mutate) in mutations.iter().enumerate() {
            let mut v = good();
            mutate(&mut v);
            assert!(RevocationPath::from_value(&v).is_err(), "mutation {i} accepted");
            let bytes = serde_json::to_vec(&v).unwrap();
            assert!(RevocationPath::from_json(&bytes).is_err(), "mutation {i} accepted as bytes");
        }
        assert!(matches!(RevocationPath::from_json(b"{"), Err(ParseError::Json(_))));
        let mut huge = serde_json::to_vec(&good()).unwrap();
        huge.resize(MAX_PATH_JSON_BYTES + 1, b' ');
        assert!(matches!(RevocationPath::from_json(&huge), Err(ParseError::Json(_))));
    }

    #[test]
    fn credential_id_conversions_are_bounded() {
        use crate::revocation::{credential_id_from_fr, credential_id_to_fr};
        for id in [0u128, 1, u128::from(u64::MAX) + 1, u128::MAX] {
            assert_eq!(credential_id_from_fr(&credential_id_to_fr(id)), Some(id));
        }
        assert_eq!(credential_id_from_fr(&(credential_id_to_fr(u128::MAX) + Fr::from(1u64))), None);
        assert_eq!(credential_id_from_fr(&-Fr::from(1u64)), None);
    }
}
