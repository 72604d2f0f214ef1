//! A language is files, not code: a throwaway `xx` catalogue read from a
//! folder at run time is mailed in, sentence by sentence (English where it
//! has none); a language without a catalogue is mailed in English.

use std::path::Path;

use registrar_domain::Language;
use registrar_i18n::testing::copy_dir;
use registrar_smtp::{catalogue_from_dir, Templates};

use crate::support::{confirmation, every_content, mail};

const XX: &str = "\
greeting-named = Xalo { $name },
greeting = Xalo,
confirmation-subject = Xonfirm xour xaddress
confirmation-enter-code = Xenter xis xode:
code-label = Xour xode:
";

#[test]
fn a_sixth_language_is_a_file_in_the_locales_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("locales"), dir.path()).expect("copying the locales");
    std::fs::create_dir(dir.path().join("xx")).expect("mkdir xx");
    std::fs::write(dir.path().join("xx/mail.ftl"), XX).expect("write xx");

    let templates = Templates::with_catalogue(catalogue_from_dir(dir.path()).expect("loads")).expect("compiles");
    let xx = Language::from_code("xx").expect("a language code");
    assert!(templates.languages().contains(&xx));

    let rendered = templates.render(&confirmation(xx)).expect("renders");
    assert_eq!(rendered.subject, "Xonfirm xour xaddress");
    assert!(
        rendered
            .text
            .starts_with("Xalo Jane,\n\nXenter xis xode:\n\nXour xode: 048213\n"),
        "{}",
        rendered.text
    );
    assert!(rendered.html.contains("<html lang=\"xx\">"));
    assert!(rendered.html.contains("<p>Xalo Jane,</p>"));
    // What xx does not say yet is said in English.
    assert!(rendered.text.contains("Or confirm it by opening this link:"));

    // Every kind renders in xx.
    for content in every_content() {
        templates
            .render(&mail(xx, None, content))
            .expect("every kind renders in xx");
    }
}

#[test]
fn a_language_without_a_catalogue_is_mailed_in_english() {
    let templates = Templates::new().expect("compiles");
    let english = templates.render(&confirmation(Language::EN)).expect("renders");
    let unknown = Language::from_code("yy").expect("a language code");
    assert_eq!(templates.render(&confirmation(unknown)).expect("renders"), english);
}
