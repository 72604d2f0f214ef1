//! The words of every mail: one subject, plain-text and HTML template per kind
//! and language under `templates/<lang>/<kind>.{subject,txt,html}`, embedded at
//! compile time (a missing file is a build error) and rendered with minijinja.
//!
//! `.html` templates are HTML-escaped automatically, `.txt` and `.subject` are
//! not. Variables: `name` (or none), `lang`, and per kind `code`,
//! `code_grouped`, `link` or `reset_link`; HTML templates also get `subject`.

use minijinja::value::Value;
use minijinja::{context, AutoEscape, Environment, Output, State, UndefinedBehavior};
use registrar_mail::{Mail, MailContent, MailError};

use crate::settings::SetupError;

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

/// The compiled templates of every kind in every language.
pub struct Templates {
    env: Environment<'static>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("count", &self.env.templates().count())
            .finish()
    }
}

/// `(name, source)` of the templates of one kind in one language.
macro_rules! kind_files {
    ($lang:literal, $kind:literal) => {
        [
            (
                concat!($lang, "/", $kind, ".subject"),
                include_str!(concat!("../templates/", $lang, "/", $kind, ".subject")),
            ),
            (
                concat!($lang, "/", $kind, ".txt"),
                include_str!(concat!("../templates/", $lang, "/", $kind, ".txt")),
            ),
            (
                concat!($lang, "/", $kind, ".html"),
                include_str!(concat!("../templates/", $lang, "/", $kind, ".html")),
            ),
        ]
    };
}

/// Every template of one language, one entry per `MailContent::kind()`.
macro_rules! language_files {
    ($lang:literal) => {
        [
            kind_files!($lang, "confirmation"),
            kind_files!($lang, "signup_confirmation"),
            kind_files!($lang, "signup_attempt"),
            kind_files!($lang, "password_reset"),
            kind_files!($lang, "password_changed"),
        ]
    };
}

/// Shared by every HTML template: the page around the words, and the button,
/// link and code snippets.
const SHARED: [(&str, &str); 2] = [
    ("layout.html", include_str!("../templates/layout.html")),
    ("macros.html", include_str!("../templates/macros.html")),
];

/// Per language (the order of `Language::ALL`), per kind, the three files.
const PER_LANGUAGE: [[[(&str, &str); 3]; 5]; 5] = [
    language_files!("en"),
    language_files!("nl"),
    language_files!("fr"),
    language_files!("de"),
    language_files!("es"),
];

impl Templates {
    /// Compiles every embedded template. Fails only if a template has a
    /// syntax error, which the tests of this crate rule out.
    pub fn new() -> Result<Self, SetupError> {
        let mut env = Environment::new();
        // A variable a template expects but does not get is a bug, not an
        // empty string in somebody's mail.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_formatter(formatter);
        let per_language = PER_LANGUAGE.iter().flatten().flatten();
        for (name, source) in SHARED.iter().chain(per_language) {
            env.add_template(name, source)
                .map_err(|e| SetupError::Templates(format!("{name}: {e:#}")))?;
        }
        Ok(Self { env })
    }

    /// Renders `mail` in its language. An error here is a broken template:
    /// [`MailError::Permanent`].
    pub fn render(&self, mail: &Mail) -> Result<RenderedMail, MailError> {
        let lang = mail.language.code();
        let kind = mail.content.kind();
        let name = crate::name::clean(mail.name.as_deref());
        let values = match &mail.content {
            MailContent::Confirmation { code, link } | MailContent::SignupConfirmation { code, link } => context! {
                code => code.expose(),
                code_grouped => code.grouped(),
                link,
            },
            MailContent::PasswordReset { link } => context! { link },
            MailContent::SignupAttempt { reset_link } | MailContent::PasswordChanged { reset_link } => {
                context! { reset_link }
            }
        };
        let ctx = context! { lang, name, ..values };

        let subject = self.render_one(&format!("{lang}/{kind}.subject"), &ctx)?;
        // A header is one line, whatever the template's line breaks.
        let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
        let text = self.render_one(&format!("{lang}/{kind}.txt"), &ctx)?;
        let html = self.render_one(&format!("{lang}/{kind}.html"), &context! { subject, ..ctx })?;
        Ok(RenderedMail { subject, text, html })
    }

    fn render_one(&self, name: &str, ctx: &Value) -> Result<String, MailError> {
        let rendered = self.env.get_template(name).and_then(|t| t.render(ctx));
        let mut text = rendered.map_err(|e| MailError::Permanent(format!("mail template {name} failed: {e:#}")))?;
        text.push('\n');
        Ok(text)
    }
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
        assert_eq!(templates.env.templates().count(), 2 + 5 * 5 * 3);
    }
}
