//! The other value parsers a request reaches, all on the same string:
//! postal codes (NL/BE/DE and UK), years of birth, sectors, language codes
//! and `Accept-Language`, names and other bounded texts, client ids,
//! confirmation codes, policy types and the password rules.
#![no_main]

use libfuzzer_sys::fuzz_target;
use registrar_domain::birth::{sector, year_of_birth, YearOfBirthError};
use registrar_domain::text::bounded;
use registrar_domain::{
    ClientId, ConfirmationCode, DeviceId, DeviceName, Language, Password, PasswordError, PasswordPolicy, PersonName,
    PolicyType, PostalCode, TextError, TinNr, UkPostcode,
};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    postal(s);
    uk(s);
    years(s);
    sectors(s);
    languages(s);
    texts(s);
    ids(s);
    passwords(s);
});

/// Dutch, Belgian or German: kept as written, trimmed, letters uppercased.
fn postal(s: &str) {
    let Some(p) = PostalCode::parse(s) else { return };
    assert_eq!(p.as_str(), s.trim().to_ascii_uppercase());
    assert!(matches!(p.as_str().len(), 4..=7));
    assert_eq!(PostalCode::parse(p.as_str()).as_ref(), Some(&p), "re-parse");
    assert_eq!(
        PostalCode::parse(&p.as_str().to_ascii_lowercase()).as_ref(),
        Some(&p),
        "any case"
    );
}

/// British: uppercase, one space before the three-character inward code.
fn uk(s: &str) {
    let Some(p) = UkPostcode::parse(s) else { return };
    let text = p.as_str();
    assert!(
        text.is_ascii() && !text.bytes().any(|b| b.is_ascii_lowercase()),
        "{text:?}"
    );
    let (outward, inward) = text.split_once(' ').unwrap_or_default();
    assert!(matches!(outward.len(), 2..=4) && inward.len() == 3, "{text:?}");
    assert_eq!(UkPostcode::parse(text).as_ref(), Some(&p), "re-parse");
    let compact: String = text.chars().filter(|c| *c != ' ').collect();
    assert_eq!(UkPostcode::parse(&compact).as_ref(), Some(&p), "without the space");
    assert_eq!(
        UkPostcode::parse(&text.to_ascii_lowercase()).as_ref(),
        Some(&p),
        "any case"
    );
}

/// Strictly between (this year − 150) and (this year − 10).
fn years(s: &str) {
    for this_year in [1970, 2026, 2200] {
        match year_of_birth(s, this_year) {
            Ok(y) => {
                assert!(this_year - 150 < y && y < this_year - 10, "{y} in {this_year}");
                assert_eq!(year_of_birth(&y.to_string(), this_year), Ok(y));
            }
            Err(YearOfBirthError::NotANumber) => assert!(s.trim().parse::<i32>().is_err()),
            Err(YearOfBirthError::TooLongAgo) => {
                assert!(s.trim().parse::<i32>().is_ok_and(|y| y <= this_year - 150))
            }
            Err(YearOfBirthError::TooRecent) => {
                assert!(s.trim().parse::<i32>().is_ok_and(|y| y >= this_year - 10))
            }
        }
    }
}

/// One letter A–T, any case.
fn sectors(s: &str) {
    let Some(c) = sector(s) else { return };
    assert!(('A'..='T').contains(&c));
    assert_eq!(sector(&c.to_string()), Some(c));
    assert_eq!(sector(&c.to_ascii_lowercase().to_string()), Some(c));
}

fn languages(s: &str) {
    if let Some(l) = Language::from_code(s) {
        assert_eq!(l.code(), s.trim().to_ascii_lowercase());
        assert_eq!(Language::from_code(l.code()), Some(l));
        assert_eq!(l.code().parse::<Language>(), Ok(l));
    }
    // The header's pick is one on offer that the header names.
    let offered = Language::BUILT_IN;
    if let Some(l) = Language::from_accept_language(s, &offered) {
        assert!(offered.contains(&l), "{l} is not on offer");
        assert!(s.to_ascii_lowercase().contains(l.code()), "{s:?} picked {l}");
        assert_eq!(Language::from_accept_language(l.code(), &offered), Some(l));
    }
}

/// Bounded texts: trimmed, 1 to MAX characters.
fn texts(s: &str) {
    let trimmed = s.trim();
    let chars = trimmed.chars().count();
    for max in [PersonName::MAX, TinNr::MAX, DeviceId::MAX, DeviceName::MAX] {
        match bounded(s, max) {
            Ok(t) => assert!(t == trimmed && (1..=max).contains(&chars)),
            Err(TextError::Missing) => assert!(trimmed.is_empty()),
            Err(TextError::TooLong { max: m }) => assert!(m == max && chars > max),
            Err(TextError::ControlCharacter) => assert!(registrar_domain::text::has_control_characters(s)),
        }
    }
    assert_eq!(
        PersonName::parse(s).map(|n| n.into_string()),
        bounded(s, PersonName::MAX)
    );
    assert_eq!(TinNr::parse(s).map(|n| n.into_string()), bounded(s, TinNr::MAX));
    assert_eq!(DeviceId::parse(s).map(|n| n.into_string()), bounded(s, DeviceId::MAX));
    assert_eq!(
        DeviceName::parse(s).map(|n| n.into_string()),
        bounded(s, DeviceName::MAX)
    );
}

fn ids(s: &str) {
    if let Some(id) = ClientId::parse(s) {
        assert_eq!(id.as_str(), s.trim());
        assert!(id.as_str().len() <= 255 && id.as_str().bytes().all(|b| b.is_ascii_graphic()));
    }
    if let Some(code) = ConfirmationCode::parse(s) {
        let digits = code.expose();
        assert!(digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(code.grouped(), format!("{} {}", &digits[..3], &digits[3..]));
        assert_eq!(
            ConfirmationCode::parse(&code.grouped()).map(|c| c.expose().to_owned()),
            Some(digits.to_owned())
        );
    }
    if let Some(t) = PolicyType::parse(s) {
        assert_eq!(PolicyType::parse(t.as_str()).as_ref(), Some(&t));
    }
}

/// The rules count characters; spaces are characters (no trimming).
fn passwords(s: &str) {
    let policy = PasswordPolicy::default();
    let n = s.chars().count();
    match policy.check(s, None, None) {
        Ok(p) => {
            assert_eq!(p.expose(), s);
            assert!((policy.min_length..=policy.max_length).contains(&n));
        }
        Err(PasswordError::Missing) => assert_eq!(n, 0),
        Err(PasswordError::TooShort { .. }) => assert!(n < policy.min_length),
        Err(PasswordError::TooLong { .. }) => assert!(n > policy.max_length),
        Err(PasswordError::TooCommon) => {}
        Err(PasswordError::EqualsEmail) => panic!("no email given, yet EqualsEmail"),
        Err(PasswordError::Breached) => panic!("no breached list given, yet Breached"),
    }
    if let Some(p) = Password::presented(s, &policy) {
        assert!((1..=1024).contains(&n) && p.expose() == s);
    }
}
