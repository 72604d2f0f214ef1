//! The page templates (`templates/pages/*.html`, embedded at compile time)
//! rendered with minijinja, HTML-escaped, with the catalogue's
//! `page.*` texts (`page-*` in `registrar.ftl`) in the request's language.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use minijinja::value::Value;
use minijinja::{context, Environment, ErrorKind, UndefinedBehavior};
use serde::Serialize;

use super::headers::{PASSKEY_SCRIPT, STYLE};
use crate::edge::language::{self, Lang};

const TEMPLATES: [(&str, &str); 13] = [
    (
        "oauth_hidden.html",
        include_str!("../../../templates/pages/oauth_hidden.html"),
    ),
    ("signin.html", include_str!("../../../templates/pages/signin.html")),
    (
        "email_code.html",
        include_str!("../../../templates/pages/email_code.html"),
    ),
    (
        "second_factor.html",
        include_str!("../../../templates/pages/second_factor.html"),
    ),
    ("consent.html", include_str!("../../../templates/pages/consent.html")),
    ("logout.html", include_str!("../../../templates/pages/logout.html")),
    (
        "mail_form.html",
        include_str!("../../../templates/pages/mail_form.html"),
    ),
    ("layout.html", include_str!("../../../templates/pages/layout.html")),
    ("message.html", include_str!("../../../templates/pages/message.html")),
    (
        "email_change.html",
        include_str!("../../../templates/pages/email_change.html"),
    ),
    ("form.html", include_str!("../../../templates/pages/form.html")),
    (
        "reset_form.html",
        include_str!("../../../templates/pages/reset_form.html"),
    ),
    (
        "signup_form.html",
        include_str!("../../../templates/pages/signup_form.html"),
    ),
];

fn environment() -> Result<&'static Environment<'static>, minijinja::Error> {
    static ENV: OnceLock<Result<Environment<'static>, String>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // `.html` names turn HTML escaping on; a misspelt variable is an error, not a blank.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        for (name, source) in TEMPLATES {
            env.add_template(name, source).map_err(|e| format!("{e:#}"))?;
        }
        Ok(env)
    })
    .as_ref()
    .map_err(|e| minijinja::Error::new(ErrorKind::InvalidOperation, e.clone()))
}

/// The catalogue's `page.*` texts in `lang`, keyed without the prefix.
fn texts(lang: Lang) -> BTreeMap<String, String> {
    language::keys()
        .into_iter()
        .filter_map(|key| key.strip_prefix("page.").map(|short| (short.to_owned(), lang.t(&key))))
        .collect()
}

fn render(name: &str, lang: Lang, heading: &str, page: Value) -> Result<String, minijinja::Error> {
    let template = environment()?.get_template(name)?;
    template.render(context! {
        lang => lang.0.code(),
        style => Value::from_safe_string(STYLE.to_owned()),
        script => Value::from_safe_string(PASSKEY_SCRIPT.to_owned()),
        heading => heading,
        t => texts(lang),
        ..page
    })
}

/// The page of template `name` with `data` (the OAuth pages).
pub fn page(name: &str, lang: Lang, heading: &str, data: Value) -> Result<String, minijinja::Error> {
    render(name, lang, heading, data)
}

/// A page that says one thing: a heading and a sentence.
pub fn message(lang: Lang, heading: &str, message: &str) -> Result<String, minijinja::Error> {
    render("message.html", lang, heading, context! { message => message })
}

/// What a password form tells the browser and its password manager: the
/// account's address (a hidden `autocomplete="username"` field) and the
/// configured length rules (`minlength`/`maxlength`).
#[derive(Debug, Default, Clone, Serialize)]
pub struct Account {
    pub username: String,
    pub min_length: usize,
    pub max_length: usize,
}

impl Account {
    pub fn new(email: &registrar_domain::Email, rules: &registrar_domain::PasswordPolicy) -> Self {
        Self {
            username: email.as_str().to_owned(),
            min_length: rules.min_length,
            max_length: rules.max_length,
        }
    }
}

