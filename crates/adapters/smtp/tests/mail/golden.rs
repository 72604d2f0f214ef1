//! Every kind in every language, with and without a name, against the mails
//! the per-language templates rendered before the texts moved into Fluent
//! catalogues. They are kept in one data file, `tests/golden.json`: a map
//! from `<lang>/<kind>.<named|anonymous>.<part>` to the exact text, each
//! entry compared byte for byte. `BLESS_GOLDEN=1 cargo test -p registrar-smtp
//! --test mail golden` rewrites it from the current renderer (review the diff).

use std::collections::BTreeMap;
use std::path::PathBuf;

use registrar_domain::Language;
use registrar_smtp::Templates;

use crate::support::{every_content, mail};

/// A name with everything HTML must escape.
const NAME: &str = "Zoë & \"Jo\" <b>";

/// Every rendered part, keyed as in `tests/golden.json`.
fn rendered() -> BTreeMap<String, String> {
    let templates = Templates::new().expect("the embedded templates compile");
    let mut parts = BTreeMap::new();
    for code in ["en", "nl", "fr", "de", "es"] {
        let language = Language::from_code(code).expect("one of ours");
        for content in every_content() {
            let kind = content.kind();
            for (variant, name) in [("named", Some(NAME)), ("anonymous", None)] {
                let rendered = templates
                    .render(&mail(language, name, content.clone()))
                    .expect("renders");
                for (part, text) in [
                    ("subject", rendered.subject),
                    ("txt", rendered.text),
                    ("html", rendered.html),
                ] {
                    parts.insert(format!("{code}/{kind}.{variant}.{part}"), text);
                }
            }
        }
    }
    parts
}

#[test]
fn every_mail_is_byte_identical_to_the_golden_files() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden.json");
    let rendered = rendered();
    if std::env::var_os("BLESS_GOLDEN").is_some() {
        let json = serde_json::to_string_pretty(&rendered).expect("a map of strings serializes");
        std::fs::write(&path, json + "\n").expect("write golden.json");
    }
    let golden: BTreeMap<String, String> =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("golden.json")).expect("a map of strings");
    assert_eq!(
        rendered.keys().collect::<Vec<_>>(),
        golden.keys().collect::<Vec<_>>(),
        "the parts in {}",
        path.display()
    );
    let mut compared = 0;
    for (key, text) in &rendered {
        assert_eq!(text, &golden[key], "{key} in {}", path.display());
        compared += 1;
    }
    assert_eq!(compared, 5 * every_content().len() * 2 * 3);
}
