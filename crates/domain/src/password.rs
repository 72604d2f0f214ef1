//! Password rules. A `Password` is a candidate that passed them; it never
//! prints itself. Hashing is the service's job (argon2 is not pure CPU-cheap
//! domain logic and needs the configured parameters).

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::{BreachedPasswords, Email};

static COMMON: &str = include_str!("../data/common-passwords.txt");

fn common_passwords() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| COMMON.lines().map(str::trim).filter(|l| !l.is_empty()).collect())
}

/// Number of entries in the shipped common-password list.
pub fn common_password_count() -> usize {
    common_passwords().len()
}

/// Length limits from configuration (`password.min_length`/`max_length`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub min_length: usize,
    pub max_length: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_length: 8,
            max_length: 128,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("required")]
    Missing,
    #[error("shorter than {min} characters")]
    TooShort { min: usize },
    #[error("longer than {max} characters")]
    TooLong { max: usize },
    #[error("too common")]
    TooCommon,
    #[error("equal to the email address")]
    EqualsEmail,
    /// On the list of breached passwords ([`BreachedPasswords`]).
    #[error("found in a data breach")]
    Breached,
}

#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl PasswordPolicy {
    /// Checks a new password. Passwords are not trimmed: spaces are characters.
    /// `email` is the account's address, when known, which the password may not equal;
    /// `breached` the list of breached passwords, when one was imported.
    pub fn check(
        &self,
        candidate: &str,
        email: Option<&Email>,
        breached: Option<&BreachedPasswords>,
    ) -> Result<Password, PasswordError> {
        let length = candidate.chars().count();
        if length == 0 {
            return Err(PasswordError::Missing);
        }
        if length < self.min_length {
            return Err(PasswordError::TooShort { min: self.min_length });
        }
        if length > self.max_length {
            return Err(PasswordError::TooLong { max: self.max_length });
        }
        if common_passwords().contains(candidate.to_lowercase().as_str()) {
            return Err(PasswordError::TooCommon);
        }
        if email.is_some_and(|e| e.normalized() == candidate.trim().to_lowercase()) {
            return Err(PasswordError::EqualsEmail);
        }
        if breached.is_some_and(|list| list.contains(candidate)) {
            return Err(PasswordError::Breached);
        }
        Ok(Password(candidate.to_owned()))
    }
}

impl Password {
    /// A password presented to log in: not checked against the rules
    /// (they may have changed since it was set), only bounded so that a
    /// megabyte "password" never reaches the hasher.
    pub fn presented(candidate: &str, policy: &PasswordPolicy) -> Option<Password> {
        let length = candidate.chars().count();
        (length > 0 && length <= policy.max_length.max(1024)).then(|| Password(candidate.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

crate::secret::redacted!(Password);

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> PasswordPolicy {
        PasswordPolicy::default()
    }

    #[test]
    fn ships_at_least_ten_thousand_common_passwords() {
        assert!(common_password_count() >= 10_000, "{}", common_password_count());
    }

    #[test]
    fn refuses_short_long_common_and_email_passwords() {
        let email = Email::parse("jane.doe@example.com").expect("valid");
        assert_eq!(policy().check("", None, None), Err(PasswordError::Missing));
        assert_eq!(
            policy().check("Ab1!xyz", None, None),
            Err(PasswordError::TooShort { min: 8 })
        );
        assert_eq!(
            policy().check(&"x".repeat(129), None, None),
            Err(PasswordError::TooLong { max: 128 })
        );
        assert_eq!(policy().check("password123", None, None), Err(PasswordError::TooCommon));
        assert_eq!(policy().check("PassWord123", None, None), Err(PasswordError::TooCommon));
        assert_eq!(
            policy().check("Jane.Doe@example.com", Some(&email), None),
            Err(PasswordError::EqualsEmail)
        );
    }

    #[test]
    fn accepts_a_decent_password_and_never_prints_it() {
        let p = policy().check("SweetKittens23#", None, None).expect("fine");
        assert_eq!(p.expose(), "SweetKittens23#");
        assert!(!format!("{p:?}").contains("Kittens"));
    }

    #[test]
    fn refuses_a_breached_password_after_the_other_rules() {
        let list = BreachedPasswords::build(vec![crate::breached::key_of_password("Kittens-in-2019!")]).expect("built");
        assert_eq!(
            policy().check("Kittens-in-2019!", None, Some(&list)),
            Err(PasswordError::Breached)
        );
        assert!(
            policy().check("Kittens-in-2019!", None, None).is_ok(),
            "no list, no refusal"
        );
        assert!(policy().check("SweetKittens23#", None, Some(&list)).is_ok());
        // The common list speaks first.
        assert_eq!(
            policy().check("password123", None, Some(&list)),
            Err(PasswordError::TooCommon)
        );
    }

    #[test]
    fn honours_configured_lengths() {
        let strict = PasswordPolicy {
            min_length: 12,
            max_length: 16,
        };
        assert_eq!(
            strict.check("Tr0ub4dor&3", None, None),
            Err(PasswordError::TooShort { min: 12 })
        );
        assert_eq!(
            strict.check("correct-horse-battery", None, None),
            Err(PasswordError::TooLong { max: 16 })
        );
    }
}
