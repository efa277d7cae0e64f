//! `.env.example` at the repository root documents exactly the variables the configuration
//! reads: adding a variable to the parser without documenting it (or leaving a removed one in
//! the example) fails here.
//!
//! Two witnesses name the variables the configuration reads, and they must agree:
//! - the source of `src/config/parse.rs`: every `r.<method>("NAME" …)` call of its reader
//!   (`r.get`, `r.parse`, `r.bool`, `r.seconds`, `r.count`, `r.vars.get`);
//! - [`Config::describe`], the list `honestly config check` prints.

use std::collections::BTreeSet;

use honestly_core::config::{Config, EnvMap};

const PARSE_RS: &str = include_str!("../src/config/parse.rs");
const ENV_EXAMPLE: &str = include_str!("../../../.env.example");

/// Variable names passed as a string literal to a method of the reader `r`
/// (`r.get("NAME")`, also split over lines as `r\n    .get("NAME")`).
fn reader_calls(source: &str) -> BTreeSet<String> {
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = source.as_bytes();
    let mut names = BTreeSet::new();
    for (start, _) in source.match_indices('r') {
        // `r` must be a whole identifier (not the end of `iter` or the start of `rest`).
        if start > 0 && is_ident(bytes[start - 1]) {
            continue;
        }
        let rest = source[start + 1..].trim_start();
        let Some(rest) = rest.strip_prefix('.') else { continue };
        let method_len = rest.find(|c: char| !(c.is_ascii_lowercase() || c == '_' || c == '.')).unwrap_or(0);
        let (method, after) = rest.split_at(method_len);
        if method.is_empty() || method == "problem" {
            continue;
        }
        let Some(literal) = after.strip_prefix("(\"") else { continue };
        let Some(end) = literal.find('"') else { continue };
        let name = &literal[..end];
        if is_variable_name(name) {
            names.insert(name.to_string());
        }
    }
    names
}

/// A variable line of `.env.example`: `NAME=value`, or `# NAME=value` for one left at its default.
fn variable_of(line: &str) -> Option<&str> {
    let line = line.strip_prefix("# ").unwrap_or(line);
    let (name, _) = line.split_once('=')?;
    is_variable_name(name).then_some(name)
}

/// `UPPER_CASE_1`: an upper-case letter, then upper-case letters, digits and underscores.
fn is_variable_name(name: &str) -> bool {
    name.as_bytes().first().is_some_and(u8::is_ascii_uppercase)
        && name.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Every variable `.env.example` lists, in order (duplicates kept, to be reported).
fn documented() -> Vec<String> {
    ENV_EXAMPLE.lines().filter_map(variable_of).map(String::from).collect()
}

fn described() -> BTreeSet<String> {
    let strong = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    let vars: EnvMap = [
        ("ENVIRONMENT", "production"),
        ("JWT_SECRET", strong),
        ("AI_AGENT_SECRET", strong),
        ("VAULT_MASTER_KEY", strong),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let loaded = Config::load(&vars).expect("a minimal production configuration loads");
    loaded.config.describe().into_iter().map(|(name, _)| name.to_string()).collect()
}

fn difference(a: &BTreeSet<String>, b: &BTreeSet<String>) -> Vec<String> {
    a.difference(b).cloned().collect()
}

#[test]
fn the_parser_reads_the_variables_config_check_describes() {
    let read = reader_calls(PARSE_RS);
    let described = described();
    assert!(read.len() >= 30, "the source scan found only {read:?}: did the reader's calls change shape?");
    assert_eq!(
        (difference(&read, &described), difference(&described, &read)),
        (vec![], vec![]),
        "(read by parse.rs but not in Config::describe, in Config::describe but not read by parse.rs)"
    );
}

#[test]
fn env_example_lists_exactly_the_variables_the_configuration_reads() {
    let listed = documented();
    let unique: BTreeSet<String> = listed.iter().cloned().collect();
    let duplicates: Vec<_> = unique.iter().filter(|n| listed.iter().filter(|l| l == n).count() > 1).collect();
    assert!(duplicates.is_empty(), ".env.example lists these more than once: {duplicates:?}");

    let read = reader_calls(PARSE_RS);
    assert_eq!(
        (difference(&read, &unique), difference(&unique, &read)),
        (vec![], vec![]),
        "(read by the configuration but missing from .env.example, listed in .env.example but never read)"
    );
}

#[test]
fn every_variable_in_env_example_has_a_comment_and_no_secret_value() {
    let lines: Vec<&str> = ENV_EXAMPLE.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let Some(name) = variable_of(line) else { continue };
        let above = if i > 0 { lines[i - 1] } else { "" };
        assert!(
            above.starts_with('#') && variable_of(above).is_none() && above.len() > 2,
            "{name} (line {}) needs a one-line comment right above it",
            i + 1
        );
    }
    for secret in ["JWT_SECRET", "AI_AGENT_SECRET", "VAULT_MASTER_KEY", "NEO4J_PASS", "MONITORING_TOKEN"] {
        let line = lines.iter().find(|l| variable_of(l) == Some(secret));
        assert_eq!(line.copied(), Some(format!("{secret}=").as_str()), "{secret} must be listed, empty");
    }
}

#[test]
fn the_source_scan_finds_reader_calls_and_nothing_else() {
    let source = r#"
        let a = r.get("ALPHA");
        let b = r.seconds("BETA_2", 1, 0, 9);
        let c = r.vars.get("GAMMA").cloned();
        r.problem("DELTA", "reported, not read");
        let d = iter.get("EPSILON");
        let e = r.get(name);
        let f = r
            .get("ZETA")
            .unwrap_or_default();
        let g = rr.get("ETA");
    "#;
    let found: Vec<String> = reader_calls(source).into_iter().collect();
    assert_eq!(found, ["ALPHA", "BETA_2", "GAMMA", "ZETA"]);
}
