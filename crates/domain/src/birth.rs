//! Year of birth: strictly between 150 and 10 years ago.

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum YearOfBirthError {
    #[error("not a year")]
    NotANumber,
    /// Not after (this year − 150).
    #[error("more than 150 years ago")]
    TooLongAgo,
    /// Not before (this year − 10).
    #[error("less than 10 years ago")]
    TooRecent,
}

/// Checks a year of birth against `this_year` (passed in: the domain reads no clock).
pub fn year_of_birth(input: &str, this_year: i32) -> Result<i32, YearOfBirthError> {
    let year: i32 = input.trim().parse().map_err(|_| YearOfBirthError::NotANumber)?;
    if year <= this_year - 150 {
        return Err(YearOfBirthError::TooLongAgo);
    }
    if year >= this_year - 10 {
        return Err(YearOfBirthError::TooRecent);
    }
    Ok(year)
}

/// An organisation's sector: a letter A–T of the UK SIC 2007 sections.
pub fn sector(input: &str) -> Option<char> {
    let s = input.trim();
    let mut chars = s.chars();
    let c = chars.next()?.to_ascii_uppercase();
    (chars.next().is_none() && ('A'..='T').contains(&c)).then_some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strictly_between_150_and_10_years_ago() {
        assert_eq!(year_of_birth("1990", 2026), Ok(1990));
        assert_eq!(year_of_birth(" 1877 ", 2026), Ok(1877));
        assert_eq!(year_of_birth("1876", 2026), Err(YearOfBirthError::TooLongAgo));
        assert_eq!(year_of_birth("2015", 2026), Ok(2015));
        assert_eq!(year_of_birth("2016", 2026), Err(YearOfBirthError::TooRecent));
        assert_eq!(year_of_birth("19x0", 2026), Err(YearOfBirthError::NotANumber));
        assert_eq!(year_of_birth("1990.5", 2026), Err(YearOfBirthError::NotANumber));
    }

    #[test]
    fn sectors_are_one_letter_a_to_t() {
        assert_eq!(sector("a"), Some('A'));
        assert_eq!(sector("T"), Some('T'));
        assert_eq!(sector("U"), None);
        assert_eq!(sector("AB"), None);
        assert_eq!(sector(""), None);
    }
}
