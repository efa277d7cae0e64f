//! JSON exactly as Python's `json.dumps(obj, sort_keys=True)` writes it, so the server can
//! rebuild the bytes a Python agent signed (see `docs/signing.md`, "The canonical form").
//!
//! [`parse`] reads a request body into a [`PyJson`] that keeps what Python distinguishes, and
//! [`to_python_canonical`] writes it back the way Python does:
//!
//! - **Numbers.** A number written with `.` or an exponent is a float ([`PyFloat`], an `f64`),
//!   one without is an integer ([`PyInt`], kept as its decimal digits, any size):
//!   `1.0` → `1.0`, `1` → `1`, `1e2` → `100.0`, `-0` → `0`. Floats are written as Python's
//!   `repr(float)`: shortest round-trip digits, decimal notation when the decimal exponent is in
//!   `-4..16` (`0.0001`, `1234567890.0`), else `1e+16`, `1e-05`, `2.5e-07`.
//! - **Strings.** `ensure_ascii`: `\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`; every other character
//!   outside `' '..='~'` as `\uXXXX` in lower-case hex (so U+007F too, as Python does),
//!   characters above U+FFFF as a UTF-16 surrogate pair. `/` is not escaped.
//! - **Layout.** `", "` between items, `": "` after keys, object keys sorted by code point (the
//!   byte order of UTF-8, which is `String`'s order).
//!
//! Where this parser is stricter than Python's `json.loads` (each case is an error, never a
//! silent difference):
//!
//! - `NaN`, `Infinity`, `-Infinity` and floats that overflow to infinity (`1e400`) are rejected:
//!   Python would write them back as non-JSON `NaN`/`Infinity`.
//! - Lone surrogate escapes (`"\ud800"`) are rejected: a Rust `String` cannot hold them and no
//!   agent has a reason to send them.
//! - Invalid UTF-8 and a leading byte-order mark are rejected (input must be UTF-8 JSON text).
//! - Input over [`Limits::max_bytes`] (1 MiB) or nested deeper than [`Limits::max_depth`] (128)
//!   is rejected, so parsing never recurses without bound.
//!
//! Like Python: duplicate object keys are allowed and the last one wins; integers longer than
//! 4300 digits are rejected (Python's default `sys.get_int_max_str_digits()`).

mod float;
mod parse;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt::Write as _;

pub use parse::{parse, parse_with_limits, Limits, ParseError, ParseErrorKind};

/// Python's default limit on the decimal digits of an integer it will parse or print.
pub const MAX_INT_DIGITS: usize = 4300;

/// A JSON value with the distinctions Python's `json` module keeps.
#[derive(Debug, Clone, PartialEq)]
pub enum PyJson {
    /// `null` (`None`).
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number written without `.` or exponent (`int`), any size.
    Int(PyInt),
    /// A number written with `.` or exponent (`float`), always finite.
    Float(PyFloat),
    /// A string (`str`), never holding a lone surrogate.
    Str(String),
    /// An array (`list`).
    Array(Vec<PyJson>),
    /// An object (`dict`); keys are kept sorted, a repeated key keeps its last value.
    Object(BTreeMap<String, PyJson>),
}

impl PyJson {
    /// The same value as a `serde_json::Value`, for code that reads fields after the bytes
    /// have been checked. Integers beyond 64 bits become the nearest `f64` (they are kept
    /// exactly only here, in [`PyJson`]).
    pub fn to_serde(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            PyJson::Null => Value::Null,
            PyJson::Bool(b) => Value::Bool(*b),
            PyJson::Int(n) => n
                .as_str()
                .parse::<i64>()
                .map(Value::from)
                .or_else(|_| n.as_str().parse::<u64>().map(Value::from))
                .unwrap_or_else(|_| {
                    n.as_str()
                        .parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                        .map_or(Value::Null, Value::Number)
                }),
            PyJson::Float(x) => serde_json::Number::from_f64(x.get()).map_or(Value::Null, Value::Number),
            PyJson::Str(s) => Value::String(s.clone()),
            PyJson::Array(items) => Value::Array(items.iter().map(PyJson::to_serde).collect()),
            PyJson::Object(map) => {
                Value::Object(map.iter().map(|(k, v)| (k.clone(), v.to_serde())).collect())
            }
        }
    }
}

/// An integer of any size, kept as normalised decimal text (`-?(0|[1-9][0-9]*)`, never `-0`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PyInt(String);

impl PyInt {
    /// Parses decimal JSON integer text (`-?(0|[1-9][0-9]*)`, at most [`MAX_INT_DIGITS`]
    /// digits); `-0` becomes `0` as in Python.
    pub fn parse(text: &str) -> Option<PyInt> {
        let digits = text.strip_prefix('-').unwrap_or(text);
        let well_formed = match digits.as_bytes() {
            [b'0'] => true,
            [b'1'..=b'9', rest @ ..] => rest.iter().all(u8::is_ascii_digit),
            _ => false,
        };
        if !well_formed || digits.len() > MAX_INT_DIGITS {
            return None;
        }
        Some(PyInt(if digits == "0" { digits.to_owned() } else { text.to_owned() }))
    }

    /// The decimal text, as Python's `str(int)` writes it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<i64> for PyInt {
    fn from(n: i64) -> Self {
        PyInt(n.to_string())
    }
}

impl From<u64> for PyInt {
    fn from(n: u64) -> Self {
        PyInt(n.to_string())
    }
}

/// A finite `f64` (Python's `json` would write NaN and infinities as non-JSON tokens).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PyFloat(f64);

impl PyFloat {
    /// Wraps `x` if it is finite.
    pub fn new(x: f64) -> Option<PyFloat> {
        x.is_finite().then_some(PyFloat(x))
    }

    /// The value.
    pub fn get(self) -> f64 {
        self.0
    }

    /// The text of Python's `repr(float)` for this value (`0.1`, `1e+16`, `-0.0`).
    pub fn python_repr(self) -> String {
        let mut out = String::new();
        float::write_repr(self.0, &mut out);
        out
    }
}

/// Writes `value` exactly as Python's `json.dumps(value, sort_keys=True)` does.
pub fn to_python_canonical(value: &PyJson) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out
}

fn write_value(value: &PyJson, out: &mut String) {
    match value {
        PyJson::Null => out.push_str("null"),
        PyJson::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        PyJson::Int(n) => out.push_str(n.as_str()),
        PyJson::Float(x) => float::write_repr(x.get(), out),
        PyJson::Str(s) => write_str(s, out),
        PyJson::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(item, out);
            }
            out.push(']');
        }
        PyJson::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_str(key, out);
                out.push_str(": ");
                write_value(item, out);
            }
            out.push('}');
        }
    }
}

/// Python's `json.encoder.py_encode_basestring_ascii`.
fn write_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    // Writing to a String cannot fail.
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}
