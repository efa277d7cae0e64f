//! The `credentialId` claim: 128 random bits naming one credential inside the proof system
//! (the revocation state lists these numbers). It is not the `crd_…` id under which a vault
//! stores a credential.

use std::fmt;

use honestly_zk::{fr_to_decimal, Fr};
use rand::RngCore;

/// A credential's `credentialId` claim: a non-zero integer below 2^128.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CredentialSerial(u128);

impl CredentialSerial {
    /// A fresh serial: 128 bits from the operating system's random generator (never 0).
    pub fn generate() -> Self {
        loop {
            let mut bytes = [0u8; 16];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            if let Some(serial) = Self::new(u128::from_be_bytes(bytes)) {
                return serial;
            }
        }
    }

    /// The serial `value`; `None` for 0, which names no credential.
    pub fn new(value: u128) -> Option<Self> {
        (value != 0).then_some(Self(value))
    }

    /// The serial held by a field element, if it is non-zero and below 2^128.
    pub fn from_field(value: &Fr) -> Option<Self> {
        fr_to_decimal(value).parse::<u128>().ok().and_then(Self::new)
    }

    /// The number.
    pub const fn value(self) -> u128 {
        self.0
    }

    /// The serial as a field element.
    pub fn to_field(self) -> Fr {
        Fr::from(self.0)
    }
}

impl fmt::Display for CredentialSerial {
    /// The decimal number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Debug for CredentialSerial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CredentialSerial({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use honestly_zk::fr_from_decimal;

    #[test]
    fn serials_are_non_zero_128_bit_numbers() {
        assert_eq!(CredentialSerial::new(0), None);
        let max = CredentialSerial::new(u128::MAX).unwrap();
        assert_eq!(CredentialSerial::from_field(&max.to_field()), Some(max));
        let two_pow_128 = fr_from_decimal("340282366920938463463374607431768211456").unwrap();
        assert_eq!(CredentialSerial::from_field(&two_pow_128), None);
        assert_eq!(CredentialSerial::from_field(&Fr::from(0u64)), None);
        assert_eq!(
            CredentialSerial::from_field(&Fr::from(7u64)).map(|s| s.to_string()),
            Some("7".to_string())
        );
    }

    #[test]
    fn generated_serials_differ() {
        let a = CredentialSerial::generate();
        let b = CredentialSerial::generate();
        assert_ne!(a, b);
        assert_ne!(a.value(), 0);
    }
}
