//! `to_python_canonical(parse(text))` is byte for byte what python3's
//! `json.dumps(json.loads(text), sort_keys=True)` prints, for thousands of random JSON texts.
//!
//! Each proptest case is a batch of texts sent to one python3 process (one line each), so the
//! cost is a few python3 start-ups, not one per value. Without python3 the tests are skipped
//! with a message, except under `CI=true`, where they fail.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use honestly_core::crypto::python_json::{parse, to_python_canonical};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// Reads one JSON text per line from stdin, writes `json.dumps(json.loads(line),
/// sort_keys=True)` per line, or `ERROR <exception>` when Python refuses the text.
const PYTHON: &str = r#"
import json, sys
out = []
for line in sys.stdin.buffer:
    try:
        out.append(json.dumps(json.loads(line), sort_keys=True))
    except Exception as e:
        out.append("ERROR " + type(e).__name__)
sys.stdout.write("\n".join(out) + "\n")
"#;

/// Python's output for each text, or `None` (after printing why) when python3 is missing
/// outside CI.
fn python_canonical(texts: &[String]) -> Option<Vec<String>> {
    let child =
        Command::new("python3").args(["-c", PYTHON]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("skipping: cannot run python3 ({e})");
            return None;
        }
        Err(e) => panic!("python3 is required in CI: {e}"),
    };
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input: String = texts.iter().flat_map(|t| [t.as_str(), "\n"]).collect();
    // Written from a thread so a full stdout pipe cannot deadlock us.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let stdout = child.stdout.take().expect("piped stdout");
    let lines: Vec<String> = BufReader::new(stdout).lines().map(|l| l.expect("python3 output")).collect();
    writer.join().expect("writer thread").expect("write to python3");
    assert!(child.wait().expect("python3 exit").success(), "python3 failed");
    assert_eq!(lines.len(), texts.len(), "python3 answered {} of {} lines", lines.len(), texts.len());
    Some(lines)
}

/// Asserts that Rust and Python agree on every text (and that both accept it).
fn assert_same_as_python(texts: &[String]) {
    let Some(expected) = python_canonical(texts) else { return };
    for (text, python) in texts.iter().zip(&expected) {
        let rust = parse(text.as_bytes()).map(|v| to_python_canonical(&v));
        assert_eq!(rust.as_deref().map_err(|e| e.to_string()), Ok(python.as_str()), "input: {text}");
    }
}

/// A value to write as JSON text, with the choices of how to write it.
#[derive(Debug, Clone)]
enum Gen {
    Null,
    Bool(bool),
    /// Decimal digits with optional `-` (`-0` included).
    Int(String),
    /// A finite float and whether to write it as `{:e}` (`1.5e-7`) rather than `{:?}` (`1.5e-7`
    /// or `0.1`).
    Float(f64, bool),
    /// A string and whether to write non-ASCII characters as `\u` escapes rather than raw UTF-8.
    Str(String, bool),
    Array(Vec<Gen>),
    /// Entries in order, duplicate keys allowed.
    Object(Vec<(String, Gen)>),
}

fn write_str(s: &str, escape_non_ascii: bool, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' if escape_non_ascii => out.push_str("\\/"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 || (escape_non_ascii && !c.is_ascii()) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    // Upper-case hex: the parser must accept both cases.
                    out.push_str(&format!("\\u{unit:04X}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write(value: &Gen, out: &mut String) {
    match value {
        Gen::Null => out.push_str("null"),
        Gen::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Gen::Int(digits) => out.push_str(digits),
        Gen::Float(x, true) => out.push_str(&format!("{x:e}")),
        Gen::Float(x, false) => out.push_str(&format!("{x:?}")),
        Gen::Str(s, escape) => write_str(s, *escape, out),
        Gen::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                out.push_str(if i > 0 { ", " } else { "" });
                write(item, out);
            }
            out.push(']');
        }
        Gen::Object(entries) => {
            out.push_str("{ ");
            for (i, (key, item)) in entries.iter().enumerate() {
                out.push_str(if i > 0 { ",\t" } else { "" });
                write_str(key, i % 2 == 0, out);
                out.push(':');
                write(item, out);
            }
            out.push_str("\r}");
        }
    }
}

fn text(value: &Gen) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

/// Characters weighted towards the ones that are escaped differently.
fn any_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => proptest::char::range(' ', '~'),
        2 => proptest::char::range('\0', '\u{1f}'),
        1 => prop::sample::select(vec!['"', '\\', '/', '\u{7f}', '\u{80}', '\u{2028}', '\u{feff}', '\u{ffff}']),
        2 => proptest::char::range('\u{a0}', '\u{d7ff}'),
        1 => proptest::char::range('\u{e000}', '\u{fffd}'),
        2 => proptest::char::range('\u{10000}', '\u{10ffff}'),
        1 => any::<char>(),
    ]
}

fn any_string() -> impl Strategy<Value = String> {
    prop::collection::vec(any_char(), 0..12).prop_map(|cs| cs.into_iter().collect())
}