/// What every form page shows above its own fields.
#[derive(Debug, Default, Serialize)]
pub struct FormHead {
    /// The hidden field's value (the CSRF cookie's).
    pub csrf_token: String,
    #[serde(flatten)]
    pub account: Account,
    /// A sentence above the form ("the form expired", …).
    pub notice: Option<String>,
}

/// What the reset form shows besides its fields.
#[derive(Debug, Default, Serialize)]
pub struct ResetForm {
    #[serde(flatten)]
    pub head: FormHead,
    pub password_errors: Vec<String>,
    pub confirmation_errors: Vec<String>,
}

/// A page's form: made empty with its CSRF token, rendered with its template.
pub trait Form: Serialize + Default {
    /// Its template and the catalogue key of its title.
    const TEMPLATE: (&'static str, &'static str);

    /// What it shows above its own fields.
    fn head(&mut self) -> &mut FormHead;

    /// The empty form under `head`.
    fn fresh(head: FormHead) -> Self {
        let mut form = Self::default();
        *form.head() = head;
        form
    }
}

/// A form page.
pub fn form_page<F: Form>(lang: Lang, form: &F) -> Result<String, minijinja::Error> {
    let (template, title) = F::TEMPLATE;
    render(template, lang, &lang.t(title), Value::from_serialize(form))
}

impl Form for ResetForm {
    const TEMPLATE: (&'static str, &'static str) = ("reset_form.html", "page.reset_title");
    fn head(&mut self) -> &mut FormHead {
        &mut self.head
    }
}

/// What the signup form (consent, optional password) shows besides its fields.
#[derive(Debug, Default, Serialize)]
pub struct SignupForm {
    #[serde(flatten)]
    pub head: FormHead,
    /// Whether the consent box is ticked (it stays so when the form comes back).
    pub consent: bool,
    pub consent_errors: Vec<String>,
    pub password_errors: Vec<String>,
    pub confirmation_errors: Vec<String>,
}

impl Form for SignupForm {
    const TEMPLATE: (&'static str, &'static str) = ("signup_form.html", "page.signup_title");
    fn head(&mut self) -> &mut FormHead {
        &mut self.head
    }
}

#[cfg(test)]
mod tests {
    use registrar_domain::Language;

    use super::*;

    /// A form head with this hidden value and notice.
    fn head(csrf_token: &str, notice: &str) -> FormHead {
        FormHead {
            account: Account::default(),
            csrf_token: csrf_token.into(),
            notice: Some(notice.into()),
        }
    }

    /// A signup form under `head` with one error under each of its fields:
    /// consent, password, confirmation.
    fn signup_form(head: FormHead, [consent, password, confirmation]: [&str; 3]) -> SignupForm {
        SignupForm {
            head,
            consent: false,
            consent_errors: vec![consent.into()],
            password_errors: vec![password.into()],
            confirmation_errors: vec![confirmation.into()],
        }
    }

    /// What either form shows with `head("abc", "Expired")`, "Too short"
    /// under the password and "Do not match" under the confirmation.
    const EITHER_FORM_HAS: [&str; 7] = [
        r#"<form method="post">"#,
        r#"name="csrf_token" value="abc""#,
        r#"name="password""#,
        r#"name="password_confirmation""#,
        "Expired",
        "Too short",
        "Do not match",
    ];

    /// Every needle is in `html`.
    fn assert_has(html: &str, needles: &[&str]) {
        for needle in needles {
            assert!(html.contains(needle), "{needle} in {html}");
        }
    }

    #[test]
    fn every_template_compiles_and_every_language_renders() {
        for language in Language::BUILT_IN {
            let lang = Lang(language);
            let html = message(lang, &lang.t("page.confirmed_title"), &lang.t("page.confirmed_text")).expect("message");
            assert!(html.contains(&format!("<html lang=\"{}\">", language.code())), "{html}");
            let html = form_page(lang, &ResetForm::default()).expect("form");
            assert!(!html.contains("page."), "a key without text: {html}");
            let html = form_page(lang, &SignupForm::default()).expect("signup form");
            assert!(!html.contains("page."), "a key without text: {html}");
        }
    }

