// The embedded catalogue: see crates/i18n/embed_locales.rs.
include!("../../i18n/embed_locales.rs");