fn any_int() -> BoxedStrategy<String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        Just("-0".to_owned()),
        "-?[1-9][0-9]{18,80}",
    ]
    .boxed()
}

fn any_float() -> BoxedStrategy<f64> {
    prop_oneof![
        // Finite f64 of every bit pattern: subnormals, huge exponents, -0.0.
        any::<u64>().prop_map(f64::from_bits).prop_filter("finite", |x| x.is_finite()),
        // 1e-30..1e30 on a log scale, either sign.
        (-30.0f64..30.0, any::<bool>()).prop_map(|(e, neg)| if neg {
            -(10f64.powf(e))
        } else {
            10f64.powf(e)
        }),
        // Values near the decimal/exponent switch of repr (1e-4, 1e16) and small integers.
        (-6i32..=18, 1u32..1000).prop_map(|(e, m)| f64::from(m) * 10f64.powi(e - 2)),
        prop::sample::select(vec![0.0, -0.0, 0.1, 1e16, 1e-5, 1e-4, 9007199254740993.0, 5e-324, f64::MAX]),
    ]
    .boxed()
}

fn leaf() -> BoxedStrategy<Gen> {
    prop_oneof![
        Just(Gen::Null),
        any::<bool>().prop_map(Gen::Bool),
        any_int().prop_map(Gen::Int),
        (any_float(), any::<bool>()).prop_map(|(x, e)| Gen::Float(x, e)),
        (any_string(), any::<bool>()).prop_map(|(s, e)| Gen::Str(s, e)),
    ]
    .boxed()
}

fn any_value() -> BoxedStrategy<Gen> {
    let tree = leaf().prop_recursive(8, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Gen::Array),
            // Keys from a small alphabet too, so duplicates and shared prefixes happen.
            prop::collection::vec((prop_oneof![any_string(), "[aAé😀]{0,2}"], inner), 0..6)
                .prop_map(Gen::Object),
        ]
    });
    // Deep chains: up to 110 levels around a tree of up to 8, under the parser's limit of 128.
    let deep = (tree.clone(), prop::collection::vec(any::<bool>(), 20..=110)).prop_map(|(mut v, kinds)| {
        for as_object in kinds {
            v = if as_object { Gen::Object(vec![("k".into(), v)]) } else { Gen::Array(vec![v]) };
        }
        v
    });
    prop_oneof![6 => tree, 1 => deep].boxed()
}

proptest! {
    // 6 batches of 400 values, one python3 process per batch.
    #![proptest_config(ProptestConfig {
        cases: 6,
        max_shrink_iters: 64,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_values_match_python_json_dumps(values in prop::collection::vec(any_value(), 400)) {
        let texts: Vec<String> = values.iter().map(text).collect();
        assert_same_as_python(&texts);
    }

    #[test]
    fn random_floats_match_python_repr(floats in prop::collection::vec((any_float(), any::<bool>()), 1000)) {
        let texts: Vec<String> = floats.iter().map(|(x, e)| text(&Gen::Float(*x, *e))).collect();
        assert_same_as_python(&texts);
    }
}

#[test]
fn spec_examples_match_python() {
    let texts = [
        r#"{"b": 1, "a": [1e16, 1.2345678901234568e+17, 1e-05, 2.5e-07, 0.0001, 1234567890.0]}"#,
        r#"[0.1, 1.5, -0.0, 1.0, 1, 1e2, -0, 123456789012345678901234567890]"#,
        r#"{"é": "\u00e9\ud83d\ude00\u0000\u001f\u007f/\b\f\n\r\t\"\\", "😀": {"z": null, "a": true}}"#,
        r#"{"a": 1, "b": 2, "a": 3}"#,
    ];
    assert_same_as_python(&texts.map(str::to_owned));
}

#[test]
fn malformed_texts_are_rejected_by_both() {
    let texts = ["", "01", "1.", ".5", "+1", "[1,]", "{\"a\":1,}", "{a:1}", "\"\\x\"", "\"a\u{1}\"", "{} {}"];
    let texts = texts.map(str::to_owned);
    let Some(python) = python_canonical(&texts) else { return };
    for (text, python) in texts.iter().zip(python) {
        assert!(python.starts_with("ERROR "), "python3 accepted {text:?}");
        assert!(parse(text.as_bytes()).is_err(), "accepted {text:?}");
    }
}

/// Where the parser is deliberately stricter than `json.loads` (see the module docs).
#[test]
fn stricter_than_python_where_documented() {
    let texts = ["NaN", "[-Infinity]", "1e400", "\"\\ud800\"", "\"\\udc00x\""].map(str::to_owned);
    let Some(python) = python_canonical(&texts) else { return };
    for (text, python) in texts.iter().zip(python) {
        assert!(!python.starts_with("ERROR "), "python3 now rejects {text:?}");
        assert!(parse(text.as_bytes()).is_err(), "accepted {text:?}");
    }
}
