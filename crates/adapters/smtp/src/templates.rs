//! The words of every mail: one subject, plain-text and HTML template per kind
//! (`templates/<kind>.{subject,txt,html}`, sharing `layout.html` and
//! `macros.html`), every sentence of which comes from the Fluent catalogue
//! `locales/<lang>/mail.ftl` through `t("id", name=…)`. Templates and the
//! catalogue are embedded at compile time; [`Templates::with_catalogue`]
//! takes another one (a folder read at run time). A language the catalogue
//! lacks is mailed in English, and so is a sentence a language lacks.
//!
//! `.html` templates are HTML-escaped automatically, `.txt` and `.subject` are
//! not. Variables: `name` (or none), `lang`, and per kind `code`,
//! `code_grouped`, `link`, `reset_link` or `cancel_link`, `new_email` (a
//! masked address), `hours` (how long a change of address waits), `when` (an instant as
//! `2026-12-06 10:53 UTC`, the same in every language) and `minutes` (how
//! long a sign-in code works); HTML templates also get `subject`.

use std::path::Path;
use std::sync::Arc;

use minijinja::value::{Kwargs, Value};
use minijinja::{context, AutoEscape, Environment, ErrorKind, Output, State, UndefinedBehavior};
use registrar_domain::Language;
use registrar_i18n::Catalogue;
use registrar_mail::{Mail, MailContent, MailError};

use crate::settings::SetupError;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/locales.rs"));
}

/// A mail in words, ready to be put into MIME parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedMail {
    /// One line, not yet header-encoded.
    pub subject: String,
    /// The `text/plain` part: codes as six digits, links verbatim.
    pub text: String,
    /// The `text/html` part.
    pub html: String,
}

/// The compiled templates of every kind, and the catalogue they speak from.
pub struct Templates {
    env: Environment<'static>,
    catalogue: Arc<Catalogue>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("count", &self.env.templates().count())
            .field("catalogue", &self.catalogue)
            .finish()
    }
}

/// `(name, source)` of the three templates of one kind.
macro_rules! kind_files {
    ($kind:literal) => {
        [
            (
                concat!($kind, ".subject"),
                include_str!(concat!("../templates/", $kind, ".subject")),
            ),
            (
                concat!($kind, ".txt"),
                include_str!(concat!("../templates/", $kind, ".txt")),
            ),
            (
                concat!($kind, ".html"),
                include_str!(concat!("../templates/", $kind, ".html")),
            ),
        ]
    };
}

/// Shared by every HTML template: the page around the words, and the button,
/// link and code snippets.
const SHARED: [(&str, &str); 2] = [
    ("layout.html", include_str!("../templates/layout.html")),
    ("macros.html", include_str!("../templates/macros.html")),
];

/// Per kind (one entry per `MailContent::kind()`), the three files.
const PER_KIND: [[(&str, &str); 3]; 15] = [
    kind_files!("confirmation"),
    kind_files!("signup_confirmation"),
    kind_files!("signup_attempt"),
    kind_files!("password_reset"),
    kind_files!("password_changed"),
    kind_files!("totp_enabled"),
    kind_files!("totp_disabled"),
    kind_files!("recovery_code_used"),
    kind_files!("passkey_added"),
    kind_files!("passkey_removed"),
    kind_files!("sign_in_code"),
    kind_files!("new_sign_in"),
    kind_files!("email_change_confirm"),
    kind_files!("email_change_notice"),
    kind_files!("email_changed"),
];

/// The mail catalogue embedded at compile time (`locales/*/mail.ftl`).
pub fn embedded_catalogue() -> Result<Catalogue, SetupError> {
    Catalogue::from_sources(embedded::LOCALES.iter().copied()).map_err(|e| SetupError::Templates(e.to_string()))
}

/// The mail catalogue in `dir/<lang>/mail.ftl`, read now.
pub fn catalogue_from_dir(dir: &Path) -> Result<Catalogue, SetupError> {
    Catalogue::from_dir(dir, "mail.ftl").map_err(|e| SetupError::Templates(e.to_string()))
}

impl Templates {
    /// Compiles every embedded template over the embedded catalogue. Fails
    /// only if a template or the catalogue has a syntax error, which the
    /// tests of this crate rule out.
    pub fn new() -> Result<Self, SetupError> {
        Self::with_catalogue(embedded_catalogue()?)
    }

    /// The embedded templates over another catalogue.
    pub fn with_catalogue(catalogue: Catalogue) -> Result<Self, SetupError> {
        let catalogue = Arc::new(catalogue);
        let mut env = Environment::new();
        // A variable a template expects but does not get is a bug, not an
        // empty string in somebody's mail.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_formatter(formatter);
        let words = Arc::clone(&catalogue);
        env.add_function("t", move |state: &State, id: &str, args: Kwargs| {
            translate(&words, state, id, &args)
        });
        for (name, source) in SHARED.iter().chain(PER_KIND.iter().flatten()) {
            env.add_template(name, source)
                .map_err(|e| SetupError::Templates(format!("{name}: {e:#}")))?;
        }
        Ok(Self { env, catalogue })
    }

