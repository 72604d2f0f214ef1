use std::collections::BTreeSet;

use registrar_domain::Language;
use registrar_mail::MailContent;
use registrar_smtp::{RenderedMail, Templates};

use crate::support::{self, every_content, link_of, mail, CODE_DIGITS, CODE_GROUPED};

fn templates() -> Templates {
    Templates::new().expect("the embedded templates compile")
}

fn assert_no_template_syntax(what: &str, rendered: &RenderedMail) {
    for (part, text) in [
        ("subject", &rendered.subject),
        ("text", &rendered.text),
        ("html", &rendered.html),
    ] {
        for syntax in ["{{", "}}", "{%", "%}", "{#", "#}"] {
            assert!(!text.contains(syntax), "{what} {part} has leftover {syntax:?}:\n{text}");
        }
    }
}

#[test]
fn every_kind_renders_in_every_language_with_its_code_and_link() {
    let templates = templates();
    for language in Language::BUILT_IN {
        for content in every_content() {
            let what = format!("{}/{}", language.code(), content.kind());
            let link = link_of(&content).map(str::to_owned);
            let has_code = matches!(
                content,
                MailContent::Confirmation { .. }
                    | MailContent::SignupConfirmation { .. }
                    | MailContent::SignInCode { .. }
                    | MailContent::EmailChangeConfirm { .. }
            );
            let rendered = templates
                .render(&mail(language, Some("Jane"), content))
                .expect("every kind renders");

            assert_no_template_syntax(&what, &rendered);
            assert!(!rendered.subject.trim().is_empty(), "{what}: empty subject");
            assert!(!rendered.subject.contains('\n'), "{what}: subject spans lines");
            match link {
                Some(link) => {
                    assert!(
                        rendered.text.lines().any(|l| l.trim() == link),
                        "{what}: link not on a line of its own"
                    );
                    assert!(
                        rendered.html.contains(&format!("href=\"{link}\"")),
                        "{what}: no button to the link"
                    );
                    assert!(
                        rendered.html.contains(&format!(">{link}</a>")),
                        "{what}: link not shown in the HTML"
                    );
                }
                None => {
                    assert!(!rendered.text.contains("http"), "{what}: a link where none belongs");
                    assert!(!rendered.html.contains("href="), "{what}: a link where none belongs");
                }
            }
            assert!(
                rendered.text.contains("Jane") && rendered.html.contains("Jane"),
                "{what}: not greeted by name"
            );
            assert!(
                rendered.html.contains(&format!("<html lang=\"{}\">", language.code())),
                "{what}"
            );
            if has_code {
                assert!(
                    rendered.text.contains(&format!(": {CODE_DIGITS}")),
                    "{what}: code not as six digits"
                );
                assert!(
                    rendered.html.contains(CODE_GROUPED),
                    "{what}: code not grouped in the HTML"
                );
            } else {
                assert!(
                    !rendered.text.contains(CODE_DIGITS),
                    "{what}: a code where none belongs"
                );
            }
        }
    }
}

#[test]
fn the_confirmation_code_is_six_digits_in_the_text_and_grouped_in_threes_in_the_html() {
    let rendered = templates()
        .render(&support::confirmation(Language::EN))
        .expect("renders");
    assert!(rendered.text.contains("Your code: 048213"), "{}", rendered.text);
    assert!(rendered.html.contains("048 213"), "{}", rendered.html);
}

#[test]
fn without_a_name_the_greeting_is_general() {
    let templates = templates();
    let hellos = [
        (Language::EN, "Hello,"),
        (Language::NL, "Hallo,"),
        (Language::FR, "Bonjour,"),
        (Language::DE, "Hallo,"),
        (Language::ES, "Hola:"),
    ];
    for (language, hello) in hellos {
        for content in every_content() {
            let what = format!("{}/{}", language.code(), content.kind());
            let rendered = templates.render(&mail(language, None, content)).expect("renders");
            assert_eq!(rendered.text.lines().next(), Some(hello), "{what}");
            assert!(rendered.html.contains(&format!("<p>{hello}</p>")), "{what}");
            assert!(
                !rendered.text.to_lowercase().contains("none"),
                "{what}: {}",
                rendered.text
            );
        }
    }
}

#[test]
fn a_blank_name_counts_as_no_name() {
    let rendered = templates()
        .render(&mail(Language::EN, Some("   "), every_content().remove(1)))
        .expect("renders");
    assert_eq!(rendered.text.lines().next(), Some("Hello,"));
}

#[test]
fn each_language_has_its_own_words_and_each_kind_its_own_subject() {
    let templates = templates();
    for content in every_content() {
        let subjects: BTreeSet<String> = Language::BUILT_IN
            .into_iter()
            .map(|language| {
                let rendered = templates
                    .render(&mail(language, None, content.clone()))
                    .expect("renders");
                rendered.subject
            })
            .collect();
        assert_eq!(
            subjects.len(),
            5,
            "{}: a subject is shared by two languages",
            content.kind()
        );
    }
    for language in Language::BUILT_IN {
        let subjects: BTreeSet<String> = every_content()
            .into_iter()
            .map(|content| {
                templates
                    .render(&mail(language, None, content))
                    .expect("renders")
                    .subject
            })
            .collect();
        assert_eq!(
            subjects.len(),
            every_content().len(),
            "{}: two kinds share a subject",
            language.code()
        );
    }
}

