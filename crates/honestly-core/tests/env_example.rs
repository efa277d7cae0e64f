//! `.env.example` at the repository root documents exactly the variables the configuration
//! declares ([`VARIABLES`], from `src/config/variables.rs`): declaring a variable without
//! documenting it, or leaving a removed one in the example, fails here.

use std::collections::BTreeSet;

use honestly_core::config::VARIABLES;

const ENV_EXAMPLE: &str = include_str!("../../../.env.example");

/// The names of the declared variables.
fn declared() -> BTreeSet<String> {
    VARIABLES.iter().map(|v| v.name.to_string()).collect()
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

fn difference(a: &BTreeSet<String>, b: &BTreeSet<String>) -> Vec<String> {
    a.difference(b).cloned().collect()
}

/// The names listed more than once.
fn duplicates(listed: &[String]) -> Vec<&String> {
    let unique: BTreeSet<&String> = listed.iter().collect();
    unique.into_iter().filter(|n| listed.iter().filter(|l| l == n).count() > 1).collect()
}

#[test]
fn env_example_lists_exactly_the_declared_variables() {
    let listed = documented();
    assert_eq!(duplicates(&listed), Vec::<&String>::new(), ".env.example lists these more than once");
    let listed: BTreeSet<String> = listed.into_iter().collect();
    let declared = declared();
    assert_eq!(
        (difference(&declared, &listed), difference(&listed, &declared)),
        (vec![], vec![]),
        "(declared but missing from .env.example, listed in .env.example but not declared)"
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
    let secrets: Vec<&str> = VARIABLES.iter().filter(|v| v.secret).map(|v| v.name).collect();
    assert!(secrets.len() >= 6, "only {secrets:?} are declared secret");
    for secret in secrets {
        let line = lines.iter().find(|l| variable_of(l) == Some(secret));
        assert_eq!(line.copied(), Some(format!("{secret}=").as_str()), "{secret} must be listed, empty");
    }
}
