//! `.env.example` at the repository root and the variable table of `docs/configuration.md`
//! document exactly the variables the configuration declares ([`VARIABLES`], from
//! `src/config/variables.rs`), with their declared defaults: declaring a variable without
//! documenting it, or leaving a removed one in either file, fails here.

use std::collections::BTreeSet;

use honestly_core::config::{DefaultText, Variable, VARIABLES};

const ENV_EXAMPLE: &str = include_str!("../../../.env.example");
const CONFIGURATION_MD: &str = include_str!("../../../docs/configuration.md");

/// The names of the declared variables.
fn declared() -> BTreeSet<String> {
    VARIABLES.iter().map(|v| v.name.to_string()).collect()
}

/// The declaration of `name`.
fn declaration(name: &str) -> Option<&'static Variable> {
    VARIABLES.iter().find(|v| v.name == name)
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

/// The rows of the variable table of `docs/configuration.md` (the table whose header is
/// `| variable | default | meaning |`), as their cells.
fn reference_rows() -> Vec<Vec<String>> {
    let mut lines = CONFIGURATION_MD.lines().skip_while(|l| *l != "| variable | default | meaning |");
    assert!(lines.next().is_some(), "docs/configuration.md has no `| variable | default | meaning |` table");
    lines
        .skip(1) // |---|---|---|
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.trim_matches('|').split(" | ").map(|c| c.trim().to_string()).collect())
        .collect()
}

/// The variable a row of the reference table documents: its first cell, `` `NAME` ``.
fn reference_variable(row: &[String]) -> String {
    let cell = &row[0];
    let name = cell.strip_prefix('`').and_then(|c| c.strip_suffix('`')).unwrap_or(cell);
    assert!(is_variable_name(name), "a row of docs/configuration.md names {cell:?}, not one `VARIABLE`");
    name.to_string()
}

/// How the reference table writes a default.
fn reference_default(default: DefaultText) -> String {
    let code = |value: &str| if value.is_empty() { "none".to_string() } else { format!("`{value}`") };
    match default {
        DefaultText::Fixed(value) | DefaultText::Derived(value) => code(value),
        DefaultText::PerEnvironment { development, production } => {
            format!("{} (dev), {} (prod)", code(development), code(production))
        }
        DefaultText::Generated => "generated in dev".into(),
        DefaultText::Unset => "unset".into(),
    }
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

#[test]
fn env_example_shows_the_declared_defaults() {
    for line in ENV_EXAMPLE.lines() {
        // `# NAME=value` shows a default; an uncommented line sets a value on purpose.
        let Some(shown) = line.strip_prefix("# ") else { continue };
        let Some(name) = variable_of(shown) else { continue };
        let value = &shown[name.len() + 1..];
        let default = declaration(name).map(|v| v.default);
        if !value.is_empty() {
            assert_eq!(default, Some(DefaultText::Fixed(value)), ".env.example shows {name}={value}");
        }
    }
}

#[test]
fn the_configuration_reference_documents_exactly_the_declared_variables() {
    let rows: Vec<String> = reference_rows().iter().map(|row| reference_variable(row)).collect();
    assert_eq!(duplicates(&rows), Vec::<&String>::new(), "docs/configuration.md has several rows for these");
    let rows: BTreeSet<String> = rows.into_iter().collect();
    let declared = declared();
    assert_eq!(
        (difference(&declared, &rows), difference(&rows, &declared)),
        (vec![], vec![]),
        "(declared but missing from docs/configuration.md, in docs/configuration.md but not declared)"
    );
}

#[test]
fn the_configuration_reference_shows_the_declared_defaults() {
    for row in reference_rows() {
        let name = reference_variable(&row);
        let Some(variable) = declaration(&name) else { continue };
        assert_eq!(row.len(), 3, "the row of {name} in docs/configuration.md has {} cells", row.len());
        assert_eq!(row[1], reference_default(variable.default), "default of {name} in docs/configuration.md");
    }
}