    /// The languages the catalogue has (others are mailed in English).
    pub fn languages(&self) -> Vec<Language> {
        self.catalogue.languages()
    }

    /// Renders `mail` in its language, or in English if the catalogue lacks
    /// it. An error here is a broken template: [`MailError::Permanent`].
    pub fn render(&self, mail: &Mail) -> Result<RenderedMail, MailError> {
        let language = if self.catalogue.languages().contains(&mail.language) {
            mail.language
        } else {
            Language::EN
        };
        let lang = language.code();
        let kind = mail.content.kind();
        let name = crate::name::clean(mail.name.as_deref());
        let values = match &mail.content {
            MailContent::Confirmation { code, link } | MailContent::SignupConfirmation { code, link } => context! {
                code => code.expose(),
                code_grouped => code.grouped(),
                link,
            },
            MailContent::PasswordReset { link } => context! { link },
            MailContent::SignupAttempt { reset_link }
            | MailContent::PasswordChanged { reset_link }
            | MailContent::TotpEnabled { reset_link }
            | MailContent::TotpDisabled { reset_link }
            | MailContent::PasskeyAdded { reset_link }
            | MailContent::PasskeyRemoved { reset_link } => context! { reset_link },
            MailContent::RecoveryCodeUsed { used_at, reset_link } => context! {
                reset_link,
                when => used_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            },
            MailContent::NewSignIn { device, at } => context! {
                device,
                when => at.format("%Y-%m-%d %H:%M UTC").to_string(),
            },
            MailContent::SignInCode { code, valid_minutes } => context! {
                code => code.expose(),
                code_grouped => code.grouped(),
                minutes => valid_minutes,
            },
            MailContent::EmailChangeConfirm {
                code,
                link,
                valid_hours,
            } => context! {
                code => code.expose(),
                code_grouped => code.grouped(),
                link,
                hours => valid_hours,
            },
            MailContent::EmailChangeNotice { new_email, cancel_link } => context! { new_email, cancel_link },
            MailContent::EmailChanged { new_email } => context! { new_email },
        };
        let ctx = context! { lang, name, ..values };

        let subject = self.render_one(&format!("{kind}.subject"), &ctx)?;
        // A header is one line, whatever the template's line breaks.
        let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
        let text = self.render_one(&format!("{kind}.txt"), &ctx)?;
        let html = self.render_one(&format!("{kind}.html"), &context! { subject, ..ctx })?;
        Ok(RenderedMail { subject, text, html })
    }

    fn render_one(&self, name: &str, ctx: &Value) -> Result<String, MailError> {
        let rendered = self.env.get_template(name).and_then(|t| t.render(ctx));
        let mut text = rendered.map_err(|e| MailError::Permanent(format!("mail template {name} failed: {e:#}")))?;
        text.push('\n');
        Ok(text)
    }
}

/// `t("id", name=…)`: the sentence `id` in the template's `lang`, its
/// placeables filled from the keyword arguments. The result is escaped like
/// any other value in an HTML template.
fn translate(catalogue: &Catalogue, state: &State, id: &str, args: &Kwargs) -> Result<String, minijinja::Error> {
    let lang = state
        .lookup("lang")
        .and_then(|l| l.as_str().and_then(Language::from_code))
        .unwrap_or(Language::EN);
    let mut values = Vec::new();
    for key in args.args() {
        let value: Value = args.get(key)?;
        values.push((key, value.to_string()));
    }
    let pairs: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    catalogue
        .text(lang, id, &pairs)
        .ok_or_else(|| minijinja::Error::new(ErrorKind::UndefinedError, format!("no mail text {id:?}")))
}

/// minijinja's HTML escaping also turns `/` into `&#x2f;` and `'` into
/// `&#x27;`, which would hide every link (and garble French) for anybody, or
/// any test, reading the raw message. `& < > "` is all HTML needs, in text
/// and in attributes — our templates always quote attributes with `"`.
fn formatter(out: &mut Output, state: &State, value: &Value) -> Result<(), minijinja::Error> {
    match (state.auto_escape(), value.as_str()) {
        (AutoEscape::Html, Some(s)) if !value.is_safe() => Ok(out.write_str(&escape_html(s))?),
        _ => minijinja::escape_formatter(out, state, value),
    }
}

fn escape_html(s: &str) -> String {
    let mut escaped = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_but_not_slashes() {
        assert_eq!(
            escape_html(r#"<a href="x">Tom & 'Jerry'</a> https://h/p"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; 'Jerry'&lt;/a&gt; https://h/p"
        );
    }

    #[test]
    fn every_template_compiles() {
        let templates = Templates::new().expect("embedded templates compile");
        assert_eq!(templates.env.templates().count(), 2 + PER_KIND.len() * 3);
    }
}
