//! Email addresses. One account per address, whatever the case: the
//! normalized (lowercased) form is the identity, the original is kept for mail.

use std::fmt;

/// Longest address we accept (RFC 5321 path limit minus the angle brackets).
pub const MAX_EMAIL_LENGTH: usize = 254;

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email {
    original: String,
    normalized: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("not a valid email address")]
    Invalid,
    #[error("longer than {max} characters")]
    TooLong { max: usize },
}

impl Email {
    /// Parses a trimmed address; rejects anything `email_address` deems
    /// invalid, domains without a dot, and addresses over 254 characters —
    /// the address as typed and its lowercase identity alike (lowercasing
    /// can add characters and bytes: `İ` becomes `i` + U+0307; the identity
    /// must be an address that can be typed back).
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let s = input.trim();
        let normalized = s.to_lowercase();
        for form in [s, normalized.as_str()] {
            if form.chars().count() > MAX_EMAIL_LENGTH {
                return Err(EmailError::TooLong { max: MAX_EMAIL_LENGTH });
            }
            Self::check(form)?;
        }
        Ok(Self {
            original: s.to_owned(),
            normalized,
        })
    }

    fn check(s: &str) -> Result<(), EmailError> {
        if crate::text::has_control_characters(s) || !email_address::EmailAddress::is_valid(s) {
            return Err(EmailError::Invalid);
        }
        // email_address accepts quoted locals, IP literals and dotless hosts;
        // none of them can receive mail from a normal MTA setup.
        let (local, domain) = s.rsplit_once('@').ok_or(EmailError::Invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('[')
            && domain
                .split('.')
                .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
        if local.starts_with('"') || !domain_ok || s.chars().any(char::is_whitespace) {
            return Err(EmailError::Invalid);
        }
        Ok(())
    }

    /// The address as the user typed it (trimmed).
    pub fn as_str(&self) -> &str {
        &self.original
    }

    /// The identity of the address: lowercase.
    pub fn normalized(&self) -> &str {
        &self.normalized
    }

    /// The part after the `@`.
    pub fn domain(&self) -> &str {
        self.normalized.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
    }

    /// `j***@example.com`: for logs, never the whole address.
    pub fn masked(&self) -> String {
        let (local, domain) = self.original.rsplit_once('@').unwrap_or(("", ""));
        let first: String = local.chars().take(1).collect();
        format!("{first}***@{domain}")
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.masked())
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lowercase_identity_must_be_an_address_too() {
        // Found by fuzzing: lowercasing İ adds a combining mark; Ⱥ grows a byte.
        assert_eq!(Email::parse("İ@example.com"), Err(EmailError::Invalid));
        let label = format!("a@{}Ⱥ.com", "a".repeat(61));
        assert!(email_address::EmailAddress::is_valid(&label), "valid as typed");
        assert_eq!(Email::parse(&label), Err(EmailError::Invalid));
        let ok = Email::parse("Ünïcode@Example.COM").expect("other capitals are fine");
        assert_eq!(
            Email::parse(ok.normalized()).expect("re-parses").normalized(),
            ok.normalized()
        );
    }

    #[test]
    fn accepts_ordinary_addresses_and_normalizes_case() {
        let e = Email::parse("  Example@Domain.COM ").expect("valid");
        assert_eq!(e.as_str(), "Example@Domain.COM");
        assert_eq!(e.normalized(), "example@domain.com");
        assert_eq!(e.domain(), "domain.com");
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "",
            "plain",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "@c.com",
            "a@-c.com",
            "\"q\"@c.com",
            "a@[1.2.3.4]",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::Invalid), "{bad}");
        }
    }

    #[test]
    fn rejects_overlong_addresses() {
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong { max: 254 }));
    }

    #[test]
    fn masks_for_logs() {
        let e = Email::parse("jane@example.com").expect("valid");
        assert_eq!(e.masked(), "j***@example.com");
        assert!(!format!("{e:?}").contains("jane"));
    }
}
