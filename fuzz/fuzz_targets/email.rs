//! `Email::parse`: no panic, and what it accepts behaves as an identity.
#![no_main]

use libfuzzer_sys::fuzz_target;
use registrar_domain::email::MAX_EMAIL_LENGTH;
use registrar_domain::{Email, EmailError, PasswordPolicy};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else { return };
    let email = match Email::parse(input) {
        Ok(email) => email,
        Err(EmailError::TooLong { max }) => {
            assert_eq!(max, MAX_EMAIL_LENGTH);
            assert!(input.trim().chars().count() > MAX_EMAIL_LENGTH);
            return;
        }
        Err(EmailError::Invalid) => return,
    };
    let trimmed = input.trim();
    // Kept as written (trimmed); the identity is its lowercase form.
    assert_eq!(email.as_str(), trimmed);
    assert_eq!(email.normalized(), trimmed.to_lowercase());
    assert!(email.as_str().chars().count() <= MAX_EMAIL_LENGTH);

    // The store keeps `as_str` and parses it again when it reads the row.
    assert_eq!(Email::parse(email.as_str()).as_ref(), Ok(&email), "re-parse as stored");

    // Normalizing is idempotent: the identity is itself a valid address with the same identity.
    match Email::parse(email.normalized()) {
        Ok(again) => assert_eq!(again.normalized(), email.normalized(), "normalized twice"),
        Err(e) => panic!("the normalized form {:?} does not parse: {e:?}", email.normalized()),
    }

    // One account per address whatever the case: an ASCII case change finds the same one.
    let shouted = trimmed.to_ascii_uppercase();
    match Email::parse(&shouted) {
        Ok(upper) => assert_eq!(upper.normalized(), email.normalized(), "case-insensitive identity"),
        Err(e) => panic!("the uppercase form {shouted:?} does not parse: {e:?}"),
    }

    // The domain is the part after the last `@`, with a dot, no empty label.
    let domain = email.domain();
    assert!(email.normalized().ends_with(&format!("@{domain}")));
    assert!(domain.contains('.') && domain.split('.').all(|l| !l.is_empty()));

    // A password equal to the address is refused, whatever else it is.
    assert!(PasswordPolicy::default().check(input, Some(&email), None).is_err());
});
