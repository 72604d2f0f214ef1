//! Every kind in every language, with and without a name, against the mails
//! the per-language templates rendered before the texts moved into Fluent
//! catalogues (`tests/golden/<lang>/<kind>.<named|anonymous>.<part>`).
//! `BLESS_GOLDEN=1` rewrites the files from the current renderer.

use std::path::PathBuf;

use registrar_domain::Language;
use registrar_smtp::Templates;

use crate::support::{every_content, mail};

/// A name with everything HTML must escape.
const NAME: &str = "Zoë & \"Jo\" <b>";

#[test]
fn every_mail_is_byte_identical_to_the_golden_files() {
    let templates = Templates::new().expect("the embedded templates compile");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let bless = std::env::var_os("BLESS_GOLDEN").is_some();
    let mut compared = 0;
    for code in ["en", "nl", "fr", "de", "es"] {
        let language = Language::from_code(code).expect("one of ours");
        for content in every_content() {
            let kind = content.kind();
            for (variant, name) in [("named", Some(NAME)), ("anonymous", None)] {
                let rendered = templates
                    .render(&mail(language, name, content.clone()))
                    .expect("renders");
                for (part, text) in [
                    ("subject", &rendered.subject),
                    ("txt", &rendered.text),
                    ("html", &rendered.html),
                ] {
                    let path = root.join(code).join(format!("{kind}.{variant}.{part}"));
                    if bless {
                        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
                        std::fs::write(&path, text).expect("write golden");
                    }
                    let golden = std::fs::read_to_string(&path).expect("golden file");
                    assert_eq!(text, &golden, "{}", path.display());
                    compared += 1;
                }
            }
        }
    }
    assert_eq!(compared, 5 * 5 * 2 * 3);
}