#[test]
fn names_are_escaped_in_html_and_left_alone_in_text() {
    let rendered = templates()
        .render(&mail(
            Language::EN,
            Some("<b>Tom & Jerry</b>"),
            every_content().remove(3),
        ))
        .expect("renders");
    assert!(
        rendered.text.starts_with("Hello <b>Tom & Jerry</b>,"),
        "{}",
        rendered.text
    );
    assert!(
        rendered.html.contains("Hello &lt;b&gt;Tom &amp; Jerry&lt;/b&gt;,"),
        "{}",
        rendered.html
    );
    assert!(!rendered.html.contains("<b>Tom"), "{}", rendered.html);
}

#[test]
fn links_stay_verbatim_in_text_and_correctly_escaped_in_html() {
    let link = "https://accounts.example.com/reset-password/abc?lang=nl&src=mail";
    let content = MailContent::PasswordReset { link: link.to_owned() };
    let rendered = templates().render(&mail(Language::NL, None, content)).expect("renders");
    assert!(rendered.text.contains(link), "{}", rendered.text);
    let in_html = "https://accounts.example.com/reset-password/abc?lang=nl&amp;src=mail";
    assert!(
        rendered.html.contains(&format!("href=\"{in_html}\"")),
        "{}",
        rendered.html
    );
}

#[test]
fn subjects_and_texts_are_translated() {
    let templates = templates();
    let rendered = |language| templates.render(&support::confirmation(language)).expect("renders");
    assert_eq!(rendered(Language::EN).subject, "Confirm your email address");
    assert_eq!(rendered(Language::NL).subject, "Bevestig je e-mailadres");
    assert_eq!(rendered(Language::FR).subject, "Confirmez votre adresse e-mail");
    assert_eq!(rendered(Language::DE).subject, "Bestätigen Sie Ihre E-Mail-Adresse");
    assert_eq!(
        rendered(Language::ES).subject,
        "Confirma tu dirección de correo electrónico"
    );
    assert!(rendered(Language::DE).text.contains("Ihr Code: 048213"));
    assert!(rendered(Language::FR).text.contains("Votre code : 048213"));
}

#[test]
fn the_recovery_code_mail_says_when_it_was_used_in_every_language() {
    let templates = templates();
    let content = every_content()
        .into_iter()
        .find(|c| matches!(c, MailContent::RecoveryCodeUsed { .. }))
        .expect("a recovery code mail");
    for language in Language::BUILT_IN {
        let rendered = templates
            .render(&mail(language, None, content.clone()))
            .expect("renders");
        let what = language.code();
        assert!(
            rendered.text.contains(support::USED_AT_SHOWN),
            "{what}: {}",
            rendered.text
        );
        assert!(
            rendered.html.contains(support::USED_AT_SHOWN),
            "{what}: {}",
            rendered.html
        );
    }
}

#[test]
fn the_second_factor_mails_say_what_happened_in_the_readers_language() {
    let templates = templates();
    let subject = |language, kind: &str| {
        let content = every_content()
            .into_iter()
            .find(|c| c.kind() == kind)
            .expect("a mail of the kind");
        templates
            .render(&mail(language, None, content))
            .expect("renders")
            .subject
    };
    for (language, kind, expected) in [
        (Language::EN, "totp_enabled", "Two-step verification is on"),
        (Language::EN, "totp_disabled", "Two-step verification is off"),
        (
            Language::EN,
            "recovery_code_used",
            "A recovery code was used to sign in",
        ),
        (Language::EN, "passkey_added", "A passkey was added to your account"),
        (
            Language::FR,
            "passkey_removed",
            "Une clé d'accès a été supprimée de votre compte",
        ),
        (Language::NL, "totp_enabled", "Tweestapsverificatie staat aan"),
        (Language::NL, "totp_disabled", "Tweestapsverificatie staat uit"),
        (Language::NL, "recovery_code_used", "Er is ingelogd met een herstelcode"),
        (
            Language::DE,
            "totp_disabled",
            "Die Zwei-Schritt-Verifizierung ist deaktiviert",
        ),
    ] {
        assert_eq!(subject(language, kind), expected, "{}/{kind}", language.code());
    }
}

#[test]
fn the_sign_in_code_mail_shows_the_code_and_how_long_it_works_in_every_language() {
    let templates = templates();
    let code = registrar_domain::ConfirmationCode::from_number(support::CODE);
    let content = MailContent::SignInCode {
        code,
        valid_minutes: 10,
    };
    let digits = format!(" {CODE_DIGITS}\n");
    let mut subjects = Vec::new();
    for mail in Language::BUILT_IN.map(|language| mail(language, None, content.clone())) {
        let rendered = templates.render(&mail).expect("renders");
        subjects.push(rendered.subject.clone());
        let (text, html) = (&rendered.text, &rendered.html);
        assert!(text.contains(&digits) && html.contains(CODE_GROUPED), "{text}{html}");
        assert!(
            text.contains(" 10 ") && html.contains(" 10 "),
            "for how many minutes: {text}"
        );
    }
}
