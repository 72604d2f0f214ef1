//! Confirmation codes: six digits a person types from a mail.

use crate::{SecretHash, SecretKey, UserId};

/// What a confirmation (code or link token) is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfirmationPurpose {
    /// Prove the email address (code + link).
    Email,
    /// Reset a forgotten password (link).
    PasswordReset,
    /// Sign in without the password (`grant_type=email_code`): a code only.
    /// Its link is never sent, so no link of this purpose is ever used.
    SignInCode,
}

impl ConfirmationPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            ConfirmationPurpose::Email => "email",
            ConfirmationPurpose::PasswordReset => "password_reset",
            ConfirmationPurpose::SignInCode => "sign_in_code",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "email" => Some(Self::Email),
            "password_reset" => Some(Self::PasswordReset),
            "sign_in_code" => Some(Self::SignInCode),
            _ => None,
        }
    }
}

/// A 6-digit code, leading zeros kept.
#[derive(Clone, PartialEq, Eq)]
pub struct ConfirmationCode(String);

impl ConfirmationCode {
    /// From a number drawn by the caller in `0..1_000_000`.
    pub fn from_number(n: u32) -> Self {
        Self(format!("{:06}", n % 1_000_000))
    }

    /// What a person typed: six digits, spaces ignored (`123 456`).
    pub fn parse(input: &str) -> Option<Self> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(Self(digits))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `123 456`, as mails show it.
    pub fn grouped(&self) -> String {
        // Six ASCII digits by construction; `split_at_checked` cannot panic.
        match self.0.split_at_checked(3) {
            Some((head, tail)) => format!("{head} {tail}"),
            None => self.0.clone(),
        }
    }

    /// Codes are short: the hash is keyed under the server secret (a
    /// million codes are tried in a moment against a plain digest) and bound
    /// to the user, so equal codes of two users hash differently.
    pub fn hash_for(&self, user: &UserId, key: &SecretKey) -> SecretHash {
        SecretHash::from_stored(key.digest("code", &format!("{}:{}", user.as_str(), self.0)))
    }
}

crate::secret::redacted!(ConfirmationCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_digits_with_leading_zeros() {
        assert_eq!(ConfirmationCode::from_number(42).expose(), "000042");
        assert_eq!(ConfirmationCode::from_number(123456).grouped(), "123 456");
        assert_eq!(ConfirmationCode::parse("123 456").map(|c| c.0), Some("123456".into()));
        assert!(ConfirmationCode::parse("12345").is_none());
        assert!(ConfirmationCode::parse("12345a").is_none());
    }

    #[test]
    fn hashes_differ_per_user() {
        let c = ConfirmationCode::from_number(1);
        let key = SecretKey::new(&[1; 32]).expect("32 bytes");
        assert_ne!(
            c.hash_for(&UserId("a".into()), &key),
            c.hash_for(&UserId("b".into()), &key)
        );
        let other = SecretKey::new(&[2; 32]).expect("32 bytes");
        assert_ne!(
            c.hash_for(&UserId("a".into()), &key),
            c.hash_for(&UserId("a".into()), &other)
        );
    }
}
