//! Enums whose values have one text form each (an access level, a role, a document type, an
//! audit outcome, …), written once in a [`text_enum!`] declaration and used everywhere the value
//! is stored, serialised, parsed or shown.

/// A text that names no value of the expected enum.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected one of {expected}, got {got:?}")]
pub struct UnknownName {
    /// The text that was given.
    pub got: String,
    /// The accepted texts, comma-separated.
    pub expected: String,
}

impl UnknownName {
    /// `got` is none of `names`.
    pub fn new(got: &str, names: &[&str]) -> Self {
        Self { got: got.chars().take(64).collect(), expected: names.join(", ") }
    }
}

/// Writes `names` as "a, b or c" (for messages a person reads).
pub fn either_of(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// Declares an enum whose values each have one text form, and derives from that one place:
/// `as_str`, `parse`, `ALL`, `NAMES`, `Display`, `FromStr` and serde (`Serialize` writes the
/// text; `Deserialize` accepts only these texts, with serde's usual "unknown variant" message).
///
/// ```
/// honestly_core::text_enum! {
///     /// A colour.
///     pub enum Colour {
///         /// The sky.
///         Blue => "blue",
///         /// Grass.
///         Green => "green",
///     }
/// }
/// assert_eq!(Colour::parse("blue"), Some(Colour::Blue));
/// assert_eq!(Colour::Green.to_string(), "green");
/// ```
#[macro_export]
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The text forms, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The value's text form: stored, serialised and shown as such.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The value whose text form is exactly `raw`.
            pub fn parse(raw: &str) -> Option<Self> {
                match raw {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::text_enum::UnknownName;

            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                Self::parse(raw).ok_or_else(|| $crate::text_enum::UnknownName::new(raw, Self::NAMES))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = <::std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Self::parse(&raw).ok_or_else(|| <D::Error as ::serde::de::Error>::unknown_variant(&raw, Self::NAMES))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::text_enum! {
        /// A test enum.
        enum Level {
            /// Low.
            Low => "low_level",
            /// High.
            High => "high",
        }
    }

    #[test]
    fn one_text_form_everywhere() {
        for level in Level::ALL {
            assert_eq!(Level::parse(level.as_str()), Some(*level));
            assert_eq!(level.to_string(), level.as_str());
            let json = serde_json::to_string(level).unwrap();
            assert_eq!(json, format!("\"{}\"", level.as_str()));
            assert_eq!(serde_json::from_str::<Level>(&json).unwrap(), *level);
        }
        assert_eq!(Level::NAMES, ["low_level", "high"]);
        assert_eq!(
            "HIGH".parse::<Level>().unwrap_err().to_string(),
            "expected one of low_level, high, got \"HIGH\""
        );
        let refused = serde_json::from_str::<Level>("\"medium\"").unwrap_err().to_string();
        assert!(refused.starts_with("unknown variant `medium`, expected `low_level` or `high`"), "{refused}");
    }

    #[test]
    fn names_read_as_a_list() {
        assert_eq!(super::either_of(&["a"]), "a");
        assert_eq!(super::either_of(&["a", "b", "c"]), "a, b or c");
    }
}