    #[test]
    fn the_oauth_pages_render_in_every_language() {
        let head = || {
            context! {
                csrf_token => "abc", hidden => vec![("state", "\"><script>")], notice => Some("<b>"),
            }
        };
        let pages = [
            (
                "signin.html",
                context! { intro => "i", email => "a@b.c", ceremony => "", passkey_options => Some("{}"),
                forgot_href => "/f", signup_href => Some("/s") },
            ),
            (
                "email_code.html",
                context! { intro => "i", email => "a@b.c", restart_href => "/r" },
            ),
            (
                "second_factor.html",
                context! { mfa_token => "m", factors => "totp", totp => true, recovery => true,
                passkey_options => Some("{}"), restart_href => "/r" },
            ),
            (
                "consent.html",
                context! { intro => "i", scopes => vec!["s"],
                policies => vec![context! { id => 1, title => "T", description => "D" }], account => "a", ticket => "t" },
            ),
            ("logout.html", context! {}),
            (
                "mail_form.html",
                context! { intro => "i", submit => "s", action => "/a", email => "", back_href => "/b" },
            ),
        ];
        for language in Language::BUILT_IN {
            let lang = Lang(language);
            for (name, data) in &pages {
                let data = context! { ..data.clone(), ..head() };
                let html = page(name, lang, "h", data).unwrap_or_else(|e| panic!("{name} in {language}: {e:#}"));
                assert!(!html.contains("page."), "{name}: a key without text: {html}");
                assert!(
                    !html.contains("\"><script>") && !html.contains("<b>"),
                    "{name}: escaped: {html}"
                );
            }
        }
    }

    #[test]
    fn output_is_escaped() {
        let lang = Lang(Language::EN);
        let html = message(lang, "<b>bold</b>", "<script>alert('x')</script> & \"q\"").expect("message");
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(html.contains("&amp;"), "{html}");
        let form = ResetForm {
            head: head("\"><script>", "<img src=x>"),
            password_errors: vec!["<i>".into()],
            confirmation_errors: vec![],
        };
        let html = form_page(lang, &form).expect("form");
        assert!(
            !html.contains("\"><script>") && !html.contains("<img") && !html.contains("<i>"),
            "{html}"
        );
        let form = signup_form(head("\"><script>", "<img src=x>"), ["<i>", "<b>", "<u>"]);
        let html = form_page(lang, &form).expect("signup form");
        for raw in ["\"><script>", "<img", "<i>", "<b>", "<u>"] {
            assert!(!html.contains(raw), "{raw} in {html}");
        }
    }

    #[test]
    fn the_style_is_inlined_verbatim() {
        let html = message(Lang(Language::EN), "h", "m").expect("message");
        assert!(
            html.contains(&format!("<style>{STYLE}</style>")),
            "the CSP hash covers exactly this"
        );
    }

    #[test]
    fn the_form_has_its_fields_and_no_action() {
        let form = ResetForm {
            head: head("abc", "Expired"),
            password_errors: vec!["Too short".into()],
            confirmation_errors: vec!["Do not match".into()],
        };
        let html = form_page(Lang(Language::NL), &form).expect("form");
        assert_has(&html, &EITHER_FORM_HAS);
        assert_has(&html, &["Nieuw wachtwoord"]);
    }

    #[test]
    fn the_signup_form_has_its_fields_and_no_action() {
        let form = signup_form(head("abc", "Expired"), ["Consent needed", "Too short", "Do not match"]);
        let html = form_page(Lang(Language::FR), &form).expect("form");
        assert_has(&html, &EITHER_FORM_HAS);
        assert_has(
            &html,
            &[
                r#"name="consent" type="checkbox" value="1""#,
                "Consent needed",
                "Activer le compte",
            ],
        );
        assert!(!html.contains("checked"), "not ticked unless given: {html}");
        assert!(
            !html.contains("required"),
            "nothing the browser refuses to send: {html}"
        );
        let ticked = SignupForm {
            consent: true,
            ..SignupForm::default()
        };
        let html = form_page(Lang(Language::EN), &ticked).expect("form");
        assert!(html.contains(" checked"), "{html}");
    }
}
