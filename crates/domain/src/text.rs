//! Bounded free-text values: names, device names, tax numbers.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("required")]
    Missing,
    #[error("longer than {max} characters")]
    TooLong { max: usize },
    /// A control character (C0 or C1: NUL, CR, LF, tab, …) or a line or
    /// paragraph separator: never in a name, a header or a log line.
    #[error("holds control characters")]
    ControlCharacter,
}

/// Whether `s` holds a control character (C0, DEL, C1) or U+2028/U+2029,
/// which split lines as surely as a line feed does.
pub fn has_control_characters(s: &str) -> bool {
    s.chars().any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}')
}

/// Trims and checks a required text against `max` characters.
pub fn bounded(input: &str, max: usize) -> Result<String, TextError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(TextError::Missing);
    }
    if s.chars().count() > max {
        return Err(TextError::TooLong { max });
    }
    if has_control_characters(s) {
        return Err(TextError::ControlCharacter);
    }
    Ok(s.to_owned())
}

/// A short lowercase name (a role, a policy type): 1 to 32 of
/// `a-z 0-9 _ -`, after trimming and lowercasing.
pub(crate) fn lowercase_name(input: &str) -> Option<String> {
    let s = input.trim().to_ascii_lowercase();
    let ok = !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    ok.then_some(s)
}

/// `as_str` for a value type that is a checked `String` (`$name(String)`),
/// with how it prints: `Display` as the text itself, or `Debug` as
/// `Name(text)` for the types that derive no `Debug`.
macro_rules! text_value {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
    ($name:ident, Display) => {
        $crate::text::text_value!($name);

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
    ($name:ident, Debug) => {
        $crate::text::text_value!($name);

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }
    };
}
pub(crate) use text_value;

macro_rules! bounded_text {
    ($(#[$doc:meta])* $name:ident, $max:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub const MAX: usize = $max;

            pub fn parse(input: &str) -> Result<Self, TextError> {
                $crate::text::bounded(input, Self::MAX).map(Self)
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        $crate::text::text_value!($name, Display);
    };
}
pub(crate) use bounded_text;

bounded_text!(
    /// A first name, insertion or last name: 1 to 191 characters (the
    /// users API's limit, a MySQL `varchar(191)` column).
    PersonName,
    191
);
bounded_text!(
    /// A tax identification number, free form, up to 64 characters.
    TinNr,
    64
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_bounds() {
        assert_eq!(PersonName::parse("  Ann ").map(|n| n.into_string()), Ok("Ann".into()));
        assert_eq!(PersonName::parse("   "), Err(TextError::Missing));
        assert_eq!(
            PersonName::parse(&"é".repeat(191)).map(|n| n.as_str().chars().count()),
            Ok(191)
        );
        assert_eq!(
            PersonName::parse(&"é".repeat(192)),
            Err(TextError::TooLong { max: 191 })
        );
        assert_eq!(TinNr::parse(&"1".repeat(65)), Err(TextError::TooLong { max: 64 }));
    }

    #[test]
    fn control_characters_are_refused_inside_a_text() {
        for bad in [
            "Eve\nX",
            "A\rB",
            "nul\0",
            "tab\there",
            "del\u{7f}",
            "c1\u{85}x",
            "ls\u{2028}x",
            "ps\u{2029}x",
        ] {
            assert_eq!(PersonName::parse(bad), Err(TextError::ControlCharacter), "{bad:?}");
        }
        // Around the text they are white space, trimmed like any other.
        assert_eq!(
            PersonName::parse("\n Eve \r\n").map(|n| n.into_string()),
            Ok("Eve".into())
        );
        assert_eq!(
            PersonName::parse("Zoë d'Arc-Ö").map(|n| n.into_string()),
            Ok("Zoë d'Arc-Ö".into())
        );
    }
}
