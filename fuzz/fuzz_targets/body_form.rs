//! Request bodies sent as `application/x-www-form-urlencoded` (repeated keys,
//! `k[]` lists), decoded and read by every family.
#![no_main]

use libfuzzer_sys::fuzz_target;
use registrar_domain::Language;
use registrar_http::fuzzing;

fuzz_target!(|data: &[u8]| {
    let requested = Language::BUILT_IN.get(data.len() % 6).copied();
    fuzzing::form_body(data, requested);
});
