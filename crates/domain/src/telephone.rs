//! International telephone numbers, stored in E.164 (`+32475000000`).

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Telephone(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TelephoneError {
    #[error("not a valid international telephone number")]
    Invalid,
}

impl Telephone {
    /// Parses an international number (with its `+` country code; spaces,
    /// dots, dashes and brackets allowed) and checks it against libphonenumber's
    /// metadata for its country.
    pub fn parse(input: &str) -> Result<Self, TelephoneError> {
        let s = input.trim();
        if !s.starts_with('+') || s.len() > 32 {
            return Err(TelephoneError::Invalid);
        }
        let number = phonenumber::parse(None, s).map_err(|_| TelephoneError::Invalid)?;
        if !phonenumber::is_valid(&number) {
            return Err(TelephoneError::Invalid);
        }
        let e164 = number.format().mode(phonenumber::Mode::E164).to_string();
        // libphonenumber's metadata allows some national numbers (German
        // fixed lines) longer than E.164's 15 digits; E.164 is what we store.
        if e164.len() > 16 {
            return Err(TelephoneError::Invalid);
        }
        Ok(Self(e164))
    }

    /// Wraps a number already in E.164 (as stored).
    pub fn from_e164(stored: String) -> Self {
        Self(stored)
    }
}

crate::text::text_value!(Telephone, Debug);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_than_fifteen_digits_is_not_e164() {
        // Found by fuzzing: German fixed-line metadata allows 5 to 15 national digits.
        assert_eq!(Telephone::parse("+49 30 1234567890123"), Err(TelephoneError::Invalid));
        assert!(Telephone::parse("+49 30 12345678").is_ok());
    }

    #[test]
    fn normalizes_to_e164() {
        assert_eq!(
            Telephone::parse("+32 475 00 00 00").map(|t| t.0),
            Ok("+32475000000".into())
        );
        assert_eq!(
            Telephone::parse("+31 (0)6-12345678").map(|t| t.0),
            Ok("+31612345678".into())
        );
    }

    #[test]
    fn rejects_national_and_nonsense_numbers() {
        for bad in ["0475000000", "+32", "+999 123", "hello", "+32 475 00 00 00 00 00 00"] {
            assert_eq!(Telephone::parse(bad), Err(TelephoneError::Invalid), "{bad}");
        }
    }
}
