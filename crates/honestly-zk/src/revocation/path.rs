//! A path in the revocation tree (a gap, its leaf index and the siblings) and its strict
//! JSON form.

use ark_ff::{BigInteger, PrimeField};
use serde_json::{json, Map, Value};

use super::{bound, gap_leaf, BOUND_BITS, REVOCATION_ARITY, REVOCATION_DEPTH, REVOCATION_INDEX_BITS};
use crate::{
    error::ParseError,
    field::{fr_to_decimal, parse_prime_field},
    poseidon::poseidon_hash,
    Fr,
};

/// The largest JSON document [`RevocationPath::from_json`] reads (30 siblings and two bounds
/// of at most 77 digits need about 2.6 KiB).
pub const MAX_PATH_JSON_BYTES: usize = 8 << 10;

/// The siblings of one level: the node's three brothers, left to right.
pub type LevelSiblings = [Fr; REVOCATION_ARITY - 1];

/// A gap of the revocation tree with its leaf's path. It shows that an id is not revoked when
/// the id's bound (`id + 1`) lies strictly between `low` and `high` and the gap's leaf hashes
/// up to the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationPath {
    /// The leaf's index: its base-4 digit `i` (bits `2i`, `2i + 1`) is the path node's
    /// position among its parent's four children at level `i`.
    pub index: u32,
    /// The gap's lower bound (a revoked id's bound, or 0).
    pub low: Fr,
    /// The gap's upper bound (a revoked id's bound, or 2^128 + 1).
    pub high: Fr,
    /// The three other children at each level, leaf level first.
    pub siblings: [LevelSiblings; REVOCATION_DEPTH],
}

/// The four children of a level: `node` at `position` (0–3), `siblings` around it in order.
pub(crate) fn children(node: Fr, position: usize, siblings: &LevelSiblings) -> [Fr; REVOCATION_ARITY] {
    debug_assert!(position < REVOCATION_ARITY);
    let mut out = [node; REVOCATION_ARITY];
    out[..position].copy_from_slice(&siblings[..position]);
    out[position + 1..].copy_from_slice(&siblings[position..]);
    out
}

/// Whether `x < 2^BOUND_BITS` (a possible gap bound).
fn fits_bound(x: &Fr) -> bool {
    x.into_bigint().num_bits() as usize <= BOUND_BITS
}

impl RevocationPath {
    /// A path of zeros: the shape of a witness for key generation.
    pub fn blank() -> Self {
        let zero = Fr::from(0u64);
        Self { index: 0, low: zero, high: zero, siblings: [[zero; REVOCATION_ARITY - 1]; REVOCATION_DEPTH] }
    }

    /// The root reached by hashing the gap's leaf up this path.
    pub fn root(&self) -> Fr {
        self.siblings.iter().enumerate().fold(gap_leaf(self.low, self.high), |cur, (i, level)| {
            let position = (self.index >> (2 * i)) as usize % REVOCATION_ARITY;
            poseidon_hash(&children(cur, position, level))
        })
    }

    /// Whether this path shows that `id` is not revoked in the tree with `root`: the index
    /// fits the tree, `low < id + 1 < high` as integers, and the gap's leaf leads to `root`.
    pub fn verify_non_membership(&self, root: &Fr, id: u128) -> bool {
        let x = bound(id).into_bigint();
        u64::from(self.index) < (1u64 << REVOCATION_INDEX_BITS)
            && fits_bound(&self.low)
            && fits_bound(&self.high)
            && self.low.into_bigint() < x
            && x < self.high.into_bigint()
            && self.root() == *root
    }

    /// The JSON form `{"depth": 10, "index": k, "low": "<decimal>", "high": "<decimal>",
    /// "siblings": [["<decimal>", "<decimal>", "<decimal>"], …]}`.
    pub fn to_json(&self) -> Value {
        json!({
            "depth": REVOCATION_DEPTH,
            "index": self.index,
            "low": fr_to_decimal(&self.low),
            "high": fr_to_decimal(&self.high),
            "siblings": self
                .siblings
                .iter()
                .map(|level| level.iter().map(fr_to_decimal).collect::<Vec<_>>())
                .collect::<Vec<_>>(),
        })
    }

    /// Parses the JSON form strictly: an object with exactly `depth` (= 10), `index` (an
    /// integer below 2^20), `low`, `high` (canonical decimal strings below 2^129) and
    /// `siblings` (exactly 10 arrays of exactly 3 canonical decimal strings below the field
    /// modulus), at most [`MAX_PATH_JSON_BYTES`] bytes.
    pub fn from_json(bytes: &[u8]) -> Result<Self, ParseError> {
        if bytes.len() > MAX_PATH_JSON_BYTES {
            return Err(ParseError::Json("revocation path too large".into()));
        }
        let value: Value = serde_json::from_slice(bytes).map_err(|e| ParseError::Json(e.to_string()))?;
        Self::from_value(&value)
    }

