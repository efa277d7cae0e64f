//! Passwords: 12–128 characters, not only whitespace, no control characters. Held as a
//! secret so they never print, and hashed with argon2id (OWASP parameters: 19 MiB, t=2, p=1).

use std::sync::OnceLock;

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};

/// A password that passed the rules; never printed.
#[derive(Clone)]
pub struct Password(SecretString);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([REDACTED])")
    }
}

/// Why a password was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Fewer than 12 or more than 128 characters.
    #[error("must be 12 to 128 characters long")]
    Length,
    /// Only whitespace.
    #[error("must not be only whitespace")]
    Blank,
    /// Contains a control character.
    #[error("must not contain control characters")]
    Control,
}

/// Longest password accepted, in characters (bounds the hashing work).
pub const MAX_PASSWORD_CHARS: usize = 128;

impl Password {
    /// Parses a new password against the rules.
    pub fn parse(raw: &str) -> Result<Self, PasswordError> {
        let chars = raw.chars().count();
        if !(12..=MAX_PASSWORD_CHARS).contains(&chars) {
            return Err(PasswordError::Length);
        }
        if raw.chars().all(char::is_whitespace) {
            return Err(PasswordError::Blank);
        }
        if raw.chars().any(char::is_control) {
            return Err(PasswordError::Control);
        }
        Ok(Self(SecretString::from(raw.to_string())))
    }

    /// The secret text (for hashing only).
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a secret with argon2id and a fresh salt (PHC string). CPU-heavy: call off the runtime.
pub fn hash(secret: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(secret.as_bytes(), &salt)
        .expect("argon2 hashing with valid parameters")
        .to_string()
}

/// Checks a secret against a PHC hash (constant-time inside argon2). CPU-heavy.
pub fn verify(secret: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => hasher().verify_password(secret.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash of a random secret, verified against when the user does not exist so that an
/// unknown username costs the same time as a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash(crate::ids::UserId::generate().as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn printable_passwords_of_valid_length_parse(pw in "[ -~]{12,128}") {
            prop_assume!(!pw.trim().is_empty());
            let parsed = Password::parse(&pw).unwrap();
            prop_assert_eq!(parsed.expose(), pw.as_str());
            let shown = format!("{:?}", parsed);
            prop_assert!(!shown.contains(&pw));
        }

        #[test]
        fn short_and_long_passwords_are_refused(pw in "[a-z]{0,11}|[a-z]{129,200}") {
            prop_assert_eq!(Password::parse(&pw).unwrap_err(), PasswordError::Length);
        }

        #[test]
        fn control_characters_are_refused(a in "[a-z]{6}", c in "[\\x00-\\x1f]", b in "[a-z]{6}") {
            prop_assert_eq!(Password::parse(&format!("{a}{c}{b}")).unwrap_err(), PasswordError::Control);
        }

        #[test]
        fn parser_never_panics(raw in "\\PC*") {
            let _ = Password::parse(&raw);
        }
    }

    #[test]
    fn hash_verifies_only_the_right_secret() {
        let h = hash("correct horse battery");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse batterY", &h));
        assert!(!verify("anything", "not a hash"));
        assert!(!verify("anything", dummy_hash()));
    }
}
