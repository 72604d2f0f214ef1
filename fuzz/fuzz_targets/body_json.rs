//! Request bodies sent as JSON (and with no content type), decoded and read
//! by every family: core, typed, users, signup and the pages' forms.
#![no_main]

use libfuzzer_sys::fuzz_target;
use registrar_domain::Language;
use registrar_http::fuzzing;

fuzz_target!(|data: &[u8]| {
    // The request's Accept-Language, none or one of ours, from the length.
    let requested = Language::BUILT_IN.get(data.len() % 6).copied();
    let _ = fuzzing::json_body(data, requested);
});