    /// Parses the JSON form already decoded (same rules as [`RevocationPath::from_json`]).
    pub fn from_value(value: &Value) -> Result<Self, ParseError> {
        const FIELDS: [&str; 5] = ["depth", "index", "low", "high", "siblings"];
        let shape = |path: &str, expected| ParseError::Shape { path: path.to_string(), expected };
        let object: &Map<String, Value> = value.as_object().ok_or_else(|| shape("$", "an object"))?;
        if let Some(unknown) = object.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(shape(unknown, "no such field in a revocation path"));
        }
        let depth = object.get("depth").ok_or(ParseError::Missing("depth"))?;
        if depth.as_u64() != Some(REVOCATION_DEPTH as u64) {
            return Err(shape("depth", "10"));
        }
        let index = object.get("index").ok_or(ParseError::Missing("index"))?;
        let index = index
            .as_u64()
            .filter(|i| *i < (1u64 << REVOCATION_INDEX_BITS))
            .ok_or_else(|| shape("index", "an integer below 2^20"))?;
        let bound_at = |name: &'static str| -> Result<Fr, ParseError> {
            let v = object.get(name).ok_or(ParseError::Missing(name))?;
            let s = v.as_str().ok_or_else(|| shape(name, "a decimal string"))?;
            let x = parse_prime_field::<Fr>(s, name)?;
            if !fits_bound(&x) {
                return Err(shape(name, "a number below 2^129"));
            }
            Ok(x)
        };
        let (low, high) = (bound_at("low")?, bound_at("high")?);
        let list = object.get("siblings").ok_or(ParseError::Missing("siblings"))?;
        let list = list.as_array().ok_or_else(|| shape("siblings", "an array"))?;
        if list.len() != REVOCATION_DEPTH {
            return Err(shape("siblings", "an array of 10 levels"));
        }
        let mut siblings = [[Fr::from(0u64); REVOCATION_ARITY - 1]; REVOCATION_DEPTH];
        for (i, (out, level)) in siblings.iter_mut().zip(list).enumerate() {
            let at = format!("siblings[{i}]");
            let level = level.as_array().filter(|l| l.len() == REVOCATION_ARITY - 1);
            let level = level.ok_or_else(|| shape(&at, "an array of 3 numbers"))?;
            for (j, (out, v)) in out.iter_mut().zip(level).enumerate() {
                let at = format!("siblings[{i}][{j}]");
                let s = v.as_str().ok_or_else(|| shape(&at, "a decimal string"))?;
                *out = parse_prime_field::<Fr>(s, &at)?;
            }
        }
        // `index < 2^20` was checked above.
        Ok(Self { index: index as u32, low, high, siblings })
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
        assert_eq!(v["depth"], 10);
        assert_eq!(v["index"], 1);
        assert_eq!(v["low"], "4");
        assert_eq!(v["high"], (1u128 << 40 | 1).to_string());
        assert_eq!(v["siblings"].as_array().unwrap().len(), 10);
        assert_eq!(v["siblings"][9].as_array().unwrap().len(), 3);
        let p = RevocationPath::from_value(&v).unwrap();
        assert_eq!(p.to_json(), v);
        let empty = RevocationTree::new().path(0).to_json();
        assert_eq!(empty["siblings"][0], json!(["0", "0", "0"]));
        let z1 = "2351654555892372227640888372176282444150254868378439619268573230312091195718";
        assert_eq!(empty["siblings"][1], json!([z1, z1, z1]));
        assert_eq!(empty["high"], "340282366920938463463374607431768211457");
    }

    /// The field modulus r: one above the largest field element.
    const MODULUS: &str = "21888242871839275222246405745257275088548364400416034343698204186575808495617";

    #[test]
    fn malformed_paths_are_refused() {
        let mutations: Vec<fn(&mut Value)> = vec![
            |v| v["depth"] = json!(20),
            |v| v["depth"] = json!("10"),
            |v| {
                v.as_object_mut().unwrap().remove("depth");
            },
            |v| {
                v.as_object_mut().unwrap().remove("siblings");
            },
            |v| {
                v.as_object_mut().unwrap().remove("index");
            },
            |v| {
                v.as_object_mut().unwrap().remove("low");
            },
            |v| v["extra"] = json!(1),
            |v| v["index"] = json!(1 << 20),
            |v| v["index"] = json!(-1),
            |v| v["index"] = json!("1"),
            |v| v["low"] = json!(4),
            |v| v["high"] = json!("680564733841876926926749214863536422912"),
            |v| v["high"] = json!("01"),
            |v| {
                v["siblings"].as_array_mut().unwrap().pop();
            },
            |v| v["siblings"].as_array_mut().unwrap().push(json!(["0", "0", "0"])),
            |v| v["siblings"][3] = json!("0"),
            |v| v["siblings"][3] = json!(["0", "0"]),
            |v| v["siblings"][3] = json!(["0", "0", "0", "0"]),
            |v| v["siblings"][3][1] = json!(5),
            |v| v["siblings"][3][1] = json!("05"),
            |v| v["siblings"][3][1] = json!("-1"),
            |v| v["siblings"][9][2] = json!(MODULUS),
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
    fn non_membership_needs_the_id_strictly_inside_the_gap() {
        let tree = RevocationTree::from_ids([10u128, 20]).unwrap();
        let root = tree.root();
        let gap = tree.path(15);
        assert_eq!((gap.index, gap.low, gap.high), (1, Fr::from(11u64), Fr::from(21u64)));
        for id in 11..20 {
            assert!(gap.verify_non_membership(&root, id), "{id}");
        }
        for id in [0, 9, 10, 20, 21, u128::MAX] {
            assert!(!gap.verify_non_membership(&root, id), "{id}");
        }
        // A moved index, a widened gap or another root proves nothing.
        let mut moved = gap.clone();
        moved.index = 2;
        assert!(!moved.verify_non_membership(&root, 15));
        moved.index = 1 | 1 << 2;
        assert!(!moved.verify_non_membership(&root, 15));
        let mut wide = gap.clone();
        wide.high = Fr::from(31u64);
        assert!(!wide.verify_non_membership(&root, 25));
        assert!(!gap.verify_non_membership(&RevocationTree::new().root(), 15));
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
