//! Passwords: 12–128 characters, not only whitespace, no control characters, not containing
//! the username (in any case), and hard enough to guess: the `zxcvbn` strength estimate
//! (0–4, told the username as a known word) must reach [`MIN_PASSWORD_SCORE`]. Held as a
//! secret so they never print, and hashed with argon2id (OWASP parameters: 19 MiB, t=2, p=1).

use std::sync::OnceLock;

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};

use super::username::Username;

/// A password that passed the rules; never printed.
#[derive(Clone)]
pub struct Password(SecretString);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([REDACTED])")
    }
}

/// Why a password was refused. The text is shown to the person choosing it (the 400's
/// `fields.password`), so it says what to do.
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
    /// Contains the username, in any case.
    #[error("must not contain the username")]
    ContainsUsername,
    /// The strength estimate is below [`MIN_PASSWORD_SCORE`].
    #[error("is too easy to guess (strength {score} of 4, at least {MIN_PASSWORD_SCORE} needed).{advice} A few unrelated words or a password manager's random password will do")]
    Weak {
        /// The estimate, 0–4.
        score: u8,
        /// The estimator's warning and suggestions, each as ` Sentence.`, or empty.
        advice: String,
    },
}

/// Longest password accepted, in characters (bounds the hashing and estimating work).
pub const MAX_PASSWORD_CHARS: usize = 128;
/// Least `zxcvbn` score (0 = too guessable … 4 = very unguessable) a new password must reach:
/// 3 means "safely unguessable: moderate protection from an offline slow-hash scenario"
/// (about 10^10 guesses).
pub const MIN_PASSWORD_SCORE: u8 = 3;

impl Password {
    /// Parses a new password for the account `username` against every rule: length,
    /// characters, the username, strength. CPU: an estimate of at most 128 characters takes
    /// well under a millisecond.
    pub fn parse(raw: &str, username: &Username) -> Result<Self, PasswordError> {
        Self::check_form(raw)?;
        if raw.to_lowercase().contains(&username.canonical()) {
            return Err(PasswordError::ContainsUsername);
        }
        let estimate = zxcvbn::zxcvbn(raw, &[username.as_str()]);
        let score = u8::from(estimate.score());
        if score < MIN_PASSWORD_SCORE {
            return Err(PasswordError::Weak { score, advice: advice(&estimate) });
        }
        Ok(Self(SecretString::from(raw.to_string())))
    }

    /// The rules that do not depend on the account (length and characters), for reporting
    /// them when the username itself was refused.
    pub fn check_form(raw: &str) -> Result<(), PasswordError> {
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
        Ok(())
    }

    /// The secret text (for hashing only).
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

/// The estimator's warning and suggestions as sentences, each preceded by a space.
fn advice(estimate: &zxcvbn::Entropy) -> String {
    let Some(feedback) = estimate.feedback() else { return String::new() };
    let mut out = String::new();
    for sentence in feedback
        .warning()
        .map(|w| w.to_string())
        .into_iter()
        .chain(feedback.suggestions().iter().map(ToString::to_string))
    {
        out.push(' ');
        out.push_str(sentence.trim_end_matches('.'));
        out.push('.');
    }
    out
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

    fn alice() -> Username {
        Username::parse("Alice").unwrap()
    }

    proptest! {
        #[test]
        fn accepted_passwords_keep_their_text_and_never_print(pw in "[ -~]{12,128}") {
            if let Ok(parsed) = Password::parse(&pw, &alice()) {
                prop_assert_eq!(parsed.expose(), pw.as_str());
                let shown = format!("{:?}", parsed);
                prop_assert!(!shown.contains(&pw));
            }
        }

        #[test]
        fn short_and_long_passwords_are_refused(pw in "[a-z]{0,11}|[a-z]{129,200}") {
            prop_assert_eq!(Password::parse(&pw, &alice()).unwrap_err(), PasswordError::Length);
        }

        #[test]
        fn control_characters_are_refused(a in "[a-z]{6}", c in "[\\x00-\\x1f]", b in "[a-z]{6}") {
            prop_assert_eq!(
                Password::parse(&format!("{a}{c}{b}"), &alice()).unwrap_err(),
                PasswordError::Control
            );
        }

        #[test]
        fn parser_never_panics(raw in "\\PC*") {
            let _ = Password::parse(&raw, &alice());
        }
    }

    #[test]
    fn strong_passwords_are_accepted() {
        for pw in ["correct horse battery staple", "vN4#qz8!Lp2@Wx", "tangerine orbit cello 1987"] {
            assert!(Password::parse(pw, &alice()).is_ok(), "{pw}");
        }
    }

    #[test]
    fn guessable_passwords_are_refused_with_advice() {
        for pw in ["password1234", "aaaaaaaaaaaa", "qwertyuiop123", "123456789012", "abcdefghijkl"] {
            match Password::parse(pw, &alice()) {
                Err(PasswordError::Weak { score, .. }) => assert!(score < MIN_PASSWORD_SCORE, "{pw}"),
                other => panic!("{pw}: {other:?}"),
            }
        }
        let message = Password::parse("password1234", &alice()).unwrap_err().to_string();
        assert!(message.starts_with("is too easy to guess (strength"), "{message}");
        assert!(message.contains("at least 3 needed"), "{message}");
        assert!(message.len() > 80, "the message helps: {message}");
    }

    #[test]
    fn passwords_containing_the_username_are_refused_whatever_the_case() {
        for pw in ["alice-in-wonderland-77", "my name is ALICE, ok?", "xXAlIcExX#2026!"] {
            assert_eq!(Password::parse(pw, &alice()).unwrap_err(), PasswordError::ContainsUsername, "{pw}");
        }
        let long_name = Username::parse("correct").unwrap();
        assert_eq!(
            Password::parse("correct horse battery staple", &long_name).unwrap_err(),
            PasswordError::ContainsUsername
        );
    }

    #[test]
    fn the_documented_minimum_is_the_enforced_one() {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/api.md");
        let api = std::fs::read_to_string(docs).unwrap();
        let promise = format!("`zxcvbn` score of at least {MIN_PASSWORD_SCORE}");
        assert!(api.contains(&promise), "docs/api.md must say: {promise}");
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
