//! `Telephone::parse` (libphonenumber's metadata): no panic; what it accepts
//! is stored in E.164, which parses back to the same number.
#![no_main]

use libfuzzer_sys::fuzz_target;
use registrar_domain::Telephone;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else { return };
    let Ok(telephone) = Telephone::parse(input) else { return };
    let e164 = telephone.as_str();
    let digits = e164.strip_prefix('+').unwrap_or_default();
    assert!(
        !digits.is_empty() && digits.len() <= 15 && digits.bytes().all(|b| b.is_ascii_digit()),
        "{input:?} gave {e164:?}, not E.164"
    );
    // Sent back as stored (PATCH /api/me with the profile's number) it is the same number.
    match Telephone::parse(e164) {
        Ok(again) => assert_eq!(again, telephone, "{input:?} → {e164:?} → {again:?}"),
        Err(e) => panic!("{input:?} gave {e164:?}, which does not parse: {e:?}"),
    }
});
