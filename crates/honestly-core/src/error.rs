//! The parts every service's error shares: per-field reasons for refused input
//! ([`FieldErrors`]) and the one meaning of "the store cannot answer now"
//! ([`crate::store::StoreError::Unavailable`]). Service errors keep their causes as sources
//! (`#[source]`), so the log line written under an error's id shows the whole chain.

use std::collections::BTreeMap;
use std::fmt;

/// Why input was refused, per field: `{"username": "3-64 characters"}`. Reported to the
/// client as they are, so reasons never carry internal detail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    /// No reasons yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// One field refused for one reason.
    pub fn one(field: impl Into<String>, reason: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, reason);
        errors
    }

    /// Adds a reason (a later reason for the same field replaces the earlier one).
    pub fn add(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        self.0.insert(field.into(), reason.into());
    }

    /// Whether no field was refused.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok` when no field was refused, else these reasons.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }

    /// The reason given for `field`, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// Field → reason, in field order.
    pub fn into_map(self) -> BTreeMap<String, String> {
        self.0
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid input")?;
        for (i, (field, reason)) in self.0.iter().enumerate() {
            write!(f, "{}{field}: {reason}", if i == 0 { ": " } else { "; " })?;
        }
        Ok(())
    }
}

impl std::error::Error for FieldErrors {}

/// A broken internal expectation (a stored value that does not parse, a missing registry leaf):
/// never the caller's fault, answered as an internal error, logged with its words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Inconsistent(pub String);

/// Writes `error` and every source below it, `outer: inner: innermost`, for a log line.
pub fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let words = cause.to_string();
        if !text.ends_with(&words) {
            text.push_str(": ");
            text.push_str(&words);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_collect_and_print() {
        let mut errors = FieldErrors::new();
        assert!(errors.clone().into_result().is_ok());
        errors.add("b", "second");
        errors.add("a", "first");
        assert_eq!(errors.get("a"), Some("first"));
        assert_eq!(errors.to_string(), "invalid input: a: first; b: second");
        assert_eq!(errors.clone().into_result(), Err(errors));
    }

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] Inconsistent);

    #[test]
    fn the_chain_names_every_source() {
        let error = Outer(Inconsistent("stored id is not an id".into()));
        assert_eq!(chain(&error), "outer: stored id is not an id");
    }
}
