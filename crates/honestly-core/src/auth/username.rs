//! Usernames: 3–64 characters of `a-z A-Z 0-9 . _ -`, starting with a letter or digit.
//! Unique without regard to case: [`Username::canonical`] is the lower-case form the store
//! keys on.

use std::fmt;

/// A username that passed the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

/// Why a username was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    /// Fewer than 3 or more than 64 characters.
    #[error("must be 3 to 64 characters long")]
    Length,
    /// A character outside the alphabet.
    #[error("may contain only letters, digits, '.', '_' and '-'")]
    Alphabet,
    /// Starts with punctuation.
    #[error("must start with a letter or a digit")]
    Start,
}

impl Username {
    /// Parses a username, refusing anything outside the rules.
    pub fn parse(raw: &str) -> Result<Self, UsernameError> {
        if !(3..=64).contains(&raw.len()) {
            return Err(UsernameError::Length);
        }
        if !raw.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')) {
            return Err(UsernameError::Alphabet);
        }
        if !raw.as_bytes()[0].is_ascii_alphanumeric() {
            return Err(UsernameError::Start);
        }
        Ok(Self(raw.to_string()))
    }

    /// The name as the user chose it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The lower-case form that uniqueness is decided on.
    pub fn canonical(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn valid_names_parse_and_keep_their_text(name in "[a-zA-Z0-9][a-zA-Z0-9._-]{2,63}") {
            let parsed = Username::parse(&name).unwrap();
            prop_assert_eq!(parsed.as_str(), name.as_str());
            prop_assert_eq!(parsed.canonical(), name.to_ascii_lowercase());
        }

        #[test]
        fn anything_with_a_foreign_character_is_refused(
            prefix in "[a-z]{1,10}", bad in "[^a-zA-Z0-9._-]", suffix in "[a-z]{1,10}"
        ) {
            let name = format!("{prefix}{bad}{suffix}");
            prop_assert!(Username::parse(&name).is_err());
        }

        #[test]
        fn wrong_lengths_are_refused(name in "[a-z]{0,2}|[a-z]{65,100}") {
            prop_assert_eq!(Username::parse(&name), Err(UsernameError::Length));
        }

        #[test]
        fn parser_never_panics(raw in ".*") {
            let _ = Username::parse(&raw);
        }
    }

    #[test]
    fn leading_punctuation_is_refused() {
        assert_eq!(Username::parse(".alice"), Err(UsernameError::Start));
        assert_eq!(Username::parse("Alice").unwrap().canonical(), "alice");
    }
}
